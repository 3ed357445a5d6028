"""Machines: OpenNebula VMs.

Creation is synchronous in OpenNebula: `one.vm.allocate` (by value) or
`one.template.instantiate` (from a MachineTemplate) returns the new VM's id at once, the VM
exists in state PENDING (CIMI CREATING), and the scheduler then deploys it. So a MachineCreate
is answered 201 Created with the Machine as it is right after allocation, not 202 with a Job.
Actions (start, stop, restart, suspend) and deletion only start an OpenNebula transition and
are answered 202 Accepted with a Job (`CIMI-Job-URI`) that follows the Machine's state.

Only actions legal in the machine's current state are offered as operations, and an action
asked for in a state that does not allow it is a Conflict naming the state. CIMI's pause is not
offered: OpenNebula has no paused state that keeps the guest in memory and resumable as such.

Description, properties and the configuration and image a machine came from are kept in the
VM's USER_TEMPLATE (CIMI_* attributes), so any server process can answer for any machine.

A machine waiting (CREATING: OpenNebula PENDING for its scheduler, CLONING for copies of its
images) or failed (ERROR) carries `statusMessage`, why in OpenNebula's words where it has some
(`app.one.reasons`): the scheduler's message (no host with enough capacity, ...) or the
driver's error. It is an extension attribute, which
CIMI allows a provider to add to its resources and to declare in the type's ResourceMetadata
(DSP0263 1.0.1, the ResourceMetadata clause: metadata may "introduce new attributes for CIMI
defined resources"; every XML serialization ends with an `xs:any` extension point).
"""
import math

from app.errors import BadRequest, Conflict, NotFound
from app.one import VM_NOT_DONE
from app.one.metadata import description_of, encode_metadata, properties_of
from app.one.reasons import vm_reason
from app.one.states import (
    ACTIVE, DONE, can_resize, machine_actions, machine_state, one_action_for, vm_states_shown_as,
)
from app.protocol.names import ACTION_URI
from app.protocol.responses import operation
from app.services import jobs, links
from app.services.abandoned_machines import terminate_abandoned
from app.services.undo import tried_each, undone_on_failure
from app.services.listing import Listing, Pool, listed_pool
from app.services.machine_definitions import MACHINE_CONFIG, MACHINE_IMAGE, machine_attributes
from app.services.machine_storage import complete_new_volumes, new_volume_disks
from app.services.machine_context import instantiate_overrides
from app.services.references import expandable, resolver
from app.services.rendering import iso_time, kib_from_mb, mb_from_kib
from app.services.snapshot_keys import restorable
from schemas.machines import ACTIONS, DEFAULT_INITIAL_STATE, MACHINE

TYPE_NAME = MACHINE.name
# The CIMI actions a Machine accepts, with what each does (ResourceMetadata shows them).
INITIAL_STATE = "CIMI_INITIAL_STATE"
CLEARABLE = ("description", "properties")
# The `app.one.outcomes` expectation a Job of each action follows.
JOB_EXPECTATIONS = {"start": "started", "stop": "stopped", "restart": "restarted",
                    "suspend": "suspended", "delete": "deleted"}


def list_machines(caller, query):
    """Members in OpenNebula's pool order (see `listing`). The extended pool carries
    USER_TEMPLATE (description, properties) for every VM in one call; its state argument
    leaves DONE VMs out in OpenNebula itself, or keeps only the VMs of one STATE when a
    `state='...'` filter allows."""
    query, one_state = _state_pushdown(query)
    gateway = caller.gateway
    expand = resolver(caller)
    pool = Pool(
        page=lambda offset, size: expand.known(gateway.vm_page(
            offset=offset, size=size, state=one_state, extended=True)),
        count=lambda at_least, guess: gateway.vm_count(state=one_state, at_least=at_least,
                                                     guess=guess))
    listing = Listing(TYPE_NAME, "machines", caller.links.href(links.MACHINES))
    return listed_pool(query, listing, pool, lambda vm: render(caller, vm), expand=expand)


def _state_pushdown(query):
    """(query, pool state argument) for a `state='...'` filter term: the pool keeps the one
    STATE that can show as that machine state; when no other machine state shares that
    STATE (it is not ACTIVE), the pool applies the term exactly and the query drops it."""
    wanted = query.pushdown_equalities({"state"}).get("state")
    candidates = vm_states_shown_as(wanted) - {DONE} if isinstance(wanted, str) else ()
    if len(candidates) != 1:
        return query, VM_NOT_DONE
    (one_state,) = candidates
    if one_state != ACTIVE:
        query = query.with_exact_pushdown({"state"})
    return query, one_state


def get_machine(caller, vm_id, query=None):
    """The Machine, shaped by the query's $expand and $select when one is given."""
    document = render(caller, load(caller.gateway, vm_id))
    return query.shape(document, expand=resolver(caller)) if query is not None else document


def get_machines(caller, vm_ids, known_vms=None):
    """{id: Machine} of the listed VMs that are Machines (as `load` finds them), in one call:
    the extended pool body a listing renders (`loaded_many`)."""
    return {vm.id: render(caller, vm) for vm in loaded_many(caller.gateway, vm_ids, known_vms)}


def loaded_many(gateway, vm_ids, known_vms=None):
    """The listed VMs behind Machines that exist and are visible: those `known_vms` ({id: VM}
    of extended pool bodies this request has just read, a page's) holds as they are, the
    others read together with one `vmpool.infoset`."""
    known_vms = known_vms or {}
    missing = [vm_id for vm_id in vm_ids if vm_id not in known_vms]
    vms = [known_vms[vm_id] for vm_id in vm_ids if vm_id in known_vms]
    vms.extend(gateway.vms_by_ids(missing))
    return [vm for vm in vms if vm.state != DONE]


def load(gateway, vm_id):
    """The VM behind a Machine; a terminated (DONE) VM is gone as far as CIMI is concerned."""
    vm = gateway.vm(vm_id)
    if vm.state == DONE:
        raise NotFound(f"Machine {vm_id} does not exist.")
    return vm


def create_machine(caller, body):
    """The new Machine's document; the VM is terminated again if anything after its
    allocation fails."""
    choice = body["machineTemplate"]
    if "href" in choice:
        return _created(caller, _instantiate(caller, body, choice))
    return _allocated(caller, body, choice)


def _created(caller, vm_id, finish=lambda: None):
    """The new Machine's document once `finish()` ran; the VM is terminated if either fails."""
    with undone_on_failure(lambda: terminate_abandoned(caller.gateway, vm_id)):
        machine = get_machine(caller, vm_id)
        finish()
        return machine


def _allocated(caller, body, choice):
    """The new Machine's document; volumes created for it are deleted again if it cannot be
    made (after its VM, which holds them)."""
    attributes = machine_attributes(caller, choice, "machineTemplate")
    if body.get("name"):
        attributes = {"NAME": body["name"], **attributes}
    attributes.update(encode_metadata(body.get("description"), body.get("properties", {})))
    held = choice.get("initialState", DEFAULT_INITIAL_STATE) == "STOPPED"
    with new_volume_disks(caller, choice, body.get("name", ""), "machineTemplate") as disks:
        attributes["DISK"] = attributes["DISK"] + disks
        vm_id = caller.gateway.vm_allocate(attributes, hold=held)
        return _created(caller, vm_id, lambda: complete_new_volumes(caller, disks))


def _instantiate(caller, body, choice):
    template_id = caller.links.id_in(choice["href"], links.MACHINE_TEMPLATES,
                                  "machineTemplate.href")
    try:
        template = caller.gateway.template(template_id)
    except NotFound:
        raise BadRequest("machineTemplate.href names no machine template you can use.") from None
    initial_state = (choice.get("initialState")
                     or template.template.get(INITIAL_STATE, DEFAULT_INITIAL_STATE))
    # The machine's own properties replace the template's (an empty map included); the
    # template's description is kept unless the MachineCreate gives one.
    extra = encode_metadata(body.get("description") or None, body.get("properties", {}))
    extra.update(instantiate_overrides(caller, choice, template.template, "machineTemplate"))
    return caller.gateway.template_instantiate(template_id, body.get("name", ""),
                                            hold=initial_state == "STOPPED", extra=extra,
                                            persistent=False)


def update_machine(caller, vm_id, body, cleared=frozenset()):
    """PUT: name, description, properties, cpu and memory; attributes the body leaves out are
    kept, except those in `cleared` (selected with `$select` but absent), which are emptied
    (only description and properties can be)."""
    not_clearable = sorted(cleared - set(CLEARABLE))
    if not_clearable:
        raise BadRequest("Only the description and properties of a machine can be cleared, "
                         "not " + ", ".join(not_clearable) + ".")
    vm = load(caller.gateway, vm_id)
    with undone_on_failure(lambda: _restored(caller.gateway, vm, body)):
        _resize(caller.gateway, vm, body.get("cpu"), body.get("memory"))
        if body.get("name") and body["name"] != vm.name:
            caller.gateway.vm_rename(vm_id, body["name"])
        description = "" if "description" in cleared else body.get("description")
        properties = {} if "properties" in cleared else body.get("properties")
        attributes = encode_metadata(description, properties)
        if attributes:
            # An empty description removes the attribute (the gateway's update semantics).
            caller.gateway.vm_update(vm_id, attributes, merge=True)
        return get_machine(caller, vm_id)


def _restored(gateway, vm, body):
    """Undo a PUT that failed halfway: the name, description, properties and, when the body
    changed them, the cpu and memory `vm` had."""
    user_template = vm.user_template
    capacity = ([lambda: gateway.vm_resize(vm.id, cpu=_cpu(vm), vcpu=_cpu(vm),
                                           memory_mb=vm.memory_mb)]
                if "cpu" in body or "memory" in body else [])
    tried_each(*capacity,
               lambda: gateway.vm_rename(vm.id, vm.name),
               lambda: gateway.vm_update(vm.id, encode_metadata(
                   description_of(user_template) or "", properties_of(user_template)),
                   merge=True))


def _resize(gateway, vm, cpu, memory_kib):
    """Give the machine `cpu` virtual CPUs (a whole physical CPU each, as at creation) and
    `memory_kib`, when they differ from what it has. Without a hypervisor that resizes a
    running VM, OpenNebula resizes only a machine that is stopped or not yet deployed."""
    cpu = None if cpu in (None, _cpu(vm)) else cpu
    memory_mb = None if memory_kib is None or mb_from_kib(memory_kib) == vm.memory_mb \
        else mb_from_kib(memory_kib)
    if cpu is None and memory_mb is None:
        return
    if not can_resize(vm.state, vm.lcm_state):
        raise Conflict(f"Machine {vm.id} is {machine_state(vm.state, vm.lcm_state)}: its cpu "
                       "and memory can change only while it is STOPPED; stop it first. "
                       "Nothing was changed.")
    gateway.vm_resize(vm.id, cpu=cpu, vcpu=cpu, memory_mb=memory_mb)


def _cpu(vm):
    return vm.vcpu or math.ceil(vm.cpu)


def delete_machine(caller, vm_id, force):
    """Terminate: gracefully when the guest can shut down, hard when forced or when a graceful
    shutdown is impossible in the current state. The URI of its Job."""
    vm = load(caller.gateway, vm_id)
    one_action = (one_action_for("delete", vm.state, vm.lcm_state, force=force)
                  or one_action_for("delete", vm.state, vm.lcm_state, force=True))
    if one_action is None:
        raise Conflict(not_now(vm, "delete"))
    return tracked_action(caller, vm, "delete", one_action)


def tracked_action(caller, vm, name, one_action):
    """Send `one_action` to the VM under a Job that follows it; the Job's URI."""
    with jobs.tracked(caller, jobs.machine(vm), name, JOB_EXPECTATIONS[name]) as job_uri:
        caller.gateway.vm_action(one_action, vm.id)
    return job_uri


def not_now(vm, action):
    """Why the machine cannot take `action` in its state, and what it can take."""
    state = machine_state(vm.state, vm.lcm_state)
    legal = [name for name in machine_actions(vm.state, vm.lcm_state) if name in ACTIONS]
    allowed = ", ".join(legal) if legal else "no action"
    return (f"Machine {vm.id} is {state}: it cannot {action} now (allowed in this state: "
            f"{allowed}).")


def render(caller, vm):
    href = caller.links.href(links.MACHINES, vm.id)
    user_template = vm.user_template
    return MACHINE.document({
        "id": href,
        "name": vm.name,
        "description": description_of(user_template),
        "created": iso_time(vm.stime),
        "updated": iso_time(_last_change(vm)),
        "properties": properties_of(user_template),
        "state": machine_state(vm.state, vm.lcm_state),
        "statusMessage": _status_message(vm),
        "cpu": _cpu(vm),
        # OpenNebula keeps the CPU used out of its pools: a machine read alone has it.
        "cpuUsage": vm.cpu_usage if vm.state == ACTIVE else None,
        "memory": kib_from_mb(vm.memory_mb),
        "disks": {"href": f"{href}/disks"},
        "volumes": {"href": f"{href}/volumes"},
        "networkInterfaces": {"href": f"{href}/networkInterfaces"},
        "eventLog": caller.links.reference(links.EVENT_LOGS, vm.id),
        "machineConfig": _reference(caller, links.MACHINE_CONFIGURATIONS,
                                    user_template.get(MACHINE_CONFIG)),
        "machineImage": _reference(caller, links.MACHINE_IMAGES, _image_id(vm)),
        "host": vm.hostname,
        "ipAddresses": [nic.ip for nic in vm.nics if nic.ip],
        "operations": _operations(vm, href),
    })


def _status_message(vm):
    reason = vm_reason(vm)
    return reason.text if reason else None


def _operations(vm, href):
    legal = machine_actions(vm.state, vm.lcm_state)
    operations = [operation("edit", href)]
    if "delete" in legal:
        operations.append(operation("delete", href))
    operations.extend(operation(ACTION_URI + name, href) for name in ACTIONS
                      if name in legal and (name != "restore" or restorable(vm)))
    return operations


def _last_change(vm):
    """The latest time OpenNebula recorded for the VM: creation, or a history record's start
    or end (each deployment, migration and state-changing action adds or closes one)."""
    times = [vm.stime] + [moment for record in vm.history for moment in (record.stime, record.etime)]
    return max(times)


def _image_id(vm):
    """The image the machine was launched from: remembered by CIMI, else its first image
    disk (a VM created outside CIMI)."""
    remembered = vm.user_template.get(MACHINE_IMAGE)
    if remembered:
        return remembered
    return next((disk.image_id for disk in vm.disks if disk.image_id is not None), None)


def _reference(caller, collection_segment, object_id):
    if object_id is None or object_id == "":
        return None
    return caller.links.reference(collection_segment, object_id)


expandable(links.MACHINES, get_machine, get_machines, from_vms=True)
