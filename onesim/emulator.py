"""The emulator: pools, store, lock, timers, fault injection and the call dispatcher.

`Emulator.dispatch(method, params)` is the whole XML-RPC semantics: it authenticates the
session, checks and defaults the arguments, runs the handler inside a transaction and
returns oned's envelope (or raises RpcFault for an XML-RPC fault).
"""
import contextlib
import importlib
import pkgutil
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from . import wire
from .auth import authenticate
from .errors import FAULT_NO_SUCH_METHOD, FAULT_TYPE, OneError, RpcFault
from .faults import Faults
from .hypervisor import Hypervisor
from .registry import REGISTRY
from .store import Pool, Store
from .timers import Timers

VERSION = "7.0.2"
DATABASE_FILE = "onesim.db"
_NOT_HANDLER_MODULES = {"onesim.__main__", "onesim.testing"}


def load_handler_modules():
    """Import every module of the package so that all methods and pools are registered."""
    package = importlib.import_module("onesim")
    for module in pkgutil.walk_packages(package.__path__, "onesim."):
        if module.name not in _NOT_HANDLER_MODULES:
            importlib.import_module(module.name)


@dataclass
class Call:
    """What a handler gets first: the emulator, the authenticated caller, the method name."""

    emulator: object
    caller: object
    method: str

    def pool(self, name):
        return self.emulator.pool(name)


class Emulator:
    def __init__(self, data_dir, speed=1.0, hypervisor=Hypervisor()):
        load_handler_modules()
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.speed = speed
        self.hypervisor = hypervisor
        self.lock = threading.RLock()
        self.faults = Faults()
        # Calls answered per XML-RPC method since start: how a benchmark counts the calls a
        # client made without trusting the client's own count.
        self.calls = Counter()
        self.store = Store(self.data_dir / DATABASE_FILE)
        self.pools = {name: Pool(self.store, spec) for name, spec in REGISTRY.pools.items()}
        for pool in self.pools.values():
            pool.load()
        for pool in self.pools.values():
            pool.render_all()
        self.timers = Timers(self, speed)
        # What a failing call leaves behind although its writes are undone (`keep_if_failed`).
        self._kept_if_failed = []

    def start(self):
        """Run the start-up hooks (seeding is done before; timers resume here)."""
        with self.transaction():
            for hook in REGISTRY.start_hooks:
                hook(self)

    def close(self):
        self.timers.stop()
        with self.lock:
            self.store.close()

    def pool(self, name):
        return self.pools[name]

    @contextlib.contextmanager
    def transaction(self):
        """Hold the emulator lock; commit the store on success, roll back on error.

        Handlers check everything before they change objects, so a failing call normally
        has nothing to undo; if it did write, the pools it wrote are reloaded from disk, and
        then what it asked to keep if it failed is done and committed.
        """
        with self.lock:
            try:
                yield
            except BaseException:
                self._roll_back()
                raise
            self._kept_if_failed = []
            self.store.commit()

    def keep_if_failed(self, action):
        """Run `action()` after the writes of the current call are undone, should it fail:
        what oned keeps of a call that fails halfway (it undoes such a call step by step,
        and some steps leave a trace)."""
        self._kept_if_failed.append(action)

    def _roll_back(self):
        touched = self.store.rollback()
        for name in touched:
            self.pools[name].load()
        for name in touched:
            self.pools[name].render_all()
        kept, self._kept_if_failed = self._kept_if_failed, []
        for action in kept:
            action()
        self.store.commit()

    def after(self, seconds, callback):
        """Run `callback()` in a transaction `seconds` (scaled by the speed factor) from now."""
        self.timers.after(seconds, callback)

    def dispatch(self, method_name, params):
        """oned's envelope for one call, or RpcFault."""
        method = REGISTRY.methods.get(method_name)
        if method is None:
            raise RpcFault(FAULT_NO_SUCH_METHOD, f"Method '{method_name}' not defined")
        if not params:
            raise RpcFault(FAULT_TYPE, "Not enough parameters")
        session, arguments = params[0], params[1:]
        if not isinstance(session, str):
            raise RpcFault(FAULT_TYPE, "Parameter that is supposed to be a string is not")
        try:
            with self.transaction():
                self.calls[method_name] += 1
                caller = authenticate(self, session)
                # oned reads the other parameters only once the session is authenticated.
                values = method.bind(arguments)
                injected = self.faults.take_failure(method_name)
                if injected is not None:
                    raise OneError(injected.code, injected.message)
                value = method.handler(Call(self, caller, method_name), *values)
        except OneError as error:
            return wire.failure(f"[{method_name}] {error.message}", error.code, error.object_id)
        return wire.success(value)

    def call(self, method_name, session, *arguments):
        """Dispatch in process: the envelope as a list (tests, tools)."""
        return self.dispatch(method_name, [session, *arguments])
