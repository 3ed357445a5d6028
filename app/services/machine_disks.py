"""MachineDisks: the DISKs of a Machine's VM, read-only.

Every OpenNebula DISK is one: the image the machine boots from, persistent or read-only
images, and volatile disks (swap and scratch space, destroyed with the machine).
"""
from app.errors import NotFound
from app.protocol.names import resource_uri
from app.services import links as paths
from app.services.listing import Listing, listed
from app.services.references import resolver
from app.services.machines import load
from app.services.rendering import kib_from_mb, without_empty

TYPE_NAME = "MachineDisk"
SEGMENT = "disks"


def list_disks(ctx, vm_id, query):
    vm = load(ctx.gateway, vm_id)
    listing = Listing(TYPE_NAME, "machineDisks", ctx.links.href(paths.MACHINES, vm_id, SEGMENT),
                      add=False)
    return listed(query, listing, [render(ctx, vm.id, disk) for disk in vm.disks],
                  expand=resolver(ctx))


def get_disk(ctx, vm_id, disk_id):
    vm = load(ctx.gateway, vm_id)
    for disk in vm.disks:
        if disk.disk_id == disk_id:
            return render(ctx, vm.id, disk)
    raise NotFound(f"Machine {vm_id} has no disk {disk_id}.")


def render(ctx, vm_id, disk):
    return without_empty({
        "resourceURI": resource_uri(TYPE_NAME),
        "id": ctx.links.href(paths.MACHINES, vm_id, SEGMENT, disk.disk_id),
        "name": disk.image_name or disk.target,
        "capacity": kib_from_mb(disk.size_mb),
        "format": disk.fs or disk.format or _format_of_type(disk.type),
        "initialLocation": disk.target,
        "volatile": disk.volatile,
        "readOnly": disk.readonly,
        "persistent": disk.persistent,
        "machineImage": (ctx.links.reference(paths.MACHINE_IMAGES, disk.image_id)
                         if disk.image_id is not None else None),
    })


def _format_of_type(disk_type):
    """OpenNebula leaves FORMAT out of swap disks; their type says what they are."""
    return "swap" if disk_type.lower() == "swap" else ""
