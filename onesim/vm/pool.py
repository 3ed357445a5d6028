"""one.vmpool.info, infoextended and infoset (VirtualMachinePoolAPI.cc, PoolSharedAPI.cc).

Every VM keeps both of its pool bodies rendered, so a pool answer only filters, pages
and concatenates cached strings.
"""
from .. import auth
from ..errors import INTERNAL, OneError, api_error
from ..registry import Bool, Int, Str, rpc
from .states import VmState

ANY_STATE = -2
ANY_BUT_DONE = -1
HIGHEST_STATE = 11


def _selected(call, filter_flag, start, end, state, kv_filter):
    if state < ANY_STATE or state > HIGHEST_STATE:
        raise api_error("Incorrect state filter")
    if kv_filter:
        raise OneError(INTERNAL, "JSON query search is not supported by the SQL backend")
    return auth.select(call.caller, call.pool("vm"), filter_flag, start, end,
                       keep=_in_state(state))


def _in_state(state):
    if state == ANY_BUT_DONE:
        return lambda vm: vm.state != VmState.DONE
    if state == ANY_STATE:
        return None
    return lambda vm: vm.state == state


def _document(vms, extended):
    body = "".join(vm.xml if extended else vm.short_xml for vm in vms)
    return f"<VM_POOL>{body}</VM_POOL>"


@rpc("one.vmpool.info", Int("filter"), Int("start"), Int("end"), Int("state"), Str("kv_filter", ""))
def vmpool_info(call, filter_flag, start, end, state, kv_filter):
    return _document(_selected(call, filter_flag, start, end, state, kv_filter), extended=False)


@rpc("one.vmpool.infoextended", Int("filter"), Int("start"), Int("end"), Int("state"), Str("kv_filter", ""))
def vmpool_infoextended(call, filter_flag, start, end, state, kv_filter):
    return _document(_selected(call, filter_flag, start, end, state, kv_filter), extended=True)


@rpc("one.vmpool.infoset", Str("ids"), Bool("extended", False))
def vmpool_infoset(call, ids, extended):
    try:
        wanted = {int(part) for part in ids.split(",") if part.strip()}
    except ValueError as error:
        raise api_error("Wrong list of VM ids.") from error
    vms = [vm for vm in auth.visible(call.caller, call.pool("vm").values()) if vm.id in wanted]
    return _document(auth.page(vms), extended)
