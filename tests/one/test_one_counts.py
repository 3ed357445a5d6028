"""The memory of pool sizes: kept per session for a while, forgotten per user on change,
then the guess of the next count; the exact count searched with windows of two objects."""
import pytest

from app.one.counts import CountMemory, exact_count


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def counter(values):
    calls = []

    def compute(guess):
        calls.append(guess)
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
    memory.count("demo:right", "vm", lambda guess: 10)
    compute, calls = counter([99])
    assert memory.count("demo:wrong", "vm", compute) == 99
    assert len(calls) == 1


def test_questions_are_remembered_apart():
    memory = CountMemory(5, clock=Clock())
    memory.count("demo:pw", ("vm", -2, -1), lambda guess: 10)
    assert memory.count("demo:pw", ("vm", -2, 8), lambda guess: 3) == 3


def test_forgetting_drops_every_session_of_the_user_and_only_them():
    memory = CountMemory(5, clock=Clock())
    memory.count("demo:a", "vm", lambda guess: 1)
    memory.count("demo:b", "vm", lambda guess: 2)
    memory.count("alice:c", "vm", lambda guess: 3)
    memory.forget("demo:anything")
    assert memory.count("demo:a", "vm", lambda guess: 10) == 10
    assert memory.count("demo:b", "vm", lambda guess: 20) == 20
    assert memory.count("alice:c", "vm", lambda guess: 30) == 3


def test_zero_seconds_never_remembers():
    memory = CountMemory(0, clock=Clock())
    compute, calls = counter([1, 2])
    assert (memory.count("demo:pw", "vm", compute), memory.count("demo:pw", "vm", compute)) == (1, 2)


def test_capacity_bounds_the_memory_oldest_first():
    memory = CountMemory(5, capacity=2, clock=Clock())
    for number in range(3):
        memory.count("demo:pw", number, lambda guess, number=number: number)
    assert memory.count("demo:pw", 0, lambda guess: "recomputed") == "recomputed"
    assert memory.count("demo:pw", 2, lambda guess: "recomputed") == 2


def test_an_expired_or_forgotten_count_is_the_guess_of_the_next():
    clock = Clock()
    memory = CountMemory(5, clock=clock)
    compute, guesses = counter([10, 11, 12])
    memory.count("demo:pw", "vm", compute)
    clock.now += 6
    memory.count("demo:pw", "vm", compute)
    memory.forget("demo:pw")
    assert memory.count("demo:pw", "vm", compute) == 12
    assert guesses == [None, 10, 11]


def test_a_remembered_count_below_what_a_page_saw_is_counted_again():
    memory = CountMemory(5, clock=Clock())
    memory.count("demo:pw", "vm", lambda guess: 10)
    assert memory.count("demo:pw", "vm", lambda guess: 10, at_least=10) == 10
    assert memory.count("demo:pw", "vm", lambda guess: (guess, 12), at_least=11) == (10, 12)


class Pool:
    """A pool of `size` objects answering windows of two, counting the windows asked."""

    def __init__(self, size):
        self.size = size
        self.windows = []

    def objects_at(self, position):
        assert position >= 0
        self.windows.append(position)
        return max(0, min(2, self.size - position))


@pytest.mark.parametrize("size", [0, 1, 2, 3, 63, 64, 65, 1000, 1001, 99_999, 100_000, 123_457])
@pytest.mark.parametrize("at_least", [0, 1, 1001])
def test_the_count_is_exact_from_any_lower_bound(size, at_least):
    if at_least > size:
        return
    pool = Pool(size)
    assert exact_count(pool.objects_at, at_least) == size
    assert len(pool.windows) <= 40


@pytest.mark.parametrize("size", [0, 1, 5, 99_990, 100_000, 100_003, 100_500, 250_000])
def test_the_count_is_exact_from_any_guess(size):
    pool = Pool(size)
    assert exact_count(pool.objects_at, 0, guess=100_000) == size


def test_a_right_guess_costs_one_window_and_a_near_one_a_few():
    right, near_above, near_below = Pool(100_000), Pool(100_003), Pool(99_998)
    assert exact_count(right.objects_at, 1001, guess=100_000) == 100_000
    assert exact_count(near_above.objects_at, 1001, guess=100_000) == 100_003
    assert exact_count(near_below.objects_at, 1001, guess=100_000) == 99_998
    assert (len(right.windows), len(near_above.windows) <= 6, len(near_below.windows) <= 6) == (
        1, True, True)


def test_a_hundred_thousand_objects_are_counted_in_a_few_dozen_windows():
    pool = Pool(100_000)
    assert exact_count(pool.objects_at, 1001) == 100_000
    assert len(pool.windows) <= 25
