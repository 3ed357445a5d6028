"""The memory of pool sizes: kept per session for a while, forgotten per user on change."""
from app.one.counts import CountMemory


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def counter(values):
    calls = []

    def compute():
        calls.append(None)
        return values[len(calls) - 1]
    return compute, calls


def test_a_count_is_remembered_for_its_session_until_it_expires():
    clock = Clock()
    memory = CountMemory(5, clock=clock)
    compute, calls = counter([10, 11])
    assert memory.count("demo:pw", "vm", compute) == 10
    clock.now += 4.9
    assert memory.count("demo:pw", "vm", compute) == 10
    clock.now += 0.2
    assert memory.count("demo:pw", "vm", compute) == 11
    assert len(calls) == 2


def test_another_password_of_the_same_user_never_gets_the_remembered_count():
    memory = CountMemory(5, clock=Clock())
    memory.count("demo:right", "vm", lambda: 10)
    compute, calls = counter([99])
    assert memory.count("demo:wrong", "vm", compute) == 99
    assert len(calls) == 1


def test_questions_are_remembered_apart():
    memory = CountMemory(5, clock=Clock())
    memory.count("demo:pw", ("vm", -2, -1), lambda: 10)
    assert memory.count("demo:pw", ("vm", -2, 8), lambda: 3) == 3


def test_forgetting_drops_every_session_of_the_user_and_only_them():
    memory = CountMemory(5, clock=Clock())
    memory.count("demo:a", "vm", lambda: 1)
    memory.count("demo:b", "vm", lambda: 2)
    memory.count("alice:c", "vm", lambda: 3)
    memory.forget("demo:anything")
    assert memory.count("demo:a", "vm", lambda: 10) == 10
    assert memory.count("demo:b", "vm", lambda: 20) == 20
    assert memory.count("alice:c", "vm", lambda: 30) == 3


def test_zero_seconds_never_remembers():
    memory = CountMemory(0, clock=Clock())
    compute, calls = counter([1, 2])
    assert (memory.count("demo:pw", "vm", compute), memory.count("demo:pw", "vm", compute)) == (1, 2)


def test_capacity_bounds_the_memory_oldest_first():
    memory = CountMemory(5, capacity=2, clock=Clock())
    for number in range(3):
        memory.count("demo:pw", number, lambda number=number: number)
    assert memory.count("demo:pw", 0, lambda: "recomputed") == "recomputed"
    assert memory.count("demo:pw", 2, lambda: "recomputed") == 2
