"""MachineDisks: the DISKs of a Machine's VM, read-only.

Every OpenNebula DISK is one: the image the machine boots from, persistent or read-only
images, and volatile disks (swap and scratch space, destroyed with the machine). A disk of an
OS or CDROM image links it as its `machineImage`, a disk of a persistent volume links that
Volume as its `volume`; a disk of any other image (or of one the caller cannot see) links none.
"""
from app.errors import NotFound
from app.services import links
from app.services.listing import Listing, listed
from app.services.references import machine_part, resolver
from app.services.machine_images import is_machine_image
from app.services.machines import load
from app.services.storage_images import is_volume
from app.services.rendering import kib_from_mb
from schemas.volumes import MACHINE_DISK

TYPE_NAME = MACHINE_DISK.name
SEGMENT = "disks"
SWAP = "swap"


def list_disks(caller, vm_id, query):
    vm = load(caller.gateway, vm_id)
    listing = Listing(TYPE_NAME, "machineDisks", caller.links.href(links.MACHINES, vm_id, SEGMENT),
                      add=False)
    image_links = _image_links(caller, vm)
    return listed(query, listing, [render(caller, vm.id, disk, image_links) for disk in vm.disks],
                  expand=resolver(caller))


def get_disk(caller, vm_id, disk_id):
    vm = load(caller.gateway, vm_id)
    for disk in vm.disks:
        if disk.disk_id == disk_id:
            return render(caller, vm.id, disk, _image_links(caller, vm))
    raise NotFound(f"Machine {vm_id} has no disk {disk_id}.")


def render(caller, vm_id, disk, image_links):
    """`image_links`: what _image_links found for the VM."""
    return MACHINE_DISK.document({
        "id": caller.links.href(links.MACHINES, vm_id, SEGMENT, disk.disk_id),
        "name": disk.image_name or disk.target,
        "capacity": kib_from_mb(disk.size_mb),
        "format": _format(disk),
        "initialLocation": disk.target,
        "volatile": disk.volatile,
        "readOnly": disk.readonly,
        "persistent": disk.persistent,
        **image_links.get(disk.image_id, {}),
    })


def _image_links(caller, vm):
    """image id -> {attribute: reference} for the images of the VM's disks, by what CIMI
    resource each image is."""
    image_ids = {disk.image_id for disk in vm.disks if disk.image_id is not None}
    if not image_ids:
        return {}
    references = {}
    for image in caller.gateway.image_page(users=False).items:
        if image.id not in image_ids:
            continue
        if is_machine_image(image):
            references[image.id] = {"machineImage": caller.links.reference(links.MACHINE_IMAGES, image.id)}
        elif is_volume(image):
            references[image.id] = {"volume": caller.links.reference(links.VOLUMES, image.id)}
    return references


def _format(disk):
    """What the disk holds: swap space for a swap disk, the file system a volatile disk was
    made with, else the image format. oned writes FORMAT=raw into swap and file-system disks
    when it deploys the VM (with DRIVER, ALLOW_ORPHANS and PERSISTENT_SNAPSHOTS), so only
    their TYPE (swap) and FS (ext4, ...) say what they are, before and after deployment."""
    if disk.type.lower() == SWAP:
        return SWAP
    return disk.fs or disk.format


machine_part("disks", list_disks)
