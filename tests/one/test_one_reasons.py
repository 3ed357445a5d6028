"""Why a VM waits or failed: oned's messages count only while the VM is in the situation
that wrote them (they outlive it in the USER_TEMPLATE, as a real oned 7.0.2 shows)."""
import pytest

from app.one.reasons import WAITING_FOR_COPIES, WAITING_WITHOUT_MESSAGE, vm_reason
from app.one.records import Owner, Permissions, Vm
from app.one.states import LCM_NUMBERS, STATE_NUMBERS

# As oned 7.0.2 wrote them for a VM asking for 64 GiB on a 16 GiB host, and for a deploy the
# dummy driver failed.
SCHEDULER = "Sat Dec  5 03:00:26 2026: Cannot allocate VM. Not enough capacity in hosts 0"
DRIVER = "Sat Dec  5 03:01:39 2026: DEPLOY: localhost:will-fail:dummy"


def vm(state, lcm_state="LCM_INIT", **user_template):
    return Vm(id=7, name="vm", owner=Owner(0, "oneadmin", 0, "oneadmin"),
              permissions=Permissions(), state=STATE_NUMBERS[state],
              lcm_state=LCM_NUMBERS[lcm_state], cpu=1.0, vcpu=1, memory_mb=128, stime=1,
              etime=0, user_template=user_template)


def test_a_pending_vm_tells_the_schedulers_message():
    reason = vm_reason(vm("PENDING", SCHED_MESSAGE=SCHEDULER))
    assert (reason.text, reason.failed, reason.message) == (
        "Waiting to be scheduled: " + SCHEDULER, False, SCHEDULER)


def test_a_pending_vm_the_scheduler_has_not_judged_yet_is_waiting():
    reason = vm_reason(vm("PENDING"))
    assert (reason.text, reason.failed, reason.message) == (WAITING_WITHOUT_MESSAGE, False, "")


def test_a_vm_waiting_for_copies_of_its_images_says_so():
    reason = vm_reason(vm("CLONING", SCHED_MESSAGE=SCHEDULER))
    assert (reason.text, reason.failed, reason.message) == (WAITING_FOR_COPIES, False, "")


def test_a_failed_vm_tells_its_state_and_the_drivers_error():
    reason = vm_reason(vm("ACTIVE", "BOOT_FAILURE", ERROR=DRIVER))
    assert (reason.text, reason.failed, reason.message) == (
        "BOOT_FAILURE: " + DRIVER, True, DRIVER)


def test_a_failed_vm_without_an_error_message_tells_its_state():
    reason = vm_reason(vm("ACTIVE", "PROLOG_FAILURE"))
    assert (reason.text, reason.failed, reason.message) == ("PROLOG_FAILURE", True, "")


@pytest.mark.parametrize("state, lcm_state", [
    ("ACTIVE", "RUNNING"), ("ACTIVE", "BOOT"), ("POWEROFF", "LCM_INIT"), ("HOLD", "LCM_INIT"),
])
def test_old_messages_of_a_vm_that_moved_on_are_history(state, lcm_state):
    """oned never erases ERROR from a VM recovered from a failure; SCHED_MESSAGE stays until
    a plan deploys the VM."""
    assert vm_reason(vm(state, lcm_state, ERROR=DRIVER, SCHED_MESSAGE=SCHEDULER)) is None
