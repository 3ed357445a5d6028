"""The ids of a machine's snapshots under `machines/<id>/snapshots`: `system-<n>` for a system
snapshot, `disk-<disk id>-<n>` for a snapshot of a disk. The snapshots are listed by these ids,
and the Job of a snapshot's deletion looks for its id among the machine's."""


def system_key(snapshot_id):
    return f"system-{snapshot_id}"


def disk_key(disk_id, snapshot_id):
    return f"disk-{disk_id}-{snapshot_id}"


def keys_of(vm):
    return frozenset(
        [system_key(snapshot.snapshot_id) for snapshot in vm.snapshots]
        + [disk_key(snapshot.disk_id, snapshot.snapshot_id) for snapshot in vm.disk_snapshots])
