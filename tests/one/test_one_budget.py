"""A request's budget: one deadline over all its calls (undo calls get a grace), and one of
the process's slots, taken at the first call and given back at the end."""
import threading
import time

import pytest

from app.config import UNDO_GRACE_SECONDS
from app.errors import BackendTimeout, ServerBusy
from app.one.budget import CallSlots, RequestBudget, undo_grace


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


def budget(clock, slots=None, deadline=10.0, connect=3.0, read=30.0):
    return RequestBudget(slots or CallSlots(4, 0.01), deadline, connect, read, clock=clock)


def test_each_call_waits_at_most_the_time_left(clock):
    request = budget(clock)
    request.admit()
    assert request.timeouts() == (3.0, 10.0)
    clock.now += 8.5
    request.admit()
    assert request.timeouts() == (1.5, 1.5)
    assert not request.cut_short()


def test_no_call_starts_after_the_deadline(clock):
    request = budget(clock)
    clock.now += 10.0
    assert request.cut_short()
    with pytest.raises(BackendTimeout) as raised:
        request.admit()
    assert "deadline of 10 s" in raised.value.message


def test_undo_calls_may_run_a_grace_past_the_deadline(clock):
    request = budget(clock)
    clock.now += 10.5
    with undo_grace():
        request.admit()
        assert request.timeouts()[1] == pytest.approx(UNDO_GRACE_SECONDS - 0.5)
        clock.now += UNDO_GRACE_SECONDS
        with pytest.raises(BackendTimeout):
            request.admit()
    with pytest.raises(BackendTimeout):
        request.admit()


def test_a_request_keeps_its_slot_from_its_first_call_to_its_end(clock):
    slots = CallSlots(1, 0.01)
    first, second = budget(clock, slots), budget(clock, slots)
    first.admit()
    first.admit()            # the same request again: no second slot
    with pytest.raises(ServerBusy) as raised:
        second.admit()
    assert raised.value.retry_after >= 1
    first.end()
    second.admit()
    second.end()
    second.end()             # ending twice gives back one slot only
    budget(clock, slots).admit()


def test_a_request_waits_a_moment_for_a_slot(clock):
    slots = CallSlots(1, 5.0)
    first, second = budget(clock, slots), budget(clock, slots)
    first.admit()
    threading.Timer(0.05, first.end).start()
    second.admit()
    second.end()


def test_a_slot_given_back_goes_to_the_request_waiting_for_it_not_to_a_newcomer():
    slots = CallSlots(1, 5.0)
    order = []

    def waiter():
        slots.take()
        order.append("waiter")
        slots.give_back()

    slots.take()
    thread = threading.Thread(target=waiter)
    thread.start()
    time.sleep(0.1)                   # the waiter is waiting
    slots.give_back()
    slots.take()                      # a newcomer, arriving as the slot comes free
    order.append("newcomer")
    slots.give_back()
    thread.join(5)
    assert order == ["waiter", "newcomer"]


def test_a_refused_request_leaves_no_claim_on_a_slot():
    slots = CallSlots(1, 0.01)
    slots.take()
    with pytest.raises(ServerBusy):
        slots.take()
    slots.give_back()
    slots.take()                      # free again, not handed to the refused request
    slots.give_back()
    with pytest.raises(ValueError):
        slots.give_back()             # one more than was taken


def test_a_request_that_made_no_call_holds_no_slot(clock):
    slots = CallSlots(1, 0.01)
    budget(clock, slots).end()
    budget(clock, slots).admit()
