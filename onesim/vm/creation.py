"""Building a new VM from a template, as oned's VirtualMachine::insert does.

The submitted template starts as the USER_TEMPLATE; the attributes oned knows are moved to
TEMPLATE (checked and normalised on the way); everything else stays in USER_TEMPLATE.
"""
import re
import uuid

from .. import auth
from ..errors import AUTHORIZATION, INTERNAL, OneError, unwritable
from ..names import name_error
from ..store import permissions_from_umask
from ..template import Template
from . import disks, resources
from .model import VirtualMachine
from .states import VmState

# Vector or single attributes oned moves to TEMPLATE unchanged (parse_well_known_attributes
# and friends), limited to those the VM schema knows.
SYSTEM_ATTRIBUTES = ("OS", "FEATURES", "INPUT", "GRAPHICS", "VIDEO", "RAW", "NUMA_NODE",
                     "TOPOLOGY", "SPICE_OPTIONS", "HYPERV_OPTIONS", "EMULATOR", "PCI",
                     "NIC_DEFAULT", "VMGROUP", "TPM", "MEMORY_RESIZE_MODE", "MEMORY_SLOTS")
POSITIVE_FLOATS = ("CPU_COST", "MEMORY_COST", "DISK_COST")
_SUBSTITUTION = re.compile(r"\$(USER\[(\w+)\]|UNAME|UID|GNAME|GID|NAME|VMID|TEMPLATE_ID)")


class _Reject(Exception):
    pass


def create_vm(call, submitted, hold=False, name_prefix="one"):
    """Allocate a VM from `submitted` (a Template); returns the new VM.

    Failures are oned's VirtualMachine::insert messages, as INTERNAL errors (vm.allocate
    reports them so; template.instantiate wraps them)."""
    auth.authorize_create(call.caller, "vm")
    user_template = submitted.copy()
    if hold:
        # VirtualMachinePool::allocate records the request as SUBMIT_ON_HOLD, moved to TEMPLATE.
        user_template.set("SUBMIT_ON_HOLD", "YES")
    name, template_name, template = _split(user_template)
    vm = VirtualMachine(name, call.caller, permissions_from_umask(), template, user_template)
    vm.id = call.emulator.store.next_id("vm", 0)
    vm.name = name or f"{template_name or name_prefix}-{vm.id}"
    invalid_name = name_error(vm.name)
    if invalid_name is not None:
        raise OneError(INTERNAL, invalid_name)
    template.set("VMID", str(vm.id))
    try:
        _take_devices(call, vm)
        if vm.template.holds_cdata_end() or vm.user_template.holds_cdata_end():
            raise unwritable("VM")
    except OneError as error:
        # oned refuses what the caller may not use before it takes any lease.
        if error.code != AUTHORIZATION:
            resources.keep_allocated_maps(call.emulator, vm)
        raise
    _add_os_uuid(template)
    _add_requirements(vm)
    _set_first_state(call.emulator, vm, hold)
    call.pool("vm").add(vm, vm.id)
    return vm


def _split(user_template):
    """Move what oned knows from the submitted template to TEMPLATE (checked)."""
    template = Template()
    try:
        name, template_name = _take_name(user_template)
        _move_capacity(user_template, template)
    except _Reject as error:
        raise OneError(INTERNAL, str(error)) from error
    for attribute in SYSTEM_ATTRIBUTES:
        for value in user_template.remove(attribute):
            template.add(attribute, value)
    for attribute in ("SUBMIT_ON_HOLD", "TEMPLATE_ID"):
        for value in user_template.remove(attribute)[:1]:
            template.set(attribute, value)
    return name, template_name, template


def _take_devices(call, vm):
    """NIC leases, DISK images and the CONTEXT, in oned's order."""
    vectors = {name: [dict(value) for value in vm.user_template.remove(name) if not isinstance(value, str)]
               for name in ("NIC", "DISK", "CONTEXT")}
    try:
        for nic_id, nic in enumerate(vectors["NIC"]):
            vm.template.add("NIC", list(resources.lease_nic(call, vm, nic, nic_id).items()))
        disks.add_initial_disks(call, vm, vectors["DISK"])
        sync_security_group_rules(vm)
    except OneError as error:
        # oned reports what went wrong with a lease or an image as a failed insert;
        # permission problems stay AUTHORIZATION errors (they are checked beforehand).
        if error.code == AUTHORIZATION:
            raise
        raise OneError(INTERNAL, error.message) from error
    for context in vectors["CONTEXT"][:1]:
        vm.template.add("CONTEXT", list(_context(call, vm, context).items()))


def sync_security_group_rules(vm):
    """SECURITY_GROUP_RULE: the rules of the groups the VM's NICs are in, no others."""
    vm.template.remove("SECURITY_GROUP_RULE")
    for rule in resources.security_group_rules(vm):
        vm.template.add("SECURITY_GROUP_RULE", rule)


def update_nic_context(call, vm, nic, attached):
    """A hot-plugged NIC's ETH<n>_* variables join a network CONTEXT; a detached one's leave."""
    contexts = vm.template.vectors("CONTEXT")
    if not contexts or contexts[0].get("NETWORK", "").upper() != "YES":
        return
    context = contexts[0]
    prefix = f"ETH{nic['NIC_ID']}_"
    context = {key: value for key, value in context.items() if not key.startswith(prefix)}
    if attached:
        context.update(_nic_context(call, nic))
    vm.template.set("CONTEXT", list(context.items()))


def _set_first_state(emulator, vm, hold):
    # A new VM is held only when the call asks (VirtualMachinePool::allocate). Images still
    # being copied keep it in CLONING until they are ready (VirtualMachine::insert with
    # has_cloning_disks); the life-cycle manager then holds it if its TEMPLATE says
    # SUBMIT_ON_HOLD, which a template's own SUBMIT_ON_HOLD=YES says too.
    vm.on_hold = hold or vm.template.get("SUBMIT_ON_HOLD", "").upper() == "YES"
    if any(disks.is_cloning(emulator, disk) for disk in vm.disks()):
        vm.move_to((VmState.CLONING, 0))
    else:
        vm.move_to((VmState.HOLD if hold else VmState.PENDING, 0))


def _take_name(user_template):
    name = (user_template.remove("NAME") or [""])[0]
    template_name = (user_template.remove("TEMPLATE_NAME") or [""])[0]
    if not isinstance(name, str) or not isinstance(template_name, str):
        raise _Reject("Invalid NAME")
    return name, template_name


def _move_capacity(user_template, template):
    memory = _number(user_template.get("MEMORY"), int)
    if memory is None or memory <= 0:
        raise _Reject("MEMORY attribute must be a positive integer value.")
    cpu = _number(user_template.get("CPU"), float)
    if cpu is None or cpu <= 0:
        raise _Reject("CPU attribute must be a positive float or integer value.")
    template.add("MEMORY", user_template.remove("MEMORY")[0])
    template.add("CPU", user_template.remove("CPU")[0])
    if user_template.get("VCPU"):
        vcpu = _number(user_template.get("VCPU"), int)
        if vcpu is None or vcpu <= 0:
            raise _Reject("VCPU attribute must be a positive integer value.")
        template.add("VCPU", user_template.remove("VCPU")[0])
    for name in ("MEMORY_MAX", "VCPU_MAX"):
        if (_number(user_template.get(name), int) or 0) > 0:
            template.add(name, user_template.remove(name)[0])
    for name in POSITIVE_FLOATS:
        if user_template.get(name) is not None:
            value = _number(user_template.get(name), float)
            if value is None or value < 0:
                raise _Reject(f"{name} attribute must be a positive float or integer value.")
            template.add(name, user_template.remove(name)[0])


def _number(text, kind):
    if text is None:
        return None
    try:
        return kind(text)
    except ValueError:
        return None


def _context(call, vm, context):
    values = {key: _substitute(call, vm, value) for key, value in context.items()}
    if values.get("NETWORK", "").upper() == "YES":
        for nic in vm.nics():
            values.update(_nic_context(call, nic))
    disk_id, target = disks.context_disk(vm)
    values["DISK_ID"] = str(disk_id)
    values["TARGET"] = target
    return values


# oned's NETWORK_CONTEXT and NETWORK6_CONTEXT (VirtualMachineContext.cc): context variable,
# NIC attribute, alternative NIC attribute, and whether the network's template is looked
# up when the NIC has no value. Every variable is set, empty when nothing gives a value.
_NETWORK_CONTEXT = (
    ("IP", "IP", "", False), ("MAC", "MAC", "", False), ("MASK", "NETWORK_MASK", "", True),
    ("NETWORK", "NETWORK_ADDRESS", "", True), ("GATEWAY", "GATEWAY", "", True), ("DNS", "DNS", "", True),
    ("SEARCH_DOMAIN", "SEARCH_DOMAIN", "", True), ("MTU", "GUEST_MTU", "", True),
    ("METRIC", "METRIC", "", True), ("METHOD", "METHOD", "", True), ("VLAN_ID", "VLAN_ID", "", True),
    ("VROUTER_IP", "VROUTER_IP", "", False), ("VROUTER_MANAGEMENT", "VROUTER_MANAGEMENT", "", False),
    ("EXTERNAL", "EXTERNAL", "", False),
    ("IP6", "IP6_GLOBAL", "IP6", False), ("IP6_ULA", "IP6_ULA", "", False),
    ("IP6_GATEWAY", "GATEWAY6", "", True), ("IP6_METRIC", "IP6_METRIC", "", True),
    ("IP6_METHOD", "IP6_METHOD", "", True), ("IP6_PREFIX_LENGTH", "PREFIX_LENGTH", "", True),
    ("VROUTER_IP6", "VROUTER_IP6_GLOBAL", "VROUTER_IP6", False),
)


def _nic_context(call, nic):
    """ETH<n>_* of one NIC: its own values, else its network's settings (parse_context)."""
    vnet = call.pool("vnet").find(int(nic.get("NETWORK_ID", -1)))
    network = vnet.template if vnet is not None else Template()
    prefix = f"ETH{nic['NIC_ID']}_"
    values = {}
    for variable, nic_name, alternative, network_lookup in _NETWORK_CONTEXT:
        value = nic.get(nic_name) or (nic.get(alternative) if alternative else "")
        if not value and network_lookup:
            value = network.get(nic_name, "")
        values[prefix + variable] = value or ""
    return values


def _substitute(call, vm, value):
    user = call.pool("user").find(vm.uid)

    def replace(match):
        if match.group(2):
            return user.template.get(match.group(2), "") if user else ""
        return {"UNAME": vm.uname, "UID": str(vm.uid), "GNAME": vm.gname, "GID": str(vm.gid),
                "NAME": vm.name, "VMID": str(vm.id),
                "TEMPLATE_ID": vm.template.get("TEMPLATE_ID", "")}[match.group(1)]

    return _SUBSTITUTION.sub(replace, value)


def _add_os_uuid(template):
    os_vectors = template.vectors("OS")
    os_vector = os_vectors[0] if os_vectors else {}
    os_vector.setdefault("UUID", str(uuid.uuid4()))
    template.set("OS", list(os_vector.items()))


def _add_requirements(vm):
    clusters = sorted({cluster for vector in vm.disks() + vm.nics()
                       for cluster in vector.get("CLUSTER_ID", "").split(",") if cluster})
    pinned = "!(PIN_POLICY = PINNED)"
    if clusters:
        cluster_choice = " | ".join(f"CLUSTER_ID = {cluster}" for cluster in clusters)
        vm.template.set("AUTOMATIC_REQUIREMENTS", f"({cluster_choice}) & {pinned}")
        ds_choice = " | ".join(f'"CLUSTERS/ID" @> {cluster}' for cluster in clusters)
        # A shareable disk needs a shared system datastore (automatic_requirements).
        shared = ' & (SHARED = "YES")' if any(disk.get("SHAREABLE") == "YES" for disk in vm.disks()) else ""
        vm.template.set("AUTOMATIC_DS_REQUIREMENTS", f"({ds_choice}){shared}")
        vm.template.set("AUTOMATIC_NIC_REQUIREMENTS", f"({ds_choice})")
    else:
        vm.template.set("AUTOMATIC_REQUIREMENTS", pinned)
