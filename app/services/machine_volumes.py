"""MachineVolumes: the volumes attached to a machine, `<machine>/volumes/<DISK_ID>`.

Each is a DISK of the machine's VM whose image is a Volume (`storage_images`); its id is the
DISK_ID and its initialLocation the device (TARGET) OpenNebula gave it. Other disks (the
machine's image, volatile disks) are MachineDisks only.

Hot-plugging is asynchronous in OpenNebula: `one.vm.attach` and `one.vm.detach` put the VM in
a HOTPLUG state and answer at once. Both are legal only while the VM runs or is powered off,
and answered 202 with a Job that follows the VM until the disk is there (or gone). The
attachment's DISK_ID is read back from the VM right after `one.vm.attach`, which adds the
DISK before the hot-plug itself.

`readOnly` attaches with READONLY=YES. A volume that is not shareable serves one machine at a
time (OpenNebula refuses a second one); a shareable volume is only ever attached read-only,
so it can serve many machines at once without two of them writing to it.
"""
import time

from app.errors import BackendError, BackendTimeout, BackendUnavailable, Conflict, NotFound
from app.one.states import can_hotplug_disk, machine_state, vm_state_name
from app.protocol.responses import operation
from app.services import jobs
from app.services import links
from app.services.machines import load
from app.services.storage_images import attachment_refusal, is_volume, referenced_volume
from app.services.listing import Listing, listed
from app.services.references import machine_part, resolver
from schemas.volumes import MACHINE_VOLUME

TYPE_NAME = MACHINE_VOLUME.name
SEGMENT = "volumes"
READ_ATTEMPTS = 3
READ_RETRY_SECONDS = 0.2


def list_volumes(caller, vm_id, query):
    vm = load(caller.gateway, vm_id)
    listing = Listing(TYPE_NAME, "machineVolumes", caller.links.href(links.MACHINES, vm_id, SEGMENT))
    attached = _attached(caller.gateway, vm)
    return listed(query, listing, [render(caller, vm.id, disk) for disk in attached],
                  expand=resolver(caller))


def get_volume(caller, vm_id, disk_id):
    vm = load(caller.gateway, vm_id)
    return render(caller, vm.id, _attachment(caller.gateway, vm, disk_id))


def attach_volume(caller, vm_id, body):
    """Hot-plug the volume; (the new MachineVolume, the Job's URI)."""
    vm = load(caller.gateway, vm_id)
    volume = referenced_volume(caller, body["volume"]["href"], "volume.href")
    _check_attachable(vm, volume, body["readOnly"])
    disk = {"IMAGE_ID": volume.id}
    if body["readOnly"]:
        disk["READONLY"] = "YES"
    if body.get("initialLocation"):
        disk["TARGET"] = body["initialLocation"]
    before = {existing.disk_id for existing in vm.disks}
    target = jobs.machine(vm, SEGMENT)
    with jobs.tracked(caller, target, "add", "settled", affected=[(links.VOLUMES, volume.id)],
                      attached_image=volume.id) as job_uri:
        try:
            caller.gateway.vm_attach_disk(vm_id, disk)
        except Conflict as refusal:
            raise Conflict(f"Volume {volume.id} cannot be attached to machine {vm_id}: "
                           f"{refusal}") from None
    added = [found for found in _read_after_attach(caller.gateway, vm_id).disks
             if found.image_id == volume.id and found.disk_id not in before]
    if not added:
        raise BackendError(f"OpenNebula accepted the attach of volume {volume.id}, but machine "
                           f"{vm_id} shows no new disk of it; follow the Job {job_uri}.")
    return render(caller, vm_id, max(added, key=lambda found: found.disk_id)), job_uri


def detach_volume(caller, vm_id, disk_id):
    """Hot-unplug the attachment; the Job's URI."""
    vm = load(caller.gateway, vm_id)
    disk = _attachment(caller.gateway, vm, disk_id)
    if not can_hotplug_disk(vm.state, vm.lcm_state):
        raise Conflict(_not_now(vm, "detached from"))
    target = jobs.machine(vm, SEGMENT, disk_id)
    with jobs.tracked(caller, target, "delete", "settled", affected=[(links.VOLUMES, disk.image_id)],
                      detached_disk=disk_id) as job_uri:
        caller.gateway.vm_detach_disk(vm_id, disk_id)
    return job_uri


def _read_after_attach(gateway, vm_id):
    """The VM once OpenNebula accepted the attach, which is done whatever a read says: a read
    that fails is tried again (READ_ATTEMPTS in all) before the caller is told to follow the
    Job instead."""
    for attempt in range(READ_ATTEMPTS):
        try:
            return gateway.vm(vm_id)
        except (BackendError, BackendTimeout, BackendUnavailable):
            if attempt == READ_ATTEMPTS - 1:
                raise
            time.sleep(READ_RETRY_SECONDS)


def _check_attachable(vm, volume, read_only):
    if not can_hotplug_disk(vm.state, vm.lcm_state):
        raise Conflict(_not_now(vm, "attached to"))
    refusal = attachment_refusal(volume, read_only)
    if refusal:
        raise Conflict(f"Machine {vm.id}: {refusal}")


def _not_now(vm, relation):
    """Why a hot-plug is refused now; a machine STARTED or STOPPED in CIMI may still be busy
    with another operation in OpenNebula (a hot-plug under way, a snapshot)."""
    return (f"Machine {vm.id} is {machine_state(vm.state, vm.lcm_state)} (OpenNebula state "
            f"{vm_state_name(vm.state, vm.lcm_state)}): volumes can be {relation} a machine only "
            "while it is running or powered off and no other operation is under way.")


def _attached(gateway, vm):
    """The VM's disks that are volumes, in DISK_ID order."""
    image_ids = {disk.image_id for disk in vm.disks if disk.image_id is not None}
    if not image_ids:
        return []
    volume_ids = {image.id for image in gateway.image_page().items
                  if image.id in image_ids and is_volume(image)}
    return sorted((disk for disk in vm.disks if disk.image_id in volume_ids),
                  key=lambda disk: disk.disk_id)


def _attachment(gateway, vm, disk_id):
    for disk in _attached(gateway, vm):
        if disk.disk_id == disk_id:
            return disk
    raise NotFound(f"Machine {vm.id} has no volume attached as {disk_id}: there is nothing "
                   "to detach there.")


def render(caller, vm_id, disk):
    href = caller.links.href(links.MACHINES, vm_id, SEGMENT, disk.disk_id)
    return MACHINE_VOLUME.document({
        "id": href,
        "name": disk.image_name,
        "initialLocation": disk.target,
        "volume": caller.links.reference(links.VOLUMES, disk.image_id),
        "readOnly": disk.readonly,
        "operations": [operation("delete", href)],
    })


machine_part("volumes", list_volumes)
