"""What one request may spend on OpenNebula: time, and a place among the process's callers.

**One deadline per request.** An HTTP request's OpenNebula calls share one deadline, counted
from the moment the request is dispatched: each call waits at most the configured per-call read timeout or
the time left, whichever is smaller, and once the deadline has passed no further call starts
(504). Undoing what a failed request already did must still happen then, or it would leave
objects nobody was told about: calls made inside `undo_grace()` (`app.services.undo.
undone_on_failure` wraps every undo in it) may run `UNDO_GRACE_SECONDS` past the deadline.
gunicorn's worker timeout (`gunicorn.conf.py`) is above the deadline and this grace.

**A bounded number of requests in OpenNebula at once.** gunicorn's threaded workers serve
every request, those that need no OpenNebula call (Cloud Entry Point, ResourceMetadata)
included, from one pool of threads per process. If a slow oned method could hold all of
them, those requests would wait behind it. So each process lets at most `slots` requests
make OpenNebula calls at the same time, fewer than its threads: a request takes a slot at
its first call and keeps it to its end (a multi-call operation is never stopped halfway for
want of one), and a request that finds no slot free within `slot_wait` seconds is refused
with a 503 and `Retry-After` before it has changed anything. The threads above the slots
stay free for everything else.
"""
import collections
import contextlib
import contextvars
import threading
import time

from app.config import UNDO_GRACE_SECONDS
from app.errors import BackendTimeout, ServerBusy

# What a refused caller is told to wait before trying again (Retry-After, whole seconds).
RETRY_AFTER_SECONDS = 1

_undoing = contextvars.ContextVar("undoing", default=False)


@contextlib.contextmanager
def undo_grace():
    """Calls made inside may run up to UNDO_GRACE_SECONDS past the request's deadline."""
    token = _undoing.set(True)
    try:
        yield
    finally:
        _undoing.reset(token)


class CallSlots:
    """The process's places for requests that call OpenNebula.

    A slot given back goes straight to the request that has waited longest. With a plain
    semaphore a request arriving meanwhile could take the slot a waiter was woken for, and
    under steady load (16 clients on oned) a waiter was overtaken until its short wait ran
    out and was refused while slots kept coming free."""

    def __init__(self, slots, wait_seconds):
        self._slots = slots
        self._free = slots
        self._waiting = collections.deque()      # one Event per waiting request, oldest first
        self._lock = threading.Lock()
        self._wait_seconds = wait_seconds

    def take(self):
        with self._lock:
            if self._free:
                self._free -= 1
                return
            turn = threading.Event()
            self._waiting.append(turn)
        if turn.wait(self._wait_seconds):
            return
        with self._lock:
            if turn.is_set():        # handed over as the wait ran out
                return
            self._waiting.remove(turn)
        raise ServerBusy("The server is busy with other requests to OpenNebula; try again "
                         "shortly.", retry_after=RETRY_AFTER_SECONDS)

    def give_back(self):
        with self._lock:
            if self._waiting:
                self._waiting.popleft().set()
                return
            if self._free >= self._slots:
                raise ValueError("a slot was given back that was not taken")
            self._free += 1


class CallTimeouts:
    """Calls made outside any HTTP request (the admin command): the per-call timeouts, no
    deadline, no slot. The interface `app.one.gateway.Gateway` expects of a budget."""

    def __init__(self, connect_timeout, read_timeout):
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout

    def admit(self):
        """Before each call: raises a domain error when the call may not be made."""

    def timeouts(self):
        """(connect, read) timeouts for the call about to be sent."""
        return self._connect_timeout, self._read_timeout

    def cut_short(self):
        """Whether a call that timed out was cut by a deadline rather than its own timeout."""
        return False

    def end(self):
        """After the last call."""


class RequestBudget(CallTimeouts):
    """One HTTP request's deadline and slot; `end()` gives the slot back."""

    def __init__(self, slots, deadline_seconds, connect_timeout, read_timeout,
                 clock=time.monotonic):
        super().__init__(connect_timeout, read_timeout)
        self._slots = slots
        self._deadline_seconds = deadline_seconds
        self._deadline = clock() + deadline_seconds
        self._clock = clock
        self._holds_slot = False

    def admit(self):
        """The slot (taken at the first call), and time left, or a domain error."""
        if self._time_left() <= 0:
            raise self.expired()
        if not self._holds_slot:
            self._slots.take()
            self._holds_slot = True

    def timeouts(self):
        left = max(self._time_left(), 0.001)
        return min(self._connect_timeout, left), min(self._read_timeout, left)

    def cut_short(self):
        return self._time_left() <= 0

    def expired(self):
        return BackendTimeout(f"The request did not complete within its deadline of "
                              f"{self._deadline_seconds:g} s; what OpenNebula was asked may "
                              "still complete.")

    def end(self):
        if self._holds_slot:
            self._holds_slot = False
            self._slots.give_back()

    def _time_left(self):
        grace = UNDO_GRACE_SECONDS if _undoing.get() else 0.0
        return self._deadline + grace - self._clock()
