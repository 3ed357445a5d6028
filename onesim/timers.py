"""One thread running delayed callbacks (life-cycle steps), scaled by the speed factor.

`Timers.after(seconds, callback)` runs `callback()` inside `emulator.transaction()` once
`seconds / speed` have passed. Callbacks must look objects up again (they may be gone).
"""
import heapq
import itertools
import logging
import threading
import time

log = logging.getLogger("onesim")


class Timers:
    def __init__(self, emulator, speed):
        self.emulator = emulator
        self.speed = speed
        self.queue = []
        self.sequence = itertools.count()
        self.condition = threading.Condition()
        self.stopped = False
        self.thread = threading.Thread(target=self._run, name="onesim-timers", daemon=True)
        self.thread.start()

    def after(self, seconds, callback):
        due = time.monotonic() + seconds / self.speed
        with self.condition:
            heapq.heappush(self.queue, (due, next(self.sequence), callback))
            self.condition.notify()

    def stop(self):
        with self.condition:
            self.stopped = True
            self.condition.notify()
        self.thread.join(timeout=5)

    def _next_due(self):
        with self.condition:
            while not self.stopped:
                if self.queue:
                    wait = self.queue[0][0] - time.monotonic()
                    if wait <= 0:
                        return heapq.heappop(self.queue)[2]
                    self.condition.wait(wait)
                else:
                    self.condition.wait()
            return None

    def _run(self):
        while True:
            callback = self._next_due()
            if callback is None:
                return
            try:
                with self.emulator.transaction():
                    callback()
            except Exception:
                log.exception("timer callback failed")
