"""one.vm.* methods (VirtualMachineXRPC.cc / VirtualMachineAPI.cc of oned 7.0)."""
import contextlib
import time

from .. import auth
from ..common import check_lock, register_common_methods
from ..errors import ACTION, AUTHORIZATION, INTERNAL, OneError
from ..registry import Bool, Int, Str, rpc
from ..template import Template, TemplateError
from ..users import UPDATE_FAILURE, updated_template
from . import creation, disks, lifecycle, progress, render, resources
from .actions import ADMIN_ACTIONS, KEPT_SNAPSHOT_DELETE, OPERATIONS, POWEROFF, RUNNING, VM_ACTIONS
from .states import VmState

SAVEAS_TYPES = ("OS", "DATABLOCK", "CDROM")
# What oned 7.0 answers on success where the request object carries no id:
# snapshotrevert and snapshotdelete answer -1 (diskresize answers the disk's id,
# VirtualMachineDiskResize's success_response(did)).
NO_OBJECT_ID = -1


register_common_methods("one.vm", "vm", methods=("rename", "chmod", "chown", "lock", "unlock"))


def vm_for(call, oid, operation, lockable=True):
    """The VM, authorized for `operation`; reads (oned's *_NO_LCK operations) pass
    `lockable=False`, as a lock never blocks them."""
    vm = call.pool("vm").get(oid)
    auth.authorize(call.caller, vm, operation)
    if lockable:
        check_lock(vm, operation, call.caller)
    return vm


def parse(text, object_id=-1):
    try:
        return Template.parse(text)
    except TemplateError as error:
        raise OneError(INTERNAL, str(error), object_id) from error


@rpc("one.vm.allocate", Str("template"), Bool("hold", False))
def vm_allocate(call, text, hold):
    return creation.create_vm(call, parse(text), hold).id


@rpc("one.vm.info", Int("id"), Bool("decrypt", False))
def vm_info(call, oid, decrypt):
    return vm_for(call, oid, auth.USE, lockable=False).info_xml()


@rpc("one.vm.monitoring", Int("id"))
def vm_monitoring(call, oid):
    return render.monitoring_data_xml(vm_for(call, oid, auth.USE, lockable=False))


@rpc("one.vm.action", Str("action"), Int("id"))
def vm_action(call, name, oid):
    vm = vm_for(call, oid, auth.ADMIN if name in ADMIN_ACTIONS else auth.MANAGE)
    operation = VM_ACTIONS.get(name)
    if operation is None:
        raise OneError(ACTION, f'Action "{name}" is not supported')
    lifecycle.perform(call, vm, operation, lifecycle.check(operation, vm))
    return vm.id


@rpc("one.vm.update", Int("id"), Str("template"), Int("append", 0))
def vm_update(call, oid, text, append):
    vm = vm_for(call, oid, auth.MANAGE)
    try:
        vm.user_template = updated_template(vm.user_template, text, append)
    except OneError as error:
        # VirtualMachineUpdateTemplate reports a bad template as an ACTION failure, bare.
        raise OneError(ACTION, error.message.removeprefix(UPDATE_FAILURE)) from error
    call.pool("vm").save(vm)
    return vm.id


# ---- disks and NICs -------------------------------------------------------------------------

# What oned answers when the attach template has no single DISK / NIC vector.
_MISSING_VECTOR = {"DISK": "Internal error parsing DISK attribute",
                   "NIC": "Wrong format or missing NIC/NIC_ALIAS/PCI attribute"}


def _single_vector(text, name, oid):
    vectors = parse(text, oid).vectors(name)
    if len(vectors) != 1:
        raise OneError(ACTION, _MISSING_VECTOR[name])
    return vectors[0]


def _deployed(vm):
    if not vm.history:
        raise OneError(ACTION, "VM is not running in any host")


@rpc("one.vm.attach", Int("id"), Str("disk_template"))
def vm_attach(call, oid, text):
    vm = vm_for(call, oid, auth.MANAGE)
    requested = _single_vector(text, "DISK", oid)
    _deployed(vm)
    operation = OPERATIONS["disk-attach"]
    route = lifecycle.check(operation, vm)
    with _hotplug_failures():
        disks.attach_disk(call, vm, requested)
    lifecycle.perform(call, vm, operation, route)
    return vm.id


@contextlib.contextmanager
def _hotplug_failures():
    """oned reports what goes wrong with a hot-plugged image or lease as a bare ACTION
    failure (permission problems stay AUTHORIZATION errors)."""
    try:
        yield
    except OneError as error:
        if error.code == AUTHORIZATION:
            raise
        raise OneError(ACTION, error.message) from error


@rpc("one.vm.detach", Int("id"), Int("disk_id"))
def vm_detach(call, oid, disk_id):
    vm = vm_for(call, oid, auth.MANAGE)
    operation = OPERATIONS["disk-detach"]
    route = lifecycle.check(operation, vm)
    disks.detach_disk(call.emulator, vm, disk_id)
    lifecycle.perform(call, vm, operation, route)
    return vm.id


@rpc("one.vm.attachnic", Int("id"), Str("nic_template"))
def vm_attachnic(call, oid, text):
    vm = vm_for(call, oid, auth.MANAGE)
    requested = _single_vector(text, "NIC", oid)
    operation = OPERATIONS["nic-attach"]
    route = lifecycle.check(operation, vm)
    nic_id = max((int(nic["NIC_ID"]) for nic in vm.nics()), default=-1) + 1
    with _hotplug_failures():
        nic = resources.lease_nic(call, vm, requested, nic_id)
    vm.template.add("NIC", list(nic.items()))
    creation.update_nic_context(call, vm, nic, attached=True)
    creation.sync_security_group_rules(vm)
    lifecycle.perform(call, vm, operation, route)
    return vm.id


@rpc("one.vm.detachnic", Int("id"), Int("nic_id"))
def vm_detachnic(call, oid, nic_id):
    vm = vm_for(call, oid, auth.MANAGE)
    operation = OPERATIONS["nic-detach"]
    route = lifecycle.check(operation, vm)
    nic = next((nic for nic in vm.nics() if nic["NIC_ID"] == str(nic_id)), None)
    if nic is None:
        raise OneError(ACTION, f"Could not detach NIC with NIC_ID {nic_id}, it does not exist.")
    vm.replace_vectors("NIC", [other for other in vm.nics() if other["NIC_ID"] != str(nic_id)])
    creation.update_nic_context(call, vm, nic, attached=False)
    creation.sync_security_group_rules(vm)
    resources.release_nic(call.emulator, vm, nic)
    lifecycle.perform(call, vm, operation, route)
    return vm.id


@rpc("one.vm.disksaveas", Int("id"), Int("disk_id"), Str("name"), Str("type", ""), Int("snap_id", -1))
def vm_disksaveas(call, oid, disk_id, name, image_type, snap_id):
    vm = vm_for(call, oid, auth.MANAGE)
    operation = OPERATIONS["disk-saveas"]
    route = lifecycle.check(operation, vm)
    disk = vm.disk(disk_id)
    if disk is None:
        raise OneError(INTERNAL, "Cannot use DISK. DISK does not exist.")
    if image_type and image_type.upper() not in SAVEAS_TYPES:
        raise OneError(INTERNAL, f"Cannot save_as image of type {image_type.upper()}", oid)
    source_id = int(disk["IMAGE_ID"]) if "IMAGE_ID" in disk else None
    image_id = resources.create_saved_image(call, source_id, name, image_type.upper(), vm.id, disk_id)
    vm.saving = {"image_id": image_id, "disk_id": disk_id}
    # VirtualMachineDisks::set_saveas marks the disk being saved until the copy is done.
    disk.update({"HOTPLUG_SAVE_AS_ACTIVE": "YES", "HOTPLUG_SAVE_AS_SNAPSHOT_ID": str(snap_id)})
    vm.replace_vectors("DISK", [disk if other["DISK_ID"] == str(disk_id) else other for other in vm.disks()])
    lifecycle.perform(call, vm, operation, route)
    return image_id


# ---- snapshots --------------------------------------------------------------------------------

@rpc("one.vm.snapshotcreate", Int("id"), Str("name", ""))
def vm_snapshotcreate(call, oid, name):
    vm = vm_for(call, oid, auth.MANAGE)
    operation = OPERATIONS["snapshot-create"]
    route = lifecycle.check(operation, vm)
    snapshots = vm.template.vectors("SNAPSHOT")
    snap_id = max((int(snapshot["SNAPSHOT_ID"]) for snapshot in snapshots), default=-1) + 1
    now = int(time.time())
    # VirtualMachine::new_snapshot sizes it as MEMORY plus the system disks times
    # VM_SNAPSHOT_FACTOR (0 in oned.conf); the driver gives its HYPERVISOR_ID when done.
    vm.template.add("SNAPSHOT", [("HYPERVISOR_ID", ""), ("NAME", name or f"snapshot-{snap_id}"),
                                 ("SNAPSHOT_ID", str(snap_id)), ("SYSTEM_DISK_SIZE", vm.template.get("MEMORY", "0")),
                                 ("TIME", str(now))])
    progress.begin(vm, "snapshot-create", snap_id=snap_id)
    lifecycle.perform(call, vm, operation, route)
    return snap_id


def _system_snapshot(vm, snap_id, verb):
    snapshots = vm.template.vectors("SNAPSHOT")
    if not any(snapshot["SNAPSHOT_ID"] == str(snap_id) for snapshot in snapshots):
        raise OneError(ACTION, verb.format(id=vm.id, snapshot=snap_id))
    return snapshots


@rpc("one.vm.snapshotrevert", Int("id"), Int("snap_id"))
def vm_snapshotrevert(call, oid, snap_id):
    vm = vm_for(call, oid, auth.MANAGE)
    operation = OPERATIONS["snapshot-revert"]
    route = lifecycle.check(operation, vm, snapshot=snap_id)
    _system_snapshot(vm, snap_id, "Could not revert VM {id} to snapshot {snapshot}, it does not exist.")
    progress.begin(vm, "snapshot-revert", snap_id=snap_id)
    lifecycle.perform(call, vm, operation, route)
    return NO_OBJECT_ID


@rpc("one.vm.snapshotdelete", Int("id"), Int("snap_id"))
def vm_snapshotdelete(call, oid, snap_id):
    vm = vm_for(call, oid, auth.MANAGE)
    operation = OPERATIONS["snapshot-delete"]
    if vm.position == POWEROFF and call.emulator.hypervisor.keep_snapshots:
        route = KEPT_SNAPSHOT_DELETE
    else:
        route = lifecycle.check(operation, vm, snapshot=snap_id)
    _system_snapshot(vm, snap_id, "Could not delete snapshot {snapshot} for VM {id}, it does not exist.")
    progress.begin(vm, "snapshot-delete", snap_id=snap_id)
    lifecycle.perform(call, vm, operation, route)
    return NO_OBJECT_ID


def _image_disk(vm, disk_id):
    disk = vm.disk(disk_id)
    if disk is None:
        raise OneError(ACTION, "VM disk does not exist")
    return disk


@rpc("one.vm.disksnapshotcreate", Int("id"), Int("disk_id"), Str("name"))
def vm_disksnapshotcreate(call, oid, disk_id, name):
    vm = vm_for(call, oid, auth.MANAGE)
    operation = OPERATIONS["disk-snapshot-create"]
    route = lifecycle.check(operation, vm)
    disk = _image_disk(vm, disk_id)
    snapshots = vm.disk_snapshots.setdefault(str(disk_id), {"current_base": -1, "next": 0, "snapshots": []})
    snap_id = snapshots["next"]
    # The new snapshot becomes the active one when the driver answers (progress.settle).
    snapshots["snapshots"].append({"id": snap_id, "name": name, "date": int(time.time()),
                                   "size": int(disk.get("SIZE", "0") or 0), "active": False})
    snapshots["next"] = snap_id + 1
    progress.begin(vm, "disk-snapshot-create", disk_id=disk_id, snap_id=snap_id)
    lifecycle.perform(call, vm, operation, route)
    return snap_id


def _disk_snapshot(vm, disk_id, snap_id):
    snapshots = vm.disk_snapshots.get(str(disk_id))
    if snapshots is None or not any(snapshot["id"] == snap_id for snapshot in snapshots["snapshots"]):
        raise OneError(ACTION, f"Disk id ({disk_id}) or snapshot id ({snap_id}) is not valid.")
    return snapshots


@rpc("one.vm.disksnapshotrevert", Int("id"), Int("disk_id"), Int("snap_id"))
def vm_disksnapshotrevert(call, oid, disk_id, snap_id):
    vm = vm_for(call, oid, auth.MANAGE)
    operation = OPERATIONS["disk-snapshot-revert"]
    route = lifecycle.check(operation, vm)
    _disk_snapshot(vm, disk_id, snap_id)
    progress.begin(vm, "disk-snapshot-revert", disk_id=disk_id, snap_id=snap_id)
    lifecycle.perform(call, vm, operation, route)
    return vm.id


@rpc("one.vm.disksnapshotdelete", Int("id"), Int("disk_id"), Int("snap_id"))
def vm_disksnapshotdelete(call, oid, disk_id, snap_id):
    vm = vm_for(call, oid, auth.MANAGE)
    operation = OPERATIONS["disk-snapshot-delete"]
    route = lifecycle.check(operation, vm)
    _disk_snapshot(vm, disk_id, snap_id)
    # The dummy driver's disks have ALLOW_ORPHANS=NO (oned's DENY mode) and these snapshots
    # have no children, so oned's Snapshots::test_delete only refuses snapshot 0 of a
    # persistent image; the active snapshot may go.
    if snap_id == 0 and vm.disk(disk_id).get("PERSISTENT") == "YES":
        raise OneError(ACTION, "Cannot delete snapshot 0 for persistent disk images")
    progress.begin(vm, "disk-snapshot-delete", disk_id=disk_id, snap_id=snap_id)
    lifecycle.perform(call, vm, operation, route)
    return vm.id


# ---- capacity -----------------------------------------------------------------------------------

@rpc("one.vm.resize", Int("id"), Str("template"), Bool("enforce", True))
def vm_resize(call, oid, text, enforce):
    vm = vm_for(call, oid, auth.MANAGE)
    changes = _resize_changes(parse(text, oid))
    if vm.position == RUNNING:
        raise OneError(ACTION, "Hotplug resize not supported by driver dummy")
    operation = OPERATIONS["resize"]
    route = lifecycle.check(operation, vm)

    def apply_resize():
        for name, value in changes:
            vm.template.set(name, value)

    resources.resize_capacity(call.emulator, vm, apply_resize)
    lifecycle.perform(call, vm, operation, route)
    return vm.id


# VirtualMachineResize's checks, in its order: a negative value is refused, a value that is
# not a number reads as 0, and 0 keeps the current value.
_RESIZED = (("CPU", float, "CPU must be a positive float or integer value."),
            ("MEMORY", int, "MEMORY must be a positive integer value."),
            ("VCPU", int, "VCPU must be a positive integer value."))


def _resize_changes(requested):
    """(name, value) for CPU, MEMORY and VCPU given and above 0."""
    changes = []
    for name, kind, refusal in _RESIZED:
        try:
            value = kind(requested.get(name, "0"))
        except ValueError:
            value = 0
        if value < 0:
            raise OneError(INTERNAL, refusal)
        if value > 0:
            changes.append((name, requested.get(name)))
    return changes


@rpc("one.vm.diskresize", Int("id"), Int("disk_id"), Str("size"))
def vm_diskresize(call, oid, disk_id, size):
    vm = vm_for(call, oid, auth.MANAGE)
    operation = OPERATIONS["disk-resize"]
    route = lifecycle.check(operation, vm)
    disk = _image_disk(vm, disk_id)
    if not size.isdigit() or int(size) <= int(disk.get("SIZE", "0") or 0):
        raise OneError(ACTION, "New disk size has to be greater than current one")
    progress.begin(vm, "disk-resize", disk_id=disk_id, size=size)
    lifecycle.perform(call, vm, operation, route)
    return disk_id


@rpc("one.vm.recover", Int("id"), Int("operation"))
def vm_recover(call, oid, operation):
    vm = vm_for(call, oid, auth.ADMIN)
    if operation not in range(6):
        raise OneError(ACTION, "Wrong recovery operation code")
    if vm.position[0] == VmState.DONE and operation != lifecycle.RECOVER_DELETE_DB:
        raise OneError(ACTION, f"Could not perform a recover operation on VM {vm.id}, wrong state {vm.state_name()}.")
    lifecycle.recover(call, vm, operation)
    return vm.id
