"""Quota usage in user and group documents, as oned 7.0 shows it (Quotas and its
QuotaDatastore, QuotaNetwork, QuotaVirtualMachine and QuotaImage).

oned counts what every user but oneadmin (uid 0) and every group but oneadmin (gid 0)
owns. onesim sets no limits, so each limit reads -1 (the default) and an entry shows
only while something is used: oned's Quota::cleanup_quota drops an entry whose usage
falls to zero. The usage is computed from the objects when a document is read.
"""
import math
from collections import Counter, defaultdict

from .template import cdata

ADMIN_ID = 0
DEFAULT_LIMIT = "-1"
SECTIONS = ("DATASTORE_QUOTA", "NETWORK_QUOTA", "VM_QUOTA", "IMAGE_QUOTA")
EMPTY_QUOTAS = "".join(f"<{section}></{section}>" for section in SECTIONS)


def float_to_str(value):
    """one_util::float_to_str: no decimals for whole numbers, two otherwise."""
    return f"{value:.0f}" if value == math.ceil(value) else f"{value:.2f}"


def _entry(tag, usage, entry_id=None):
    """A quota vector: ID first, then each metric's limit and usage (oned's sorted order)."""
    leaves = [] if entry_id is None else [("ID", str(entry_id))]
    for metric, used in sorted(usage.items()):
        leaves += [(metric, DEFAULT_LIMIT), (f"{metric}_USED", float_to_str(used))]
    return f"<{tag}>{''.join(f'<{name}>{cdata(value)}</{name}>' for name, value in leaves)}</{tag}>"


def _vm_usage(vms):
    usage = Counter()
    for vm in vms:
        cpu, memory = float(vm.template.get("CPU", "0")), float(vm.template.get("MEMORY", "0"))
        usage.update({"VMS": 1, "CPU": cpu, "MEMORY": memory, "SYSTEM_DISK_SIZE": vm.system_disk_size()})
        if vm.holds_running_quota():
            usage.update({"RUNNING_VMS": 1, "RUNNING_CPU": cpu, "RUNNING_MEMORY": memory})
    return usage


def usage_xml(emulator, owner_attribute, owner_id):
    """The four quota sections of the user (owner_attribute "uid") or group ("gid")."""
    if owner_id == ADMIN_ID:
        return EMPTY_QUOTAS
    vms = [vm for vm in emulator.pool("vm").values()
           if getattr(vm, owner_attribute) == owner_id and vm.holds_quota()]
    images = [image for image in emulator.pool("image").values() if getattr(image, owner_attribute) == owner_id]
    datastores = defaultdict(Counter)
    for image in images:
        datastores[image.datastore_id].update({"IMAGES": 1, "SIZE": image.size})
    leases = Counter(int(nic["NETWORK_ID"]) for vm in vms for nic in vm.nics()
                     if nic.get("NETWORK_ID", "").isdigit())
    running_images = Counter(int(disk["IMAGE_ID"]) for vm in vms for disk in vm.disks()
                             if disk.get("IMAGE_ID", "").isdigit())
    vm_usage = _vm_usage(vms)
    sections = {
        "DATASTORE_QUOTA": "".join(_entry("DATASTORE", usage, ds_id) for ds_id, usage in sorted(datastores.items())),
        "NETWORK_QUOTA": "".join(_entry("NETWORK", {"LEASES": count}, vnet_id)
                                 for vnet_id, count in sorted(leases.items())),
        "VM_QUOTA": _entry("VM", vm_usage) if vms else "",
        "IMAGE_QUOTA": "".join(_entry("IMAGE", {"RVMS": count}, image_id)
                               for image_id, count in sorted(running_images.items())),
    }
    return "".join(f"<{section}>{sections[section]}</{section}>" for section in SECTIONS)
