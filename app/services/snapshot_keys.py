"""A machine's snapshots as OpenNebula keeps them, and their ids under
`machines/<id>/snapshots`: `system-<n>` for a system snapshot, `disk-<disk id>-<n>` for a
snapshot of a disk. The snapshots are listed by these ids, the Job of a snapshot's deletion
looks for its id among the machine's, and a Machine offers restore when one can be restored
in its state (`restorable`)."""
from dataclasses import dataclass

from app.one.states import one_action_for

SYSTEM_REVERT = "snapshotrevert"
DISK_REVERT = "disksnapshotrevert"
SYSTEM_DELETE = "snapshotdelete"
DISK_DELETE = "disksnapshotdelete"


@dataclass(frozen=True)
class Snapshot:
    key: str                 # the id segment: system-<n> or disk-<disk>-<n>
    name: str
    created: int
    revert: str              # the one.vm method that goes back to it
    delete: str              # the one.vm method that deletes it
    snapshot_id: int
    disk_id: int | None = None
    size_mb: int = 0
    active: bool = False     # the disk is based on it now


def system_key(snapshot_id):
    return f"system-{snapshot_id}"


def disk_key(disk_id, snapshot_id):
    return f"disk-{disk_id}-{snapshot_id}"


def keys_of(vm):
    return frozenset(snapshot.key for snapshot in snapshots_of(vm))


def restorable(vm):
    """Whether some snapshot of the machine can be restored in its current state."""
    method = one_action_for("restore", vm.state, vm.lcm_state)
    return any(snapshot.revert == method for snapshot in snapshots_of(vm))


def snapshots_of(vm):
    system = [Snapshot(key=system_key(snapshot.snapshot_id), name=snapshot.name,
                       created=snapshot.time, revert=SYSTEM_REVERT, delete=SYSTEM_DELETE,
                       snapshot_id=snapshot.snapshot_id)
              for snapshot in vm.snapshots]
    disk = [Snapshot(key=disk_key(snapshot.disk_id, snapshot.snapshot_id), name=snapshot.name,
                     created=snapshot.date, revert=DISK_REVERT, delete=DISK_DELETE,
                     snapshot_id=snapshot.snapshot_id, disk_id=snapshot.disk_id,
                     size_mb=snapshot.size_mb, active=snapshot.active)
            for snapshot in vm.disk_snapshots]
    return system + disk
