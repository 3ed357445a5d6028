"""A VM's DISKs and its CONTEXT disk: ids, targets, images and volatile disks, as oned's
VirtualMachineDisks does (get_images, assign_disk_targets, set_up_attach_disk).
"""
import string

from ..errors import ACTION, AUTHORIZATION, INTERNAL, OneError
from ..images import CDROM, DEFAULT_DEVICE_PREFIX, LOCKED, LOCKED_USED, LOCKED_USED_PERS, OS
from . import resources

# oned.conf's DEFAULT_CDROM_DEVICE_PREFIX: CDROMs and the CONTEXT disk.
CDROM_DEVICE_PREFIX = "hd"
VOLATILE_TYPES = ("FS", "SWAP")


def is_volatile(disk):
    return "IMAGE_ID" not in disk and disk.get("TYPE", "").upper() in VOLATILE_TYPES


def add_initial_disks(call, vm, requested):
    """DISK_IDs in order, images acquired, then targets as oned assigns them. A disk's
    failure names it ("DISK <id>: ..."), as VirtualMachineDisks::get_images does."""
    prepared = []
    for disk_id, disk in enumerate(requested):
        try:
            prepared.append(_prepare(call, vm, dict(disk), disk_id, hot=False))
        except OneError as error:
            if error.code == AUTHORIZATION:
                raise
            raise OneError(INTERNAL, f"DISK {disk_id}: {error.message}") from error
    _assign_targets(prepared, set())
    for disk in prepared:
        vm.template.add("DISK", list(disk.items()))


def is_cloning(emulator, disk):
    """Whether the disk's image is still being copied by its datastore."""
    if "IMAGE_ID" not in disk:
        return False
    image = emulator.pool("image").find(int(disk["IMAGE_ID"]))
    return image is not None and image.state in (LOCKED, LOCKED_USED, LOCKED_USED_PERS)


def context_disk(vm):
    """The CONTEXT's DISK_ID (after every DISK) and target (the first free hd<letter>)."""
    used = {disk.get("TARGET") for disk in vm.disks()}
    return len(vm.disks()), _free_target(CDROM_DEVICE_PREFIX, used)


def attach_disk(call, vm, requested):
    """A hot-plugged DISK: next DISK_ID after every disk and the context, a free target."""
    taken_ids = [int(disk["DISK_ID"]) for disk in vm.disks()]
    context = vm.template.vectors("CONTEXT")
    if context and context[0].get("DISK_ID", "").isdigit():
        taken_ids.append(int(context[0]["DISK_ID"]))
    disk = _prepare(call, vm, dict(requested), max(taken_ids, default=-1) + 1, hot=True)
    # A hot-plugged disk records the system datastore driver it was attached with.
    if vm.template.get("TM_MAD_SYSTEM"):
        disk["TM_MAD_SYSTEM"] = vm.template.get("TM_MAD_SYSTEM")
    used = {existing.get("TARGET") for existing in vm.disks()}
    if context:
        used.add(context[0].get("TARGET"))
    _assign_targets([disk], used)
    disk["ATTACH"] = "YES"  # until the driver answers (finish_hotplug)
    vm.template.add("DISK", list(disk.items()))
    return disk


def detach_disk(emulator, vm, disk_id):
    """Mark the disk ATTACH=YES: oned removes it only when the driver answers (finish_hotplug)."""
    disk = vm.disk(disk_id)
    if disk is None:
        raise OneError(ACTION, f"Could not detach disk with DISK_ID {disk_id}, it does not exist.")
    vm.replace_vectors("DISK", [dict(other, ATTACH="YES") if other["DISK_ID"] == str(disk_id) else other
                                for other in vm.disks()])
    vm.detaching = disk_id
    return disk


def finish_hotplug(emulator, vm):
    """The driver answered a disk hot-plug: the detached disk goes, an attached one stays unmarked."""
    kept = []
    for disk in vm.disks():
        if disk["DISK_ID"] == str(vm.detaching):
            vm.disk_snapshots.pop(disk["DISK_ID"], None)
            release_disk(emulator, vm, disk)
            continue
        disk.pop("ATTACH", None)
        kept.append(disk)
    vm.replace_vectors("DISK", kept)
    vm.detaching = None


def release_disk(emulator, vm, disk):
    if "IMAGE_ID" in disk:
        resources.release_image(emulator, int(disk["IMAGE_ID"]), vm.id)


def _prepare(call, vm, disk, disk_id, hot):
    disk["DISK_ID"] = str(disk_id)
    if is_volatile(disk):
        return _volatile(disk)
    image = image_for(call, disk)
    acquired = resources.acquire_image(call, image.id, vm.id, hot)
    prepared = image_disk(call.emulator, disk, acquired)
    prepared["_ORDER"] = _target_order(acquired.type)
    return prepared


def image_disk(emulator, disk, image):
    """The DISK (with its DISK_ID) completed with what oned copies from its image."""
    prepared = dict(resources.disk_attributes(emulator, image))
    # oned names the image's owner only when the DISK asked for the image by name.
    if "IMAGE_UNAME" not in disk:
        prepared.pop("IMAGE_UNAME", None)
    if image.type == CDROM and not image.template.get("DEV_PREFIX"):
        prepared["DEV_PREFIX"] = CDROM_DEVICE_PREFIX
    prepared.update({key: value for key, value in disk.items() if key not in ("IMAGE", "IMAGE_UID")})
    return prepared


def _volatile(disk):
    if not disk.get("SIZE", "").isdigit() or int(disk["SIZE"]) <= 0:
        raise OneError(INTERNAL, "SIZE attribute must be a positive integer value.")
    disk["TYPE"] = disk["TYPE"].lower()
    disk.setdefault("DEV_PREFIX", DEFAULT_DEVICE_PREFIX)
    disk["_ORDER"] = 2
    return disk


def image_for(call, disk):
    pool = call.pool("image")
    if "IMAGE_ID" in disk:
        image = pool.find(int(disk["IMAGE_ID"])) if disk["IMAGE_ID"].lstrip("-").isdigit() else None
        if image is None:
            raise OneError(INTERNAL, f"Image with ID: {disk['IMAGE_ID']} does not exist")
        return image
    if "IMAGE" in disk:
        owner = resources.owner_named(call, disk, "IMAGE")
        image = pool.by_name(disk["IMAGE"], owner)
        if image is None:
            raise OneError(INTERNAL, f"User {owner} does not own an image with name: {disk['IMAGE']} . "
                                     "Set IMAGE_UNAME or IMAGE_UID of owner in DISK.")
        return image
    raise OneError(INTERNAL, "DISK does not have a valid IMAGE_ID, IMAGE or TYPE attribute.")


def _target_order(image_type):
    """oned assigns targets to OS disks first, then CDROMs, then the rest."""
    return {OS: 0, CDROM: 1}.get(image_type, 2)


def _assign_targets(prepared, used):
    used |= {disk["TARGET"] for disk in prepared if disk.get("TARGET")}
    for disk in sorted(prepared, key=lambda disk: disk.pop("_ORDER")):
        if not disk.get("TARGET"):
            disk["TARGET"] = _free_target(disk["DEV_PREFIX"], used)
            used.add(disk["TARGET"])


def _free_target(prefix, used):
    for letter in string.ascii_lowercase:
        if prefix + letter not in used:
            return prefix + letter
    raise OneError(INTERNAL, "No free targets left for the disk.")
