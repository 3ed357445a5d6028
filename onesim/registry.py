"""Registration of XML-RPC methods, pool types and start-up hooks.

Handler modules register at import time; the emulator imports every module of the
`onesim` package (see `onesim.emulator.load_handler_modules`), so a new module plugs in by
existing. Nothing here knows about particular objects.
"""
from dataclasses import dataclass, field

from .errors import FAULT_TYPE, RpcFault

REQUIRED = object()


@dataclass(frozen=True)
class Param:
    """One positional XML-RPC parameter after the session string."""

    name: str
    kind: type
    default: object = REQUIRED

    def check(self, value):
        if self.kind is int and isinstance(value, int) and not isinstance(value, bool):
            return value
        if self.kind is bool and isinstance(value, bool):
            return value
        if self.kind is str and isinstance(value, str):
            return value
        if self.kind is list and isinstance(value, list):
            return value
        raise RpcFault(FAULT_TYPE, _TYPE_MESSAGES[self.kind])


_TYPE_MESSAGES = {
    int: "Parameter that is supposed to be integer is not",
    bool: "Parameter that is supposed to be boolean is not",
    str: "Parameter that is supposed to be a string is not",
    list: "Parameter that is supposed to be an array is not",
}


def Int(name, default=REQUIRED):
    return Param(name, int, default)


def Bool(name, default=REQUIRED):
    return Param(name, bool, default)


def Str(name, default=REQUIRED):
    return Param(name, str, default)


def Array(name, default=REQUIRED):
    return Param(name, list, default)


@dataclass(frozen=True)
class Method:
    name: str
    handler: object
    params: tuple
    authenticated: bool = True

    def bind(self, arguments):
        """Checked argument values, defaults filled in; RpcFault as xmlrpc-c would answer."""
        if len(arguments) > len(self.params):
            arguments = arguments[: len(self.params)]
        values = []
        for position, param in enumerate(self.params):
            if position < len(arguments):
                values.append(param.check(arguments[position]))
            elif param.default is REQUIRED:
                raise RpcFault(FAULT_TYPE, "Not enough parameters")
            else:
                values.append(param.default)
        return values


@dataclass
class PoolSpec:
    name: str
    object_class: type
    object_name: str
    first_id: int = 0


@dataclass
class Registry:
    methods: dict = field(default_factory=dict)
    pools: dict = field(default_factory=dict)
    start_hooks: list = field(default_factory=list)


REGISTRY = Registry()


def rpc(name, *params, authenticated=True):
    """Decorator: register `handler(call, *values)` as XML-RPC method `name`.

    `params` are the parameters after the session (Int/Bool/Str/Array, with defaults for
    the optional ones). The handler returns the success value or raises OneError.
    """
    def register(handler):
        REGISTRY.methods[name] = Method(name, handler, tuple(params), authenticated)
        return handler
    return register


def pool_type(name, object_name, first_id=0):
    """Class decorator: objects of this class live in pool `name` (e.g. "image")."""
    def register(object_class):
        REGISTRY.pools[name] = PoolSpec(name, object_class, object_name, first_id)
        object_class.pool_name = name
        object_class.object_name = object_name
        return object_class
    return register


def on_start(hook):
    """Register `hook(emulator)`, run once the store is loaded (e.g. to resume timers)."""
    REGISTRY.start_hooks.append(hook)
    return hook
