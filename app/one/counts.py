"""Counting a pool exactly without fetching it, and a short-lived, per-process memory of
pool sizes.

OpenNebula has no count call, and a whole pool is expensive: 180 MB of short VM bodies at
100,000 VMs, more memory than a worker may use to parse. But a pool window of two objects
at a position (`start=position, end=-2`) tells whether the pool reaches past it, so the
size is found by searching positions (`exact_count`): about two dozen windows of two
objects when nothing is known, one when a remembered size is still right.

A client paging through a collection asks for the same `count` with every page, so each
process remembers a count for a few seconds, and afterwards keeps it as the first guess of
the next search. Entries are keyed by the whole session string's digest, never by the user
name alone, so a count (or a guess) is only ever used for a caller whose credentials
produced it; and this process searches again for a user's counts as soon as it creates,
changes or terminates one of the user's VMs. Other processes (and other OpenNebula clients)
are seen once an entry expires.
"""
import hashlib
import threading
import time
from collections import OrderedDict

# The first step of a search that starts from a guess: a pool that changed since is most
# often a few objects larger or smaller.
_NEAR_GUESS_STEP = 8
# The first step of a search that starts from nothing but a lower bound.
_FIRST_STEP = 64


def exact_count(objects_at, at_least=0, guess=None):
    """The number of objects in a pool in which `objects_at(position)` is how many objects
    (0, 1 or 2) sit at `position` and the next one, and at least `at_least` objects are known
    to be. The size is the first empty position: a window answering one object ends the
    search, none or two halve (or, before an upper bound is known, double) the interval.
    `guess` (a remembered size) is tried first, then its neighbourhood."""
    low, high = at_least, None                  # low <= size <= high (None: unbounded)
    candidate = guess if guess is not None and guess > at_least else None
    step = _NEAR_GUESS_STEP if candidate is not None else max(at_least, _FIRST_STEP)
    galloping_down = candidate is not None
    while high is None or low < high:
        if candidate is None:
            if high is None:
                candidate = low + step
            elif galloping_down and high - step > low:
                candidate = high - step
            else:
                candidate, galloping_down = (low + high + 1) // 2, False
            step *= 2
        found = objects_at(candidate - 1)
        if found == 1:
            return candidate
        if found == 0:
            high = candidate - 1
        else:
            low, galloping_down = candidate + 1, False
        candidate = None
    return low


class CountMemory:
    """Pool sizes by (session, question), each kept for `seconds` (0: never kept), then
    offered as the guess of the next search."""

    def __init__(self, seconds, capacity=4096, clock=time.monotonic):
        self._seconds = seconds
        self._capacity = capacity
        self._clock = clock
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def count(self, session, question, compute, at_least=0):
        """The remembered count for `question` asked with `session` unless it is below
        `at_least` (the pool has grown since), else `compute(guess)`, `guess` being the count
        last remembered for it (None: none)."""
        key = (_user(session), _digest(session), question)
        now = self._clock()
        with self._lock:
            remembered = self._entries.get(key)
        if remembered is not None and remembered[1] > now and remembered[0] >= at_least:
            return remembered[0]
        value = compute(remembered[0] if remembered is not None else None)
        with self._lock:
            self._entries[key] = (value, now + self._seconds)
            self._entries.move_to_end(key)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)
        return value

    def forget(self, session):
        """Let every count of the session's user (any of its sessions) expire: the next one
        is searched again, the last one only guessed."""
        user = _user(session)
        with self._lock:
            for key, (value, _) in list(self._entries.items()):
                if key[0] == user:
                    self._entries[key] = (value, float("-inf"))


def _user(session):
    return session.split(":", 1)[0]


def _digest(session):
    return hashlib.sha256(session.encode("utf-8", "surrogatepass")).hexdigest()
