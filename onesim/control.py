"""The control endpoint (fault injection, bulk seeding, call counts): XML-RPC on its own loopback port.

Every method takes oneadmin's session first ("oneadmin:<password>" from
<data-dir>/one_auth) and answers oned-style envelopes. Methods:
  onesim.fail_next(session, method, count, code[, message])
  onesim.delay(session, method_or_star, seconds)
  onesim.fail_boots(session, count)
  onesim.reachable(session, reachable)
  onesim.clear(session)
  onesim.seed_vms(session, owner_session, template, count, running): the new VM IDs
      (onesim.bulk: many VMs at once, `running` of them RUNNING, the others on HOLD)
  onesim.calls(session): how many times each XML-RPC method was called, [[method, count]]
The port is written to <data-dir>/control.port.
"""
from . import wire
from .bulk import seed_vms
from .auth import ONEADMIN_UID, authenticate
from .errors import FAULT_NO_SUCH_METHOD, FAULT_TYPE, OneError, RpcFault, not_authorized
from .faults import DEFAULT_MESSAGE
from .server import RpcServer

CONTROL_PATH = "/CONTROL"


class ControlEndpoint:
    def __init__(self, emulator, endpoint, host, port=0):
        self.emulator = emulator
        self.endpoint = endpoint
        self.actions = {
            "onesim.fail_next": self.fail_next,
            "onesim.delay": emulator.faults.delay,
            "onesim.fail_boots": emulator.faults.fail_boots,
            "onesim.reachable": endpoint.set_reachable,
            "onesim.clear": self.clear,
            "onesim.seed_vms": lambda *arguments: seed_vms(emulator, *arguments),
            "onesim.calls": self.calls,
        }
        self.server = RpcServer(host, port, self.dispatch, rpc_path=CONTROL_PATH)
        self.server.start()
        self.port = self.server.port
        (emulator.data_dir / "control.port").write_text(f"{self.port}\n")

    @property
    def url(self):
        return f"http://{self.server.server_address[0]}:{self.port}{CONTROL_PATH}"

    def fail_next(self, method, count, code, message=DEFAULT_MESSAGE):
        self.emulator.faults.fail_next(method, count, code, message)

    def calls(self):
        """[[method, count], ...]: oned's wire format has arrays but no structs."""
        with self.emulator.lock:
            return sorted([method, count] for method, count in self.emulator.calls.items())

    def clear(self):
        self.emulator.faults.clear()
        self.endpoint.set_reachable(True)

    def dispatch(self, method, params):
        action = self.actions.get(method)
        if action is None:
            raise RpcFault(FAULT_NO_SUCH_METHOD, f"Method '{method}' not defined")
        if not params:
            raise RpcFault(FAULT_TYPE, "Not enough parameters")
        try:
            with self.emulator.transaction():
                caller = authenticate(self.emulator, params[0])
            if caller.uid != ONEADMIN_UID:
                raise not_authorized(caller.uid, "only oneadmin may inject faults")
        except OneError as error:
            return wire.failure(f"[{method}] {error.message}", error.code, -1)
        try:
            result = action(*params[1:])
        except TypeError as error:
            raise RpcFault(FAULT_TYPE, str(error)) from error
        except OneError as error:
            return wire.failure(f"[{method}] {error.message}", error.code, -1)
        return wire.success(0 if result is None else result)

    def stop(self):
        self.server.stop()
