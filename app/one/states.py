"""OpenNebula state and action tables, as data, and the lookups the services use.

Numbers come from OpenNebula 7.0 (`include/VirtualMachine.h`, `include/Image.h`); the legal
states of each action from `DispatchManagerActions.cc` (reference notes §2.3). pyone's enums
are not used: its LCM enum stops at 68 and its image types are misnumbered.

CIMI Machine states for OpenNebula's transient states follow one rule: a hot-plug, resize,
disk snapshot or backup keeps the state of the machine underneath (a running machine that
gets a disk attached is STARTED, a powered-off one STOPPED); saving a disk as an image is
CAPTURING; reverting a snapshot or restoring a backup is RESTORING; migrations of a running
machine stay STARTED. Failures and UNKNOWN are ERROR; DONE is DELETED.
"""
from dataclasses import dataclass
from functools import cache

VM_STATES = {
    0: "INIT", 1: "PENDING", 2: "HOLD", 3: "ACTIVE", 4: "STOPPED", 5: "SUSPENDED",
    6: "DONE", 7: "FAILED", 8: "POWEROFF", 9: "UNDEPLOYED", 10: "CLONING",
    11: "CLONING_FAILURE",
}
STATE_NUMBERS = {name: number for number, name in VM_STATES.items()}
ACTIVE = STATE_NUMBERS["ACTIVE"]
DONE = STATE_NUMBERS["DONE"]

# 13, 14, 55 and 58 were removed from OpenNebula and are never reported.
LCM_STATES = {
    0: "LCM_INIT", 1: "PROLOG", 2: "BOOT", 3: "RUNNING", 4: "MIGRATE", 5: "SAVE_STOP",
    6: "SAVE_SUSPEND", 7: "SAVE_MIGRATE", 8: "PROLOG_MIGRATE", 9: "PROLOG_RESUME",
    10: "EPILOG_STOP", 11: "EPILOG", 12: "SHUTDOWN", 15: "CLEANUP_RESUBMIT", 16: "UNKNOWN",
    17: "HOTPLUG", 18: "SHUTDOWN_POWEROFF", 19: "BOOT_UNKNOWN", 20: "BOOT_POWEROFF",
    21: "BOOT_SUSPENDED", 22: "BOOT_STOPPED", 23: "CLEANUP_DELETE", 24: "HOTPLUG_SNAPSHOT",
    25: "HOTPLUG_NIC", 26: "HOTPLUG_SAVEAS", 27: "HOTPLUG_SAVEAS_POWEROFF",
    28: "HOTPLUG_SAVEAS_SUSPENDED", 29: "SHUTDOWN_UNDEPLOY", 30: "EPILOG_UNDEPLOY",
    31: "PROLOG_UNDEPLOY", 32: "BOOT_UNDEPLOY", 33: "HOTPLUG_PROLOG_POWEROFF",
    34: "HOTPLUG_EPILOG_POWEROFF", 35: "BOOT_MIGRATE", 36: "BOOT_FAILURE",
    37: "BOOT_MIGRATE_FAILURE", 38: "PROLOG_MIGRATE_FAILURE", 39: "PROLOG_FAILURE",
    40: "EPILOG_FAILURE", 41: "EPILOG_STOP_FAILURE", 42: "EPILOG_UNDEPLOY_FAILURE",
    43: "PROLOG_MIGRATE_POWEROFF", 44: "PROLOG_MIGRATE_POWEROFF_FAILURE",
    45: "PROLOG_MIGRATE_SUSPEND", 46: "PROLOG_MIGRATE_SUSPEND_FAILURE",
    47: "BOOT_UNDEPLOY_FAILURE", 48: "BOOT_STOPPED_FAILURE", 49: "PROLOG_RESUME_FAILURE",
    50: "PROLOG_UNDEPLOY_FAILURE", 51: "DISK_SNAPSHOT_POWEROFF",
    52: "DISK_SNAPSHOT_REVERT_POWEROFF", 53: "DISK_SNAPSHOT_DELETE_POWEROFF",
    54: "DISK_SNAPSHOT_SUSPENDED", 56: "DISK_SNAPSHOT_DELETE_SUSPENDED", 57: "DISK_SNAPSHOT",
    59: "DISK_SNAPSHOT_DELETE", 60: "PROLOG_MIGRATE_UNKNOWN",
    61: "PROLOG_MIGRATE_UNKNOWN_FAILURE", 62: "DISK_RESIZE", 63: "DISK_RESIZE_POWEROFF",
    64: "DISK_RESIZE_UNDEPLOYED", 65: "HOTPLUG_NIC_POWEROFF", 66: "HOTPLUG_RESIZE",
    67: "HOTPLUG_SAVEAS_UNDEPLOYED", 68: "HOTPLUG_SAVEAS_STOPPED", 69: "BACKUP",
    70: "BACKUP_POWEROFF", 71: "RESTORE",
}
LCM_NUMBERS = {name: number for number, name in LCM_STATES.items()}

# CIMI Machine state of a VM whose STATE is not ACTIVE.
MACHINE_STATE_BY_STATE = {
    "INIT": "CREATING",
    "PENDING": "CREATING",
    "HOLD": "STOPPED",
    "STOPPED": "STOPPED",
    "SUSPENDED": "SUSPENDED",
    "DONE": "DELETED",
    "FAILED": "ERROR",
    "POWEROFF": "STOPPED",
    "UNDEPLOYED": "STOPPED",
    "CLONING": "CREATING",
    "CLONING_FAILURE": "ERROR",
}

# CIMI Machine state of an ACTIVE VM, by LCM_STATE.
MACHINE_STATE_BY_LCM = {
    "LCM_INIT": "CREATING",
    "PROLOG": "CREATING",
    "BOOT": "CREATING",
    "RUNNING": "STARTED",
    "MIGRATE": "STARTED",
    "SAVE_STOP": "STOPPING",
    "SAVE_SUSPEND": "SUSPENDING",
    "SAVE_MIGRATE": "STARTED",
    "PROLOG_MIGRATE": "STARTED",
    "PROLOG_RESUME": "STARTING",
    "EPILOG_STOP": "STOPPING",
    "EPILOG": "DELETING",
    "SHUTDOWN": "DELETING",
    # The old instance is cleaned up and the VM goes back to PENDING: it is being re-created.
    "CLEANUP_RESUBMIT": "CREATING",
    "UNKNOWN": "ERROR",
    "HOTPLUG": "STARTED",
    "SHUTDOWN_POWEROFF": "STOPPING",
    "BOOT_UNKNOWN": "STARTING",
    "BOOT_POWEROFF": "STARTING",
    "BOOT_SUSPENDED": "STARTING",
    "BOOT_STOPPED": "STARTING",
    "CLEANUP_DELETE": "DELETING",
    "HOTPLUG_SNAPSHOT": "STARTED",
    "HOTPLUG_NIC": "STARTED",
    "HOTPLUG_SAVEAS": "CAPTURING",
    "HOTPLUG_SAVEAS_POWEROFF": "CAPTURING",
    "HOTPLUG_SAVEAS_SUSPENDED": "CAPTURING",
    "SHUTDOWN_UNDEPLOY": "STOPPING",
    "EPILOG_UNDEPLOY": "STOPPING",
    "PROLOG_UNDEPLOY": "STARTING",
    "BOOT_UNDEPLOY": "STARTING",
    "HOTPLUG_PROLOG_POWEROFF": "STOPPED",
    "HOTPLUG_EPILOG_POWEROFF": "STOPPED",
    "BOOT_MIGRATE": "STARTED",
    "BOOT_FAILURE": "ERROR",
    "BOOT_MIGRATE_FAILURE": "ERROR",
    "PROLOG_MIGRATE_FAILURE": "ERROR",
    "PROLOG_FAILURE": "ERROR",
    "EPILOG_FAILURE": "ERROR",
    "EPILOG_STOP_FAILURE": "ERROR",
    "EPILOG_UNDEPLOY_FAILURE": "ERROR",
    "PROLOG_MIGRATE_POWEROFF": "STOPPED",
    "PROLOG_MIGRATE_POWEROFF_FAILURE": "ERROR",
    "PROLOG_MIGRATE_SUSPEND": "SUSPENDED",
    "PROLOG_MIGRATE_SUSPEND_FAILURE": "ERROR",
    "BOOT_UNDEPLOY_FAILURE": "ERROR",
    "BOOT_STOPPED_FAILURE": "ERROR",
    "PROLOG_RESUME_FAILURE": "ERROR",
    "PROLOG_UNDEPLOY_FAILURE": "ERROR",
    "DISK_SNAPSHOT_POWEROFF": "STOPPED",
    "DISK_SNAPSHOT_REVERT_POWEROFF": "RESTORING",
    "DISK_SNAPSHOT_DELETE_POWEROFF": "STOPPED",
    "DISK_SNAPSHOT_SUSPENDED": "SUSPENDED",
    "DISK_SNAPSHOT_DELETE_SUSPENDED": "SUSPENDED",
    "DISK_SNAPSHOT": "STARTED",
    "DISK_SNAPSHOT_DELETE": "STARTED",
    "PROLOG_MIGRATE_UNKNOWN": "ERROR",
    "PROLOG_MIGRATE_UNKNOWN_FAILURE": "ERROR",
    "DISK_RESIZE": "STARTED",
    "DISK_RESIZE_POWEROFF": "STOPPED",
    "DISK_RESIZE_UNDEPLOYED": "STOPPED",
    "HOTPLUG_NIC_POWEROFF": "STOPPED",
    "HOTPLUG_RESIZE": "STARTED",
    "HOTPLUG_SAVEAS_UNDEPLOYED": "CAPTURING",
    "HOTPLUG_SAVEAS_STOPPED": "CAPTURING",
    "BACKUP": "STARTED",
    "BACKUP_POWEROFF": "STOPPED",
    "RESTORE": "RESTORING",
}

# A state number this table does not know (a newer oned) is reported as an error rather
# than guessed, and no operation is offered in it.
UNKNOWN_MACHINE_STATE = "ERROR"

FAILURE_LCM_STATES = frozenset(
    name for name in LCM_STATES.values() if name.endswith("_FAILURE"))


def vm_state_name(state, lcm_state):
    """OpenNebula's own name: the LCM_STATE name for ACTIVE VMs, the STATE name otherwise."""
    if state == ACTIVE:
        return LCM_STATES.get(lcm_state, f"LCM_{lcm_state}")
    return VM_STATES.get(state, f"STATE_{state}")


def machine_state(state, lcm_state):
    """The CIMI Machine state for an OpenNebula (STATE, LCM_STATE) pair."""
    if state == ACTIVE:
        return MACHINE_STATE_BY_LCM.get(LCM_STATES.get(lcm_state), UNKNOWN_MACHINE_STATE)
    return MACHINE_STATE_BY_STATE.get(VM_STATES.get(state), UNKNOWN_MACHINE_STATE)


def vm_states_shown_as(machine_state_name):
    """The STATE numbers of the VMs `machine_state` can show as `machine_state_name`; ACTIVE
    is one of them when an LCM_STATE (or an unknown one) shows so, and its VMs show as
    other machine states too, by LCM_STATE."""
    states = {STATE_NUMBERS[name] for name, shown in MACHINE_STATE_BY_STATE.items()
              if shown == machine_state_name}
    if (machine_state_name in MACHINE_STATE_BY_LCM.values()
            or machine_state_name == UNKNOWN_MACHINE_STATE):
        states.add(ACTIVE)
    return frozenset(states)


def _pairs(*names):
    """(STATE, LCM_STATE) pairs from names: a STATE name, or an LCM name for ACTIVE VMs."""
    pairs = set()
    for name in names:
        if name in STATE_NUMBERS:
            pairs.add((STATE_NUMBERS[name], 0))
        else:
            pairs.add((ACTIVE, LCM_NUMBERS[name]))
    return frozenset(pairs)


@dataclass(frozen=True)
class MachineAction:
    """One way to carry out a CIMI action: the `one.vm.action` name and where it is legal."""
    name: str          # CIMI action: start, stop, restart, suspend, delete
    force: bool        # True for the forced variant (CIMI Action "force": true)
    one_action: str
    allowed: frozenset  # (STATE, LCM_STATE) pairs


_NOT_RUNNING = ("SUSPENDED", "POWEROFF", "STOPPED", "UNDEPLOYED",
                "INIT", "PENDING", "HOLD", "CLONING", "CLONING_FAILURE")

# Rows are tried in order; the first whose `allowed` holds the VM's state wins. An action
# with no forced row uses its plain rows when forced (start and suspend have no hard form).
MACHINE_ACTIONS = (
    MachineAction("start", False, "resume",
                  _pairs("POWEROFF", "SUSPENDED", "STOPPED", "UNDEPLOYED", "UNKNOWN")),
    MachineAction("start", False, "release", _pairs("HOLD")),
    MachineAction("stop", False, "poweroff", _pairs("RUNNING", "UNKNOWN")),
    MachineAction("stop", True, "poweroff-hard",
                  _pairs("RUNNING", "UNKNOWN", "SHUTDOWN_POWEROFF")),
    MachineAction("restart", False, "reboot", _pairs("RUNNING")),
    MachineAction("restart", True, "reboot-hard", _pairs("RUNNING")),
    MachineAction("suspend", False, "suspend", _pairs("RUNNING")),
    # A graceful shutdown only means something for a running guest; anywhere else oned
    # frees the resources either way, and failed VMs accept only the hard form.
    MachineAction("delete", False, "terminate", _pairs("RUNNING", "UNKNOWN", *_NOT_RUNNING)),
    MachineAction("delete", False, "terminate-hard", _pairs(*FAILURE_LCM_STATES)),
    MachineAction("delete", True, "terminate-hard",
                  _pairs("RUNNING", "UNKNOWN", "SHUTDOWN", *_NOT_RUNNING, *FAILURE_LCM_STATES)),
    # These are not `one.vm.action`s: `one_action` names the method (`one.vm.<name>`) that
    # carries the action out, and the services call it. A running machine's snapshot is a
    # system snapshot; a powered-off or suspended one's is a snapshot of its boot disk.
    MachineAction("capture", False, "disksaveas",
                  _pairs("RUNNING", "POWEROFF", "SUSPENDED", "UNDEPLOYED", "STOPPED")),
    MachineAction("snapshot", False, "snapshotcreate", _pairs("RUNNING")),
    MachineAction("snapshot", False, "disksnapshotcreate", _pairs("POWEROFF", "SUSPENDED")),
    MachineAction("restore", False, "snapshotrevert", _pairs("RUNNING")),
    MachineAction("restore", False, "disksnapshotrevert", _pairs("POWEROFF")),
)

# Where a system snapshot (`one.vm.snapshotdelete`) and a disk snapshot
# (`one.vm.disksnapshotdelete`) can be deleted.
SNAPSHOT_DELETE_STATES = {
    "snapshotdelete": _pairs("RUNNING"),
    "disksnapshotdelete": _pairs("POWEROFF", "SUSPENDED", "RUNNING"),
}

MACHINE_ACTION_NAMES = tuple(dict.fromkeys(row.name for row in MACHINE_ACTIONS))

# Where `one.vm.attach` and `one.vm.detach` are legal: a running or powered-off VM.
DISK_HOTPLUG_STATES = _pairs("RUNNING", "POWEROFF")


# Where `one.vm.resize` is legal without a driver able to resize a running VM (oned's
# VirtualMachineResize): a VM not yet deployed, powered off or undeployed.
RESIZE_STATES = _pairs("PENDING", "HOLD", "POWEROFF", "UNDEPLOYED")


def can_resize(state, lcm_state):
    return _normalized(state, lcm_state) in RESIZE_STATES


def can_hotplug_disk(state, lcm_state):
    return _normalized(state, lcm_state) in DISK_HOTPLUG_STATES


def can_delete_snapshot(method, state, lcm_state):
    """Whether `method` (snapshotdelete or disksnapshotdelete) is legal now."""
    return _normalized(state, lcm_state) in SNAPSHOT_DELETE_STATES[method]


def _normalized(state, lcm_state):
    return (state, lcm_state if state == ACTIVE else 0)


def one_action_for(action, state, lcm_state, force=False):
    """The `one.vm.action` name that carries out a CIMI action now, or None if illegal."""
    rows = [row for row in MACHINE_ACTIONS if row.name == action]
    if not rows:
        raise ValueError(f"unknown machine action {action!r}")
    if force and any(row.force for row in rows):
        rows = [row for row in rows if row.force]
    else:
        rows = [row for row in rows if not row.force]
    current = _normalized(state, lcm_state)
    for row in rows:
        if current in row.allowed:
            return row.one_action
    return None


@cache
def machine_actions(state, lcm_state):
    """CIMI actions legal now in at least one form (plain or forced), in table order.

    Cached: listing thousands of machines asks it for the same few state pairs."""
    current = _normalized(state, lcm_state)
    return tuple(name for name in MACHINE_ACTION_NAMES
                 if any(row.name == name and current in row.allowed for row in MACHINE_ACTIONS))


IMAGE_STATES = {
    0: "INIT", 1: "READY", 2: "USED", 3: "DISABLED", 4: "LOCKED", 5: "ERROR", 6: "CLONE",
    7: "DELETE", 8: "USED_PERS", 9: "LOCKED_USED", 10: "LOCKED_USED_PERS",
}

IMAGE_TYPES = {
    0: "OS", 1: "CDROM", 2: "DATABLOCK", 3: "KERNEL", 4: "RAMDISK", 5: "CONTEXT",
    6: "BACKUP", 7: "FILESYSTEM",
}

# MachineImage (OS and CDROM images). An image in use stays AVAILABLE: other machines can
# still be launched from it (a persistent one refuses a second user with a 409 at launch).
# CLONE means the image is being copied, which OpenNebula treats as busy.
MACHINE_IMAGE_STATE_BY_IMAGE_STATE = {
    "INIT": "CREATING",
    "READY": "AVAILABLE",
    "USED": "AVAILABLE",
    "DISABLED": "ERROR",
    "LOCKED": "CREATING",
    "ERROR": "ERROR",
    "CLONE": "CAPTURING",
    "DELETE": "DELETING",
    "USED_PERS": "AVAILABLE",
    "LOCKED_USED": "AVAILABLE",
    "LOCKED_USED_PERS": "AVAILABLE",
}

# Volume (DATABLOCK images): a volume attached to a machine is IN_USE, so a client can tell
# whether it may attach or delete it.
VOLUME_STATE_BY_IMAGE_STATE = {
    "INIT": "CREATING",
    "READY": "AVAILABLE",
    "USED": "IN_USE",
    "DISABLED": "ERROR",
    "LOCKED": "CREATING",
    "ERROR": "ERROR",
    "CLONE": "CAPTURING",
    "DELETE": "DELETING",
    "USED_PERS": "IN_USE",
    "LOCKED_USED": "IN_USE",
    "LOCKED_USED_PERS": "IN_USE",
}

UNKNOWN_IMAGE_STATE = "ERROR"


def image_state_name(state):
    return IMAGE_STATES.get(state, f"STATE_{state}")


def image_type_name(type_number):
    return IMAGE_TYPES.get(type_number, str(type_number))


def machine_image_state(state):
    """CIMI MachineImage state for an OpenNebula image state number."""
    return MACHINE_IMAGE_STATE_BY_IMAGE_STATE.get(IMAGE_STATES.get(state), UNKNOWN_IMAGE_STATE)


def volume_state(state):
    """CIMI Volume state for an OpenNebula image state number."""
    return VOLUME_STATE_BY_IMAGE_STATE.get(IMAGE_STATES.get(state), UNKNOWN_IMAGE_STATE)


# Virtual networks (`include/VirtualNetwork.h`). A network whose VMs could not all be updated
# after a change still carries traffic, but needs an administrator: ERROR.
VNET_STATES = {
    0: "INIT", 1: "READY", 2: "LOCK_CREATE", 3: "LOCK_DELETE", 4: "DONE", 5: "ERROR",
    6: "UPDATE_FAILURE",
}

NETWORK_STATE_BY_VNET_STATE = {
    "INIT": "CREATING",
    "READY": "STARTED",
    "LOCK_CREATE": "CREATING",
    "LOCK_DELETE": "DELETING",
    "DONE": "DELETING",
    "ERROR": "ERROR",
    "UPDATE_FAILURE": "ERROR",
}


def network_state(vnet_state):
    return NETWORK_STATE_BY_VNET_STATE.get(VNET_STATES.get(vnet_state), "ERROR")
