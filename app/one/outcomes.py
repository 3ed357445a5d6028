"""How an asynchronous OpenNebula operation ends, as data: what the Jobs follow.

OpenNebula answers an operation as soon as it has accepted it; the outcome shows later in the
state of the object the operation works on (its target). An `Expectation` names, in
OpenNebula's own state names (`states.vm_state_name`, `states.image_state_name`), the target
states that end the operation well, those that end it badly, those in which OpenNebula has not
started on it yet, and what the disappearance of the target means (a VM in DONE counts as
gone). Any other state means the operation is under way.

A Job stores its expectation's sets when it is created, so a later change of this table never
changes the meaning of a Job already handed out.
"""
from dataclasses import dataclass

from app.one.states import MACHINE_STATE_BY_LCM, MACHINE_STATE_BY_STATE

VM = "vm"
IMAGE = "image"

SUCCESS = "SUCCESS"
FAILED = "FAILED"


@dataclass(frozen=True)
class Expectation:
    kind: str              # VM or IMAGE: what the target is in OpenNebula
    success: frozenset
    failure: frozenset
    gone: str              # SUCCESS or FAILED
    queued: frozenset = frozenset()


# Every VM state CIMI shows as a Machine in ERROR: no operation on a machine succeeds there.
VM_ERRORS = frozenset(
    [name for name, state in MACHINE_STATE_BY_STATE.items() if state == "ERROR"]
    + [name for name, state in MACHINE_STATE_BY_LCM.items() if state == "ERROR"])
# Waiting for the scheduler: nothing has happened to the VM yet.
VM_QUEUED = frozenset({"PENDING", "HOLD"})
# Where a hot-plug, snapshot or save-as leaves a VM when it is over.
VM_SETTLED = frozenset({"RUNNING", "POWEROFF", "SUSPENDED", "STOPPED", "UNDEPLOYED"})
IMAGE_USABLE = frozenset({"READY", "USED", "USED_PERS"})
IMAGE_ERRORS = frozenset({"ERROR"})

EXPECTATIONS = {
    "started": Expectation(VM, frozenset({"RUNNING"}), VM_ERRORS, FAILED, VM_QUEUED),
    # CIMI's stop is OpenNebula's poweroff.
    "stopped": Expectation(VM, frozenset({"POWEROFF"}), VM_ERRORS, FAILED),
    "suspended": Expectation(VM, frozenset({"SUSPENDED"}), VM_ERRORS, FAILED),
    # A reboot leaves the VM RUNNING throughout: OpenNebula shows nothing more to wait for.
    "restarted": Expectation(VM, frozenset({"RUNNING"}), VM_ERRORS, FAILED),
    "deleted": Expectation(VM, frozenset(), VM_ERRORS, SUCCESS),
    "settled": Expectation(VM, VM_SETTLED, VM_ERRORS, FAILED),
    "image_ready": Expectation(IMAGE, IMAGE_USABLE, IMAGE_ERRORS, FAILED),
    "image_deleted": Expectation(IMAGE, frozenset(), IMAGE_ERRORS, SUCCESS),
}
