"""VM history records, as data: the action numbers in HISTORY/ACTION and what they leave.

oned writes into a VM's current history record the action that was asked of it
(`include/VMActions.h` of OpenNebula 7.0), and closes the record when the VM leaves the host
or a hot-plug, snapshot or migration starts a new one. A number this table does not know (a
newer oned) is shown as `action <n>`.
"""

VM_ACTIONS = {
    0: "none", 1: "migrate", 2: "live-migrate", 5: "undeploy", 6: "undeploy-hard",
    7: "hold", 8: "release", 9: "stop", 10: "suspend", 11: "resume", 13: "delete",
    14: "delete-recreate", 15: "reboot", 16: "reboot-hard", 17: "resched", 18: "unresched",
    19: "poweroff", 20: "poweroff-hard", 21: "disk-attach", 22: "disk-detach",
    23: "nic-attach", 24: "nic-detach", 25: "disk-snapshot-create", 26: "disk-snapshot-delete",
    27: "terminate", 28: "terminate-hard", 29: "disk-resize", 30: "deploy", 31: "chown",
    32: "chmod", 33: "updateconf", 34: "rename", 35: "resize", 36: "update",
    37: "snapshot-create", 38: "snapshot-delete", 39: "snapshot-revert", 40: "disk-saveas",
    41: "disk-snapshot-revert", 42: "recover", 43: "retry", 44: "monitor",
    45: "disk-snapshot-rename", 46: "alias-attach", 47: "alias-detach",
    48: "poweroff-migrate", 49: "poweroff-hard-migrate", 50: "backup", 51: "nic-update",
    52: "backup-cancel",
}
NO_ACTION = 0

# The CIMI Machine state a completed action leaves the machine in; the other actions
# change the machine (disks, NICs, snapshots, host) but not its state.
MACHINE_STATE_AFTER = {
    "undeploy": "STOPPED",
    "undeploy-hard": "STOPPED",
    "stop": "STOPPED",
    "suspend": "SUSPENDED",
    "poweroff": "STOPPED",
    "poweroff-hard": "STOPPED",
    "delete": "DELETED",
    "terminate": "DELETED",
    "terminate-hard": "DELETED",
}


def vm_action_name(number):
    return VM_ACTIONS.get(number, f"action {number}")
