"""Why a VM is waiting or has failed, in OpenNebula's own words.

oned keeps two messages in a VM's USER_TEMPLATE, each as "<time>: <text>":
- SCHED_MESSAGE, written by the scheduler when it cannot place a PENDING VM ("Cannot allocate
  VM. Not enough capacity in hosts 0", `src/schedm/SchedulerManagerDriver.cc` log_vm,
  `SchedulerManager::_log`), erased when a plan deploys the VM (`PlanManager.cc`);
- ERROR, written when a driver operation fails ("DEPLOY: ..." for a failed boot,
  `VirtualMachineManager::log_error`) and never erased for the VM: it is still there when the
  VM was recovered and runs again.
So a message explains the VM only while it is in the situation that wrote it: SCHED_MESSAGE
while the VM is PENDING, ERROR while it is in a failure state. Anything else is history. A VM
in CLONING waits for copies of its images, which oned explains nowhere.
"""
from dataclasses import dataclass

from app.one.states import STATE_NUMBERS, machine_state, vm_state_name

PENDING = STATE_NUMBERS["PENDING"]
CLONING = STATE_NUMBERS["CLONING"]
SCHEDULER_MESSAGE = "SCHED_MESSAGE"
ERROR_MESSAGE = "ERROR"
FAILED_MACHINE_STATE = "ERROR"
WAITING_WITHOUT_MESSAGE = "Waiting for the OpenNebula scheduler to place it on a host."
WAITING_FOR_COPIES = "Waiting for OpenNebula to finish copying its disk images."


@dataclass(frozen=True, slots=True)
class Reason:
    text: str             # what to tell people
    failed: bool          # a failure (ERROR) rather than a wait (PENDING)
    message: str = ""     # oned's SCHED_MESSAGE or ERROR as it stands, if it wrote one


def vm_reason(vm):
    """The Reason a VM is waiting (PENDING, CLONING) or failed, or None otherwise."""
    if vm.state == PENDING:
        message = vm.user_template.get(SCHEDULER_MESSAGE, "")
        if isinstance(message, str) and message:
            return Reason(f"Waiting to be scheduled: {message}", False, message)
        return Reason(WAITING_WITHOUT_MESSAGE, False)
    if vm.state == CLONING:
        return Reason(WAITING_FOR_COPIES, False)
    if machine_state(vm.state, vm.lcm_state) == FAILED_MACHINE_STATE:
        error = vm.user_template.get(ERROR_MESSAGE, "")
        name = vm_state_name(vm.state, vm.lcm_state)
        if isinstance(error, str) and error:
            return Reason(f"{name}: {error}", True, error)
        return Reason(name, True)
    return None
