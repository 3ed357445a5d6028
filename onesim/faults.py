"""Fault injection, like the dummy drivers' failure files, for tests only.

Reachable in process (`emulator.faults`) and, for a separate process, through the control
endpoint (`onesim.control`), which listens on its own loopback port and only accepts
oneadmin's session: a normal user session can never trigger a fault.
"""
import threading
from dataclasses import dataclass

DEFAULT_MESSAGE = "Injected failure."


@dataclass
class InjectedFailure:
    remaining: int
    code: int
    message: str


class Faults:
    def __init__(self):
        self._lock = threading.Lock()
        self._failures = {}
        self._delays = {}
        self._boot_failures = 0

    def fail_next(self, method, count, code, message=DEFAULT_MESSAGE):
        """The next `count` calls of `method` ("one.image.allocate") fail with `code`."""
        with self._lock:
            self._failures[method] = InjectedFailure(count, code, message)

    def delay(self, method, seconds):
        """Answer calls of `method` ("*" for all) `seconds` later; 0 removes the delay."""
        with self._lock:
            if seconds > 0:
                self._delays[method] = seconds
            else:
                self._delays.pop(method, None)

    def fail_boots(self, count):
        """The next `count` VM boots land in BOOT_FAILURE (consumed by the VM life-cycle)."""
        with self._lock:
            self._boot_failures = count

    def clear(self):
        with self._lock:
            self._failures.clear()
            self._delays.clear()
            self._boot_failures = 0

    def take_failure(self, method):
        """The injected failure for this call of `method`, if any (consumes one)."""
        with self._lock:
            failure = self._failures.get(method)
            if failure is None:
                return None
            failure.remaining -= 1
            if failure.remaining <= 0:
                del self._failures[method]
            return failure

    def take_boot_failure(self):
        """True if this VM boot must fail (consumes one)."""
        with self._lock:
            if self._boot_failures <= 0:
                return False
            self._boot_failures -= 1
            return True

    def delay_for(self, method):
        with self._lock:
            return self._delays.get(method, self._delays.get("*", 0))
