"""Every one.vm.action name in every VM state: accepted where oned accepts it (and taking
the VM where oned's managers take it first), refused with oned's message everywhere else.

The expectations are written out here from the reference (shared/reference/opennebula.md
§1.4, §2.3 and DispatchManagerActions.cc), independently of onesim's own tables.
"""
import pytest

from onesim.vm.states import LcmState
from onesim_vm_support import ACTIVE, EVERY_POSITION, place, state_name

R, U = (ACTIVE, 3), (ACTIVE, 16)
INIT, PENDING, HOLD, STOPPED, SUSPENDED, DONE = (0, 0), (1, 0), (2, 0), (4, 0), (5, 0), (6, 0)
POWEROFF, UNDEPLOYED, CLONING, CLONING_FAILURE = (8, 0), (9, 0), (10, 0), (11, 0)
FAILURES = [(ACTIVE, int(lcm)) for lcm in LcmState if lcm.name.endswith("_FAILURE")]

TERMINATE = {R: (ACTIVE, 12), U: (ACTIVE, 12), POWEROFF: (ACTIVE, 11), SUSPENDED: (ACTIVE, 11),
             STOPPED: (ACTIVE, 11), UNDEPLOYED: (ACTIVE, 11), INIT: DONE, PENDING: DONE, HOLD: DONE,
             CLONING: DONE, CLONING_FAILURE: DONE, DONE: DONE,
             **{failure: (ACTIVE, 23) for failure in FAILURES}}
UNDEPLOY = {R: (ACTIVE, 29), U: (ACTIVE, 29), POWEROFF: (ACTIVE, 30)}
POWEROFF_ = {R: (ACTIVE, 18), U: (ACTIVE, 18)}
RESCHED = {R: R, U: U, POWEROFF: POWEROFF}

# action -> {position it is accepted in: the position the VM takes at once}
ACCEPTED = {
    "terminate": TERMINATE,
    "terminate-hard": {**TERMINATE, (ACTIVE, 12): (ACTIVE, 12)},
    "undeploy": UNDEPLOY,
    "undeploy-hard": {**UNDEPLOY, (ACTIVE, 29): (ACTIVE, 29)},
    "poweroff": POWEROFF_,
    "poweroff-hard": {**POWEROFF_, (ACTIVE, 18): (ACTIVE, 18)},
    "reboot": {R: R},
    "reboot-hard": {R: R},
    "hold": {PENDING: HOLD},
    "release": {HOLD: PENDING},
    "stop": {R: (ACTIVE, 5), SUSPENDED: (ACTIVE, 10)},
    "suspend": {R: (ACTIVE, 6)},
    "resume": {STOPPED: PENDING, UNDEPLOYED: PENDING, SUSPENDED: (ACTIVE, 21),
               POWEROFF: (ACTIVE, 20), U: (ACTIVE, 19)},
    "resched": RESCHED,
    "unresched": RESCHED,
}


def test_the_table_names_the_fifteen_actions():
    assert len(ACCEPTED) == 15


@pytest.fixture
def idle_vm(running_vm):
    return running_vm


@pytest.mark.parametrize("action", sorted(ACCEPTED))
def test_action_in_every_state(sim, idle_vm, action):
    mismatches = []
    for position in EVERY_POSITION:
        place(sim, idle_vm, position)
        envelope = sim.call("one.vm.action", action, idle_vm)
        expected = ACCEPTED[action].get(position)
        if expected is not None:
            outcome = sim.position(idle_vm) if envelope[0] else envelope
            if outcome != expected:
                mismatches.append((state_name(position), "accepted to", state_name(expected), "got", outcome))
            continue
        name = state_name(position)
        if action.startswith("terminate"):
            message = (f'[one.vm.action] Error performing action "{action}": '
                       f"Could not terminate VM {idle_vm}, wrong state {name}.")
        else:
            message = (f'[one.vm.action] Error performing action "{action}": '
                       f"This action is not available for state {name}")
        if envelope != [False, message, 0x800, -1, -1] or sim.position(idle_vm) != position:
            mismatches.append((name, "refused", envelope))
    assert not mismatches


def test_unknown_action_is_refused(sim, idle_vm):
    assert sim.call("one.vm.action", "shutdown", idle_vm) == [
        False, '[one.vm.action] Action "shutdown" is not supported', 0x800, -1, -1]


def test_action_on_a_missing_vm(sim):
    assert sim.call("one.vm.action", "poweroff", 4242) == [
        False, "[one.vm.action] Error getting virtual machine [4242].", 0x400, 4242, -1]


def test_resched_sets_and_unresched_clears_the_flag(sim, running_vm):
    sim.ok("one.vm.action", "resched", running_vm)
    assert sim.vm(running_vm).resched == 1
    sim.ok("one.vm.action", "unresched", running_vm)
    assert sim.vm(running_vm).resched == 0
