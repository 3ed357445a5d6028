"""What a VM shows while a driver works on one of its snapshots or disks, and what the
driver's answer settles (oned's LifeCycleManager *_success actions with the dummy drivers).

`begin(vm, kind, ...)` marks the VM document as oned does when it sends the driver action;
`settle(vm)` runs when the VM leaves the transient state (`SETTLED_ON_LEAVING`).
"""
from .states import LcmState as L

SETTLED_ON_LEAVING = frozenset({
    L.HOTPLUG_SNAPSHOT, L.DISK_SNAPSHOT, L.DISK_SNAPSHOT_DELETE, L.DISK_SNAPSHOT_POWEROFF,
    L.DISK_SNAPSHOT_REVERT_POWEROFF, L.DISK_SNAPSHOT_DELETE_POWEROFF, L.DISK_SNAPSHOT_SUSPENDED,
    L.DISK_SNAPSHOT_DELETE_SUSPENDED, L.DISK_RESIZE, L.DISK_RESIZE_POWEROFF, L.DISK_RESIZE_UNDEPLOYED,
})
# What the dummy driver answers to a system snapshot creation.
DUMMY_SNAPSHOT = "dummy-snap"
# A system snapshot under way: the SNAPSHOT vector's ACTION while the driver works.
_SNAPSHOT_ACTIONS = {"snapshot-create": "CREATE", "snapshot-revert": "REVERT", "snapshot-delete": "DELETE"}


def begin(vm, kind, disk_id=None, snap_id=None, size=None):
    vm.in_progress = {"kind": kind, "disk_id": disk_id, "snap_id": snap_id}
    if kind in _SNAPSHOT_ACTIONS:
        _change_snapshot(vm, snap_id, ACTION=_SNAPSHOT_ACTIONS[kind], ACTIVE="YES")
    elif kind == "disk-resize":
        previous = vm.disk(disk_id).get("SIZE", "0")
        _change_disk(vm, disk_id, RESIZE="YES", SIZE=size, SIZE_PREV=previous)
    else:
        _change_disk(vm, disk_id, DISK_SNAPSHOT_ACTIVE="YES", DISK_SNAPSHOT_ID=str(snap_id))


def settle(vm):
    progress, vm.in_progress = vm.in_progress, None
    if progress is None:
        return
    kind, disk_id, snap_id = progress["kind"], progress["disk_id"], progress["snap_id"]
    if kind == "snapshot-create":
        _change_snapshot(vm, snap_id, ACTION=None, ACTIVE=None, HYPERVISOR_ID=DUMMY_SNAPSHOT)
    elif kind == "snapshot-revert":
        _change_snapshot(vm, snap_id, ACTION=None, ACTIVE=None)
    elif kind == "snapshot-delete":
        vm.replace_vectors("SNAPSHOT", [snapshot for snapshot in vm.template.vectors("SNAPSHOT")
                                        if snapshot["SNAPSHOT_ID"] != str(snap_id)])
    elif kind == "disk-resize":
        _change_disk(vm, disk_id, RESIZE=None, SIZE_PREV=None)
    else:
        _settle_disk_snapshot(vm, kind, disk_id, snap_id)


def _settle_disk_snapshot(vm, kind, disk_id, snap_id):
    _change_disk(vm, disk_id, DISK_SNAPSHOT_ACTIVE=None, DISK_SNAPSHOT_ID=None)
    snapshots = vm.disk_snapshots.get(str(disk_id))
    if snapshots is None:
        return
    if kind == "disk-snapshot-delete":
        # Without its last snapshot the disk keeps an empty SNAPSHOTS record, as in oned.
        snapshots["snapshots"] = [snapshot for snapshot in snapshots["snapshots"] if snapshot["id"] != snap_id]
    else:
        for snapshot in snapshots["snapshots"]:
            snapshot["active"] = snapshot["id"] == snap_id


def _change_snapshot(vm, snap_id, **changes):
    vm.replace_vectors("SNAPSHOT", [_changed(snapshot, changes) if snapshot["SNAPSHOT_ID"] == str(snap_id)
                                    else snapshot for snapshot in vm.template.vectors("SNAPSHOT")])


def _change_disk(vm, disk_id, **changes):
    vm.replace_vectors("DISK", [_changed(disk, changes) if disk["DISK_ID"] == str(disk_id) else disk
                                for disk in vm.disks()])


def _changed(vector, changes):
    """The vector (a dict) with `changes` set, a None value removing the attribute."""
    changed = dict(vector)
    for name, value in changes.items():
        if value is None:
            changed.pop(name, None)
        else:
            changed[name] = value
    return changed
