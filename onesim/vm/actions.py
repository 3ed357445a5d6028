"""What each VM operation may do in each state, and the path it takes: data, not code.

Every entry of OPERATIONS maps a starting position (STATE, LCM_STATE) to a Route: the
positions the VM walks through. The first position is taken when the call is accepted;
each following one when the (dummy) driver answers, a moment later. An empty path accepts
the call without moving the VM. Sources: DispatchManagerActions.cc and
VirtualMachineAPI.cc of OpenNebula 7.0 (see shared/reference/opennebula.md §2.3).
"""
from dataclasses import dataclass
from enum import IntEnum

from ..errors import ACTION, INTERNAL
from .states import FAILURE_STATES, LcmState as L, VmState as S


class HistoryAction(IntEnum):
    """Numbers stored in HISTORY/ACTION (include/VMActions.h)."""

    NONE = 0
    MIGRATE = 1
    LIVE_MIGRATE = 2
    UNDEPLOY = 5
    UNDEPLOY_HARD = 6
    HOLD = 7
    RELEASE = 8
    STOP = 9
    SUSPEND = 10
    RESUME = 11
    DELETE = 13
    DELETE_RECREATE = 14
    REBOOT = 15
    REBOOT_HARD = 16
    RESCHED = 17
    UNRESCHED = 18
    POWEROFF = 19
    POWEROFF_HARD = 20
    DISK_ATTACH = 21
    DISK_DETACH = 22
    NIC_ATTACH = 23
    NIC_DETACH = 24
    DISK_SNAPSHOT_CREATE = 25
    DISK_SNAPSHOT_DELETE = 26
    TERMINATE = 27
    TERMINATE_HARD = 28
    DISK_RESIZE = 29
    DEPLOY = 30
    RESIZE = 35
    SNAPSHOT_CREATE = 37
    SNAPSHOT_DELETE = 38
    SNAPSHOT_REVERT = 39
    DISK_SAVEAS = 40
    DISK_SNAPSHOT_REVERT = 41
    RECOVER = 42


def at(state, lcm_state=L.LCM_INIT):
    return (S(state), L(lcm_state))


RUNNING = at(S.ACTIVE, L.RUNNING)
UNKNOWN = at(S.ACTIVE, L.UNKNOWN)
PENDING = at(S.PENDING)
HOLD = at(S.HOLD)
POWEROFF = at(S.POWEROFF)
SUSPENDED = at(S.SUSPENDED)
STOPPED = at(S.STOPPED)
UNDEPLOYED = at(S.UNDEPLOYED)
DONE = at(S.DONE)
CLONING = at(S.CLONING)
NOT_DEPLOYED = (at(S.INIT), PENDING, HOLD, CLONING, at(S.CLONING_FAILURE))
FAILED = tuple(at(S.ACTIVE, lcm) for lcm in sorted(FAILURE_STATES))


def active(*lcm_states):
    return tuple(at(S.ACTIVE, lcm) for lcm in lcm_states)


@dataclass(frozen=True)
class Route:
    path: tuple = ()
    # Leaving POWEROFF, SUSPENDED or UNKNOWN boots the VM again: oned closes the current
    # history record and opens a copy of it (VirtualMachine::cp_history).
    new_history: bool = False


@dataclass(frozen=True)
class Operation:
    name: str
    history_action: HistoryAction
    routes: dict
    refusal: str
    refusal_code: int = ACTION
    # close_cp_history: the current record is closed with this action and a copy opened.
    closes_history: bool = False
    # Whether accepting the call records the action in the current history record.
    records_action: bool = True
    # RESCHED flag left by the call: True/False to set it, None to keep it.
    resched: object = None

    def route(self, position):
        return self.routes.get(position)


def _routes(*pairs):
    """{position: route} from (start, route) pairs; a start is one position or a tuple of them."""
    routes = {}
    for starts, route in pairs:
        many = isinstance(starts[0], tuple)
        for start in starts if many else (starts,):
            routes[start] = route
    return routes


_NOT_AVAILABLE = 'Error performing action "{name}": This action is not available for state {state}'

_TERMINATE = (
    ((RUNNING, UNKNOWN), Route(active(L.SHUTDOWN, L.EPILOG) + (DONE,))),
    ((POWEROFF, SUSPENDED, STOPPED, UNDEPLOYED), Route(active(L.EPILOG) + (DONE,))),
    (NOT_DEPLOYED, Route((DONE,))),
    (FAILED, Route(active(L.CLEANUP_DELETE) + (DONE,))),
    (DONE, Route()),
)


def _vm_actions():
    shutdown_undeploy = Route(active(L.SHUTDOWN_UNDEPLOY, L.EPILOG_UNDEPLOY) + (UNDEPLOYED,))
    undeploy = (
        ((RUNNING, UNKNOWN), shutdown_undeploy),
        (POWEROFF, Route(active(L.EPILOG_UNDEPLOY) + (UNDEPLOYED,))),
    )
    poweroff = ((RUNNING, UNKNOWN), Route(active(L.SHUTDOWN_POWEROFF) + (POWEROFF,)))
    reboot = ((RUNNING,), Route())
    resched = ((POWEROFF, RUNNING, UNKNOWN), Route())
    table = (
        Operation("terminate", HistoryAction.TERMINATE, _routes(*_TERMINATE),
                  'Error performing action "{name}": Could not terminate VM {id}, wrong state {state}.'),
        Operation("terminate-hard", HistoryAction.TERMINATE_HARD,
                  _routes(*_TERMINATE, (active(L.SHUTDOWN), Route(active(L.SHUTDOWN, L.EPILOG) + (DONE,)))),
                  'Error performing action "{name}": Could not terminate VM {id}, wrong state {state}.'),
        Operation("undeploy", HistoryAction.UNDEPLOY, _routes(*undeploy), _NOT_AVAILABLE),
        Operation("undeploy-hard", HistoryAction.UNDEPLOY_HARD,
                  _routes(*undeploy, (active(L.SHUTDOWN_UNDEPLOY), shutdown_undeploy)), _NOT_AVAILABLE),
        Operation("poweroff", HistoryAction.POWEROFF, _routes(poweroff), _NOT_AVAILABLE),
        Operation("poweroff-hard", HistoryAction.POWEROFF_HARD,
                  _routes(poweroff, (active(L.SHUTDOWN_POWEROFF),
                                     Route(active(L.SHUTDOWN_POWEROFF) + (POWEROFF,)))),
                  _NOT_AVAILABLE),
        Operation("reboot", HistoryAction.REBOOT, _routes(reboot), _NOT_AVAILABLE, resched=False),
        Operation("reboot-hard", HistoryAction.REBOOT_HARD, _routes(reboot), _NOT_AVAILABLE, resched=False),
        Operation("hold", HistoryAction.HOLD, _routes((PENDING, Route((HOLD,)))), _NOT_AVAILABLE,
                  records_action=False),
        Operation("release", HistoryAction.RELEASE, _routes((HOLD, Route((PENDING,)))), _NOT_AVAILABLE,
                  records_action=False),
        Operation("stop", HistoryAction.STOP, _routes(
            (RUNNING, Route(active(L.SAVE_STOP, L.EPILOG_STOP) + (STOPPED,))),
            (SUSPENDED, Route(active(L.EPILOG_STOP) + (STOPPED,)))), _NOT_AVAILABLE),
        Operation("suspend", HistoryAction.SUSPEND, _routes(
            (RUNNING, Route(active(L.SAVE_SUSPEND) + (SUSPENDED,)))), _NOT_AVAILABLE),
        Operation("resume", HistoryAction.RESUME, _routes(
            ((STOPPED, UNDEPLOYED), Route((PENDING,))),
            (SUSPENDED, Route(active(L.BOOT_SUSPENDED, L.RUNNING), new_history=True)),
            (POWEROFF, Route(active(L.BOOT_POWEROFF, L.RUNNING), new_history=True)),
            (UNKNOWN, Route(active(L.BOOT_UNKNOWN, L.RUNNING), new_history=True))), _NOT_AVAILABLE,
                  records_action=False),
        Operation("resched", HistoryAction.RESCHED, _routes(resched), _NOT_AVAILABLE,
                  records_action=False, resched=True),
        Operation("unresched", HistoryAction.UNRESCHED, _routes(resched), _NOT_AVAILABLE,
                  records_action=False, resched=False),
    )
    return {operation.name: operation for operation in table}


VM_ACTIONS = _vm_actions()

# Actions that need VM:ADMIN instead of VM:MANAGE (api.rst, "Authorization Requests Reference").
ADMIN_ACTIONS = frozenset({"resched", "unresched"})


def _hotplug(lcm_running, lcm_poweroff=None):
    pairs = [(RUNNING, Route(active(lcm_running) + (RUNNING,)))]
    if lcm_poweroff is not None:
        pairs.append((POWEROFF, Route(active(lcm_poweroff) + (POWEROFF,))))
    return pairs


# With KEEP_SNAPSHOTS a powered-off VM keeps its system snapshots, and oned lets one be
# deleted there (DispatchManager::snapshot_delete): STATE stays POWEROFF while LCM_STATE
# passes HOTPLUG_SNAPSHOT. (oned then leaves LCM_STATE at RUNNING under POWEROFF; onesim
# comes back to POWEROFF's LCM_INIT, the position its tables know.)
KEPT_SNAPSHOT_DELETE = Route((at(S.POWEROFF, L.HOTPLUG_SNAPSHOT), POWEROFF))

OPERATIONS = {operation.name: operation for operation in (
    Operation("disk-attach", HistoryAction.DISK_ATTACH,
              _routes(*_hotplug(L.HOTPLUG, L.HOTPLUG_PROLOG_POWEROFF)),
              "Could not attach a new disk to VM {id}, wrong state {state}.",
              closes_history=True, resched=False),
    Operation("disk-detach", HistoryAction.DISK_DETACH,
              _routes(*_hotplug(L.HOTPLUG, L.HOTPLUG_EPILOG_POWEROFF)),
              "Could not detach disk from VM {id}, wrong state {state}.",
              closes_history=True, resched=False),
    # The dummy driver does no cold NIC hot-plug: in POWEROFF the change is immediate.
    Operation("nic-attach", HistoryAction.NIC_ATTACH,
              _routes((RUNNING, Route(active(L.HOTPLUG_NIC) + (RUNNING,))), (POWEROFF, Route())),
              "Could not add a new NIC to VM {id}, wrong state {state}.",
              closes_history=True, resched=False),
    Operation("nic-detach", HistoryAction.NIC_DETACH,
              _routes((RUNNING, Route(active(L.HOTPLUG_NIC) + (RUNNING,))), (POWEROFF, Route())),
              "Could not detach NIC from VM {id}, wrong state {state}.",
              closes_history=True),
    Operation("disk-saveas", HistoryAction.DISK_SAVEAS, _routes(
        (RUNNING, Route(active(L.HOTPLUG_SAVEAS) + (RUNNING,))),
        (POWEROFF, Route(active(L.HOTPLUG_SAVEAS_POWEROFF) + (POWEROFF,))),
        (SUSPENDED, Route(active(L.HOTPLUG_SAVEAS_SUSPENDED) + (SUSPENDED,))),
        (UNDEPLOYED, Route(active(L.HOTPLUG_SAVEAS_UNDEPLOYED) + (UNDEPLOYED,))),
        (STOPPED, Route(active(L.HOTPLUG_SAVEAS_STOPPED) + (STOPPED,)))),
        "VM has to be RUNNING, POWEROFF or SUSPENDED to save disks.",
        refusal_code=INTERNAL, records_action=False),
    Operation("disk-snapshot-create", HistoryAction.DISK_SNAPSHOT_CREATE, _routes(
        (POWEROFF, Route(active(L.DISK_SNAPSHOT_POWEROFF) + (POWEROFF,))),
        (SUSPENDED, Route(active(L.DISK_SNAPSHOT_SUSPENDED) + (SUSPENDED,))),
        (RUNNING, Route(active(L.DISK_SNAPSHOT) + (RUNNING,)))),
        "Could not create a new snapshot for VM {id}, wrong state {state}.", closes_history=True),
    Operation("disk-snapshot-revert", HistoryAction.DISK_SNAPSHOT_REVERT, _routes(
        (POWEROFF, Route(active(L.DISK_SNAPSHOT_REVERT_POWEROFF) + (POWEROFF,)))),
        "Could not revert to disk snapshot for VM {id}, wrong state {state}.", closes_history=True),
    Operation("disk-snapshot-delete", HistoryAction.DISK_SNAPSHOT_DELETE, _routes(
        (POWEROFF, Route(active(L.DISK_SNAPSHOT_DELETE_POWEROFF) + (POWEROFF,))),
        (SUSPENDED, Route(active(L.DISK_SNAPSHOT_DELETE_SUSPENDED) + (SUSPENDED,))),
        (RUNNING, Route(active(L.DISK_SNAPSHOT_DELETE) + (RUNNING,)))),
        "Could not delete disk snapshot from VM {id}, wrong state {state}.", closes_history=True),
    Operation("disk-resize", HistoryAction.DISK_RESIZE, _routes(
        (POWEROFF, Route(active(L.DISK_RESIZE_POWEROFF) + (POWEROFF,))),
        (UNDEPLOYED, Route(active(L.DISK_RESIZE_UNDEPLOYED) + (UNDEPLOYED,))),
        (RUNNING, Route(active(L.DISK_RESIZE) + (RUNNING,)))),
        "Could not resize disk for VM {id}, wrong state {state}.", closes_history=True),
    Operation("snapshot-create", HistoryAction.SNAPSHOT_CREATE,
              _routes(*_hotplug(L.HOTPLUG_SNAPSHOT)),
              "Could not create a new snapshot for VM {id}, wrong state {state}.",
              records_action=False, resched=False),
    Operation("snapshot-revert", HistoryAction.SNAPSHOT_REVERT,
              _routes(*_hotplug(L.HOTPLUG_SNAPSHOT)),
              "Could not revert VM {id} to snapshot {snapshot}, wrong state {state}.",
              records_action=False, resched=False),
    Operation("snapshot-delete", HistoryAction.SNAPSHOT_DELETE,
              _routes(*_hotplug(L.HOTPLUG_SNAPSHOT)),
              "Could not delete snapshot {snapshot} for VM {id}, wrong state {state}.",
              records_action=False, resched=False),
    # The dummy VM_MAD has no LIVE_RESIZE, so a running VM cannot be resized.
    Operation("resize", HistoryAction.RESIZE,
              _routes((NOT_DEPLOYED + (POWEROFF, UNDEPLOYED), Route())),
              "Cannot resize a VM in state {state}", records_action=False),
)}
