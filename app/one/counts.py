"""A short-lived, per-process memory of pool sizes.

OpenNebula has no count call: the size of a pool is only known by fetching all of it (18 MB
of short VM bodies at 10,000 VMs). A client paging through a collection asks for the same
`count` with every page, so each process remembers a count for a few seconds. Entries are
keyed by the whole session string's digest, never by the user name alone, so a count is
only ever served to a caller whose credentials produced it; and this process forgets a
user's counts as soon as it creates, changes or terminates one of the user's VMs. Other
processes (and other OpenNebula clients) are seen once an entry expires.
"""
import hashlib
import threading
import time
from collections import OrderedDict


class CountMemory:
    """Pool sizes by (session, question), each kept for `seconds` (0: never kept)."""

    def __init__(self, seconds, capacity=4096, clock=time.monotonic):
        self._seconds = seconds
        self._capacity = capacity
        self._clock = clock
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def count(self, session, question, compute):
        """The remembered count for `question` asked with `session`, else `compute()`."""
        if self._seconds <= 0:
            return compute()
        key = (_user(session), _digest(session), question)
        now = self._clock()
        with self._lock:
            remembered = self._entries.get(key)
            if remembered is not None and remembered[1] > now:
                return remembered[0]
        value = compute()
        with self._lock:
            self._entries[key] = (value, now + self._seconds)
            self._entries.move_to_end(key)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)
        return value

    def forget(self, session):
        """Drop every count of the session's user (any of its sessions)."""
        user = _user(session)
        with self._lock:
            for key in [key for key in self._entries if key[0] == user]:
                del self._entries[key]


def _user(session):
    return session.split(":", 1)[0]


def _digest(session):
    return hashlib.sha256(session.encode("utf-8", "surrogatepass")).hexdigest()
