"""What a VM takes from the rest of the cloud and gives back: host capacity, images,
network leases, the system datastore. The only place that talks to those core modules.
"""
import functools

from .. import hosts, images, vnets
from ..errors import INTERNAL, OneError, not_found

SYSTEM_DATASTORE_ID = 0
FIRST_VNC_PORT = 5900


# ---- images -------------------------------------------------------------------------------

def acquire_image(call, image_id, vm_id, hot):
    return images.acquire_image(call.emulator, call.caller, image_id, vm_id, hot=hot)


def release_image(emulator, image_id, vm_id):
    images.release_image(emulator, image_id, vm_id)


def disk_attributes(emulator, image):
    return images.disk_attributes(emulator, image)


def create_saved_image(call, image_id, name, image_type, vm_id, disk_id):
    """A new LOCKED image copying the disk (of image `image_id`, or volatile when None)."""
    source = None if image_id is None else call.pool("image").get(image_id)
    return images.create_saved_image(call.emulator, call.caller, source, name, image_type, vm_id, disk_id)


def saved_image_ready(emulator, image_id):
    images.set_image_ready(emulator, image_id)


# ---- network leases -------------------------------------------------------------------------

def lease_nic(call, vm, requested, nic_id):
    """The NIC vector of a new lease for `requested` (NETWORK_ID or NETWORK [+ NETWORK_UNAME])."""
    vnet = vnet_for(call, requested)
    pairs = vnets.allocate_lease(call.emulator, call.caller, vnet.id, vm.id,
                                          ip=requested.get("IP") or None)
    nic = dict(pairs)
    nic.update({key: value for key, value in requested.items() if key not in nic})
    nic["NIC_ID"] = str(nic_id)
    nic.setdefault("NAME", f"NIC{nic_id}")
    nic.setdefault("TARGET", f"one-{vm.id}-{nic_id}")
    return nic


def security_group_rules(vm):
    """The rules of the security groups the VM's NICs are in, each group once."""
    group_ids = []
    for nic in vm.nics():
        group_ids.extend(group for group in nic.get("SECURITY_GROUPS", "").split(",")
                         if group and group not in group_ids)
    return vnets.security_group_rules(group_ids)


def keep_allocated_maps(emulator, vm):
    """The VM's creation fails once its leases are taken: oned gives them back
    (VirtualMachine::insert, error_leases_rollback) and their ranges keep the ALLOCATED map."""
    for nic in vm.nics():
        emulator.keep_if_failed(functools.partial(
            vnets.keep_allocated_map, emulator, int(nic["NETWORK_ID"]), int(nic["AR_ID"])))


def release_nic(emulator, vm, nic):
    if nic.get("NETWORK_ID", "").isdigit():
        vnets.release_lease(emulator, int(nic["NETWORK_ID"]), vm.id)


def vnet_for(call, requested):
    pool = call.pool("vnet")
    if requested.get("NETWORK_ID", "").lstrip("-").isdigit():
        vnet = pool.find(int(requested["NETWORK_ID"]))
        if vnet is None:
            raise OneError(INTERNAL, f"Virtual network with ID: {requested['NETWORK_ID']} does not exist")
        return vnet
    if requested.get("NETWORK"):
        owner = owner_named(call, requested, "NETWORK")
        vnet = pool.by_name(requested["NETWORK"], owner)
        if vnet is None:
            raise OneError(INTERNAL, f"User {owner} does not own a network with name: {requested['NETWORK']} . "
                                     "Set NETWORK_UNAME or NETWORK_UID of owner in NIC.")
        return vnet
    raise not_found("virtual network", -1)


def owner_named(call, vector, prefix):
    """The uid a DISK or NIC names its image or network owner by (<prefix>_UID or
    <prefix>_UNAME), the caller by default, as oned does."""
    if vector.get(f"{prefix}_UID", "").isdigit():
        return int(vector[f"{prefix}_UID"])
    if vector.get(f"{prefix}_UNAME"):
        user = call.pool("user").by_name(vector[f"{prefix}_UNAME"])
        return user.id if user else -1
    return call.caller.uid


# ---- hosts --------------------------------------------------------------------------------

def _capacity(vm):
    return float(vm.template.get("CPU", "0")), int(vm.template.get("MEMORY", "0"))


class Unplaceable(Exception):
    """No host or system datastore takes the VM; str() is the scheduler's message."""


def place(emulator, vm):
    """(host, system datastore) with room for the VM, its capacity taken there; or
    Unplaceable with the rank scheduler's reason (Scheduler::match_schedule): the VM
    stays PENDING."""
    host_ids = hosts.schedulable_host_ids(emulator)
    if not host_ids:
        raise Unplaceable("Cannot dispatch VM: No hosts enabled to run VMs")
    system_ds = emulator.pool("datastore").find(SYSTEM_DATASTORE_ID)
    if system_ds is None:
        raise Unplaceable("Cannot dispatch VM: No system datastores found to run VMs")
    cpu, memory = _capacity(vm)
    host = hosts.place_vm(emulator, vm.id, cpu, memory)
    if host is None:
        raise Unplaceable(f"Cannot allocate VM. Not enough capacity in hosts {','.join(map(str, host_ids))}")
    vm.host_id = host.id
    return host, system_ds


def release_capacity(emulator, vm):
    cpu, memory = _capacity(vm)
    hosts.release_host(emulator, vm.host_id, vm.id, cpu, memory)
    vm.host_id = -1


def resize_capacity(emulator, vm, apply_resize):
    """Change CPU/MEMORY with `apply_resize()` keeping the host's accounting right."""
    host = emulator.pool("host").find(vm.host_id) if vm.host_id != -1 else None
    if host is not None:
        release_capacity(emulator, vm)
    apply_resize()
    if host is not None:
        cpu, memory = _capacity(vm)
        hosts.reserve_host(emulator, host, vm.id, cpu, memory)
        vm.host_id = host.id


def prepare_for_host(emulator, vm, host, system_ds):
    """Deployment attributes: system DS driver, VNC port, volatile disks' datastore."""
    tm_mad = system_ds.tm_mad
    vm.template.set("TM_MAD_SYSTEM", tm_mad)
    graphics = vm.template.vectors("GRAPHICS")
    if graphics and "PORT" not in graphics[0]:
        graphics[0]["PORT"] = str(FIRST_VNC_PORT + vm.id)
        vm.template.set("GRAPHICS", list(graphics[0].items()))
    disks = vm.disks()
    for disk in disks:
        if "IMAGE_ID" not in disk:
            disk.update({"CLUSTER_ID": "0", "DATASTORE": system_ds.name,
                         "DATASTORE_ID": str(system_ds.id), "DISK_TYPE": "FILE", "TM_MAD": tm_mad})
            # oned creates volatile disks as raw files, with the system datastore's
            # snapshot settings.
            disk.setdefault("FORMAT", "raw")
            disk.setdefault("DRIVER", disk["FORMAT"])
            disk.setdefault("ALLOW_ORPHANS", "NO")
            disk.setdefault("PERSISTENT_SNAPSHOTS", "YES")
    vm.replace_vectors("DISK", disks)


def release_all(emulator, vm):
    """Every image and lease the VM holds (DONE)."""
    for disk in vm.disks():
        if "IMAGE_ID" in disk:
            release_image(emulator, int(disk["IMAGE_ID"]), vm.id)
    for nic in vm.nics():
        release_nic(emulator, vm, nic)
    if vm.host_id != -1:
        release_capacity(emulator, vm)
