"""The other state-bound VM calls (disk and NIC hot-plug, save-as, snapshots, resize) in
every VM state: accepted where DispatchManagerActions.cc accepts them, moving the VM to
the hot-plug state oned uses, refused with oned's message elsewhere. Expectations are
written out here from the reference, independently of onesim's tables."""
import pytest

from onesim_vm_support import ACTIVE, EVERY_POSITION, place, state_name

R = (ACTIVE, 3)
INIT, PENDING, HOLD, STOPPED, SUSPENDED = (0, 0), (1, 0), (2, 0), (4, 0), (5, 0)
POWEROFF, UNDEPLOYED, CLONING, CLONING_FAILURE = (8, 0), (9, 0), (10, 0), (11, 0)


def hot(lcm):
    return (ACTIVE, lcm)


# call -> (arguments after the VM id, {accepted in: position taken at once}, refusal);
# "{n}" in an argument becomes a number unique to the attempt (image names must differ).
OPERATIONS = {
    "one.vm.attach": (['DISK=[TYPE="fs",SIZE="1"]'], {R: hot(17), POWEROFF: hot(33)},
                      "Could not attach a new disk to VM {id}, wrong state {state}."),
    "one.vm.detach": ([0], {R: hot(17), POWEROFF: hot(34)},
                      "Could not detach disk from VM {id}, wrong state {state}."),
    "one.vm.attachnic": (['NIC=[NETWORK="private"]'], {R: hot(25), POWEROFF: POWEROFF},
                         "Could not add a new NIC to VM {id}, wrong state {state}."),
    "one.vm.disksaveas": ([0, "copy-{n}", "", -1],
                          {R: hot(26), POWEROFF: hot(27), SUSPENDED: hot(28), UNDEPLOYED: hot(67),
                           STOPPED: hot(68)},
                          "VM has to be RUNNING, POWEROFF or SUSPENDED to save disks."),
    "one.vm.snapshotcreate": (["snap"], {R: hot(24)},
                              "Could not create a new snapshot for VM {id}, wrong state {state}."),
    "one.vm.disksnapshotcreate": ([0, "snap"], {R: hot(57), POWEROFF: hot(51), SUSPENDED: hot(54)},
                                  "Could not create a new snapshot for VM {id}, wrong state {state}."),
    "one.vm.diskresize": ([0, "4096"], {R: hot(62), POWEROFF: hot(63), UNDEPLOYED: hot(64)},
                          "Could not resize disk for VM {id}, wrong state {state}."),
    "one.vm.resize": (['MEMORY="128"', True],
                      {INIT: INIT, PENDING: PENDING, HOLD: HOLD, POWEROFF: POWEROFF,
                       UNDEPLOYED: UNDEPLOYED, CLONING: CLONING, CLONING_FAILURE: CLONING_FAILURE},
                      # DispatchManager::resize; the dummy VM_MAD has no LIVE_RESIZE.
                      lambda position: ("Hotplug resize not supported by driver dummy" if position == R
                                        else "Cannot resize a VM in state {state}")),
}
REFUSAL_CODES = {"one.vm.disksaveas": 0x2000}


@pytest.fixture
def vm_with_a_disk(sim):
    vm_id = sim.ok("one.vm.allocate", 'NAME="ops"\nCPU="0.1"\nMEMORY="64"\nDISK=[TYPE="fs",SIZE="100"]')
    sim.settle(vm_id, R)
    return vm_id


def fresh_copy(sim, vm_id, state):
    """Put back the VM's template and history as they were, then place it."""
    template, history, snapshots = state
    with sim.emulator.transaction():
        vm = sim.vm(vm_id)
        vm.template, vm.history, vm.disk_snapshots = template.copy(), [dict(r) for r in history], dict(snapshots)
    place(sim, vm_id, sim.position(vm_id))


@pytest.mark.parametrize("method", sorted(OPERATIONS))
def test_operation_in_every_state(sim, vm_with_a_disk, method):
    arguments, accepted, refusal = OPERATIONS[method]
    vm = sim.vm(vm_with_a_disk)
    original = (vm.template.copy(), [dict(record) for record in vm.history], dict(vm.disk_snapshots))
    mismatches = []
    for attempt, position in enumerate(EVERY_POSITION):
        fresh_copy(sim, vm_with_a_disk, original)
        place(sim, vm_with_a_disk, position)
        envelope = sim.call(method, vm_with_a_disk,
                            *(argument.format(n=attempt) if isinstance(argument, str) else argument
                              for argument in arguments))
        expected = accepted.get(position)
        if expected is not None:
            outcome = sim.position(vm_with_a_disk) if envelope[0] else envelope
            if outcome != expected:
                mismatches.append((state_name(position), "accepted to", state_name(expected), "got", outcome))
            continue
        wording = refusal(position) if callable(refusal) else refusal
        message = f"[{method}] " + wording.format(id=vm_with_a_disk, state=state_name(position))
        wanted = [False, message, REFUSAL_CODES.get(method, 0x800), -1, -1]
        if envelope != wanted or sim.position(vm_with_a_disk) != position:
            mismatches.append((state_name(position), "refused", envelope))
    assert not mismatches
