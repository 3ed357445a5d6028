"""Many VMs at once, for benchmarks: `seed_vms(emulator, session, template, count, running)`.

Allocating 100,000 VMs one `one.vm.allocate` at a time costs minutes, most of it in the
image every VM uses, whose document lists all its VMs and is saved again by each call. Here
one VM is allocated through the handler of `one.vm.allocate` (hold), exactly as a client's
call makes it, and the others are copies of it, made in the same transaction: each
copy gets its own ID, NAME, VMID and OS UUID, the images its disks use count it once, and
the pool order stays the ID order. `running` of them, spread evenly, are not held: they are placed on a
host (dummy hosts are added when none has room) and deployed the way the scheduler deploys,
their driver steps answered at once, so they are RUNNING when the call returns.
"""
import json
import uuid

from .auth import authenticate
from .emulator import Call
from .errors import ACTION, OneError
from .hosts import add_host, mark_monitored
from .vm import lifecycle, resources
from .vm.creation import create_vm
from .vm.states import VmState
from .vm.templates import parse

BULK_HOST_PREFIX = "bulk-host-"


def seed_vms(emulator, session, template_text, count, running=0):
    """Allocate `count` VMs of `template_text` as the session's user, `running` of them
    RUNNING and the rest on HOLD; NAME is suffixed with each VM's number (1..count). Returns
    the new VM IDs in ascending order."""
    if count < 1 or not 0 <= running <= count:
        raise OneError(ACTION, "count must be at least 1 and running between 0 and count")
    with emulator.transaction():
        call = Call(emulator, authenticate(emulator, session), "one.vm.allocate")
        prototype = create_vm(call, parse(template_text, -1), hold=True)
        _check_copyable(emulator, prototype)
        base_name = prototype.name
        prototype.name = f"{base_name}-1"
        emulator.pool("vm").save(prototype)
        state = json.dumps(prototype.to_state())
        copies = [_copy(emulator, prototype, state, f"{base_name}-{number}")
                  for number in range(2, count + 1)]
        _count_image_users(emulator, prototype, copies)
        vms = [prototype] + copies
        # Spread evenly over the pool, so any page of it holds its share of running VMs.
        for index in range(running):
            _run(emulator, vms[index * count // running])
    return [vm.id for vm in vms]


def _check_copyable(emulator, prototype):
    for disk in prototype.disks():
        if "IMAGE_ID" in disk and emulator.pool("image").get(int(disk["IMAGE_ID"])).persistent:
            raise OneError(ACTION, "a persistent image serves one VM: it cannot be seeded in bulk")


def _copy(emulator, prototype, state, name):
    pool = emulator.pool("vm")
    vm = type(prototype).from_state(json.loads(state))
    vm.id = emulator.store.next_id("vm", 0)
    vm.name = name
    vm.template.set("VMID", str(vm.id))
    os_vector = dict(vm.template.vectors("OS")[0])
    os_vector["UUID"] = str(uuid.uuid4())
    vm.template.set("OS", list(os_vector.items()))
    pool.add(vm, vm.id)
    return vm


def _count_image_users(emulator, prototype, copies):
    """What acquire_image does for each copy, with one save per image."""
    images = emulator.pool("image")
    for disk in prototype.disks():
        if "IMAGE_ID" not in disk:
            continue
        image = images.get(int(disk["IMAGE_ID"]))
        image.running_vms += len(copies)
        image.vms = sorted(set(image.vms).union(vm.id for vm in copies))
        images.save(image)


def _run(emulator, vm):
    """Release from HOLD, place and deploy as the scheduler does; answer every driver step."""
    vm.on_hold = False
    vm.template.remove("SUBMIT_ON_HOLD")
    vm.move_to((VmState.PENDING, 0))
    host, system_ds = _place(emulator, vm)
    lifecycle.deploy(emulator, vm, host, system_ds)
    while vm.route:
        lifecycle.driver_answered(emulator, vm.id, vm.route_generation)


def _place(emulator, vm):
    while True:
        try:
            return resources.place(emulator, vm)
        except resources.Unplaceable:
            hosts = emulator.pool("host")
            mark_monitored(emulator, add_host(emulator, f"{BULK_HOST_PREFIX}{len(hosts)}"))
