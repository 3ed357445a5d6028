"""Snapshots of a machine: the Machine `snapshot` and `restore` actions, and the list of a
machine's snapshots at `machines/<id>/snapshots`.

OpenNebula has two kinds, and the machine's state picks one (the tables in app/one/states):
a STARTED (running) machine gets a system snapshot (`one.vm.snapshotcreate`, the whole
machine as the hypervisor keeps it); a STOPPED (powered-off) or SUSPENDED one a snapshot of
its boot disk (`one.vm.disksnapshotcreate`). Elsewhere the action is a 409 naming the state.
Both actions are answered 202 Accepted, with a Job that follows the machine until it has
settled again: OpenNebula takes the snapshot or reverts in the
background (the machine shows the state it had, or RESTORING). `snapshot` gives the new
snapshot's href as Location; its Action's optional `image.name` names the snapshot (else
`<machine name>-<UTC time>`). OpenNebula snapshots carry a name only, so a description or
properties for one are refused (400) rather than dropped.

Snapshots are listed as MachineImage documents of type SNAPSHOT whose `imageLocation` is the
machine: CIMI's restore takes a MachineImage as its `image` input, and, like OpenNebula's
snapshots, they belong to the machine and go with it. They are not in the machineImages
collection and cannot launch machines (capture makes an image that can). Their ids are
`system-<n>` and `disk-<disk id>-<n>`. They are always read from the VM as oned has it now:
whether system snapshots outlive a stop (poweroff) is the hypervisor driver's choice
(KEEP_SNAPSHOTS in oned.conf; without it oned drops them), and oned numbers a new system
snapshot from the highest id left, so an id can come back after a deletion.

`restore` takes a snapshot's href as `image.href`: a system snapshot is reverted while the
machine is STARTED (`one.vm.snapshotrevert`), a disk snapshot while it is powered off
(`one.vm.disksnapshotrevert`); the other state is a 409 saying which one is needed. restore is
offered as an operation only when a snapshot can be restored in the machine's state.

DELETE of a snapshot (202, with a Job that follows the machine until the snapshot is gone and
the machine is back in the state it had) is `one.vm.snapshotdelete` while STARTED for a system snapshot,
`one.vm.disksnapshotdelete` while STARTED, STOPPED (powered off) or SUSPENDED for a disk
snapshot, except the one the disk is based on now; a snapshot offers delete only then.
"""
import re

from app.errors import BadRequest, Conflict, NotFound
from app.one.states import can_delete_snapshot, machine_state, vm_state_name
from app.protocol.responses import operation
from app.services import links
from app.services import jobs, machine_capture, machines
from app.services.references import machine_part
from app.services.rendering import iso_time, kib_from_mb
from app.services.snapshot_keys import DISK_REVERT, SYSTEM_REVERT, disk_key, snapshots_of, system_key
from app.services.listing import Listing, listed
from schemas.machine_images import MACHINE_IMAGE

TYPE_NAME = MACHINE_IMAGE.name
SEGMENT = "snapshots"
# Where each kind can be reverted, in CIMI's words.
RESTORABLE_WHEN = {SYSTEM_REVERT: "STARTED", DISK_REVERT: "STOPPED (powered off)"}
_SNAPSHOT_ID = re.compile(r"^(?:system-(0|[1-9][0-9]{0,9})|disk-(0|[1-9][0-9]{0,9})-(0|[1-9][0-9]{0,9}))$")


def list_snapshots(caller, vm_id, query):
    vm = machines.load(caller.gateway, vm_id)
    listing = Listing(TYPE_NAME, "machineImages", caller.links.href(links.MACHINES, vm.id, SEGMENT),
                      add=False)
    return listed(query, listing, [render(caller, vm, snapshot) for snapshot in snapshots_of(vm)])


def get_snapshot(caller, vm_id, key):
    vm = machines.load(caller.gateway, vm_id)
    return render(caller, vm, _snapshot(vm, key, NotFound))


def delete_snapshot(caller, vm_id, key):
    """Start the deletion; the URI of its Job, which succeeds once the snapshot is gone and
    the machine is back in the state it had."""
    vm = machines.load(caller.gateway, vm_id)
    snapshot = _snapshot(vm, key, NotFound)
    if not _deletable(vm, snapshot):
        raise Conflict(f"Machine {vm.id} is {machine_state(vm.state, vm.lcm_state)}: snapshot "
                       f"{snapshot.key} cannot be deleted now.")
    target = jobs.machine(vm, SEGMENT, snapshot.key)
    with jobs.tracked(caller, target, "delete", "settled", affected=[(links.MACHINES, vm.id)],
                      deleted_snapshot=snapshot.key,
                      returns_to=vm_state_name(vm.state, vm.lcm_state)) as job_uri:
        if snapshot.disk_id is None:
            caller.gateway.vm_snapshot_delete(vm.id, snapshot.snapshot_id)
        else:
            caller.gateway.vm_disk_snapshot_delete(vm.id, snapshot.disk_id, snapshot.snapshot_id)
    return job_uri


def take(caller, vm, create_method, hints):
    """The `snapshot` action by `create_method` (snapshotcreate or disksnapshotcreate, as the
    state tables chose it); the new snapshot's href."""
    machine_capture.check_new_image(hints)
    unkept = sorted({"description", "properties"} & set(hints))
    if unkept:
        raise BadRequest(f"A snapshot has a name only; image.{unkept[0]} cannot be kept.")
    name = hints.get("name") or machine_capture.default_name(vm)
    if create_method == "snapshotcreate":
        snapshot_id = caller.gateway.vm_snapshot_create(vm.id, name)
        key = system_key(snapshot_id)
    else:
        disk = machine_capture.boot_disk(vm)
        snapshot_id = caller.gateway.vm_disk_snapshot_create(vm.id, disk.disk_id, name)
        key = disk_key(disk.disk_id, snapshot_id)
    return caller.links.href(links.MACHINES, vm.id, SEGMENT, key)


def restore(caller, vm, revert_method, hints):
    """The `restore` action: revert to the snapshot `image.href` names, if `revert_method` (what
    the machine's state allows now) is the one that snapshot needs."""
    collection_href = caller.links.href(links.MACHINES, vm.id, SEGMENT)
    href = hints.get("href")
    if not href:
        raise BadRequest(f"restore needs image.href naming one of the machine's snapshots "
                         f"(listed at {collection_href}).")
    snapshot = _snapshot(vm, _key_in(caller, vm, href), BadRequest)
    if snapshot.revert != revert_method:
        raise Conflict(
            f"Machine {vm.id} is {machine_state(vm.state, vm.lcm_state)}: snapshot "
            f"{snapshot.key} can be restored only while the machine is "
            f"{RESTORABLE_WHEN[snapshot.revert]}.")
    if snapshot.disk_id is None:
        caller.gateway.vm_snapshot_revert(vm.id, snapshot.snapshot_id)
    else:
        caller.gateway.vm_disk_snapshot_revert(vm.id, snapshot.disk_id, snapshot.snapshot_id)


def render(caller, vm, snapshot):
    machine_href = caller.links.href(links.MACHINES, vm.id)
    href = f"{machine_href}/{SEGMENT}/{snapshot.key}"
    return MACHINE_IMAGE.document({
        "id": href,
        "name": snapshot.name,
        "created": iso_time(snapshot.created),
        "state": "AVAILABLE",
        "type": "SNAPSHOT",
        "imageLocation": {"href": machine_href},
        "size": kib_from_mb(snapshot.size_mb) or None,
        "operations": [operation("delete", href)] if _deletable(vm, snapshot) else [],
    })


def _deletable(vm, snapshot):
    return not snapshot.active and can_delete_snapshot(snapshot.delete, vm.state, vm.lcm_state)


def _snapshot(vm, key, error):
    found = next((snapshot for snapshot in snapshots_of(vm) if snapshot.key == key), None)
    if found is None:
        raise error(f"Machine {vm.id} has no snapshot {key}.")
    return found


def _key_in(caller, vm, href):
    """The snapshot id segment of an href under this machine's snapshots (absolute, or
    relative to the base URI)."""
    relative = href[len(caller.links.base_uri):] if href.startswith(caller.links.base_uri) else href
    prefix = f"{links.MACHINES}/{vm.id}/{SEGMENT}/"
    key = relative[len(prefix):] if relative.startswith(prefix) else None
    if key is None or not _SNAPSHOT_ID.match(key):
        raise BadRequest(f"image.href must name one of machine {vm.id}'s snapshots, like "
                         f"{caller.links.href(prefix)}system-0; got {href!r}.")
    return key


machine_part("snapshots", list_snapshots)
