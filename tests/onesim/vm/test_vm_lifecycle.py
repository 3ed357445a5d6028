"""Life-cycle walks compared with oned 7.0.2's recorded traffic (shared/opennebula/
transcripts): every state the recorder saw must appear, in order, in onesim's walk."""
import csv
import re

import pytest

from onesim_vm_support import SMALL_VM, TRANSCRIPTS

RUNNING, POWEROFF, DONE = (3, 3), (8, 0), (6, 0)
_TRANSITION = re.compile(r"^(?P<group>.+?)__transition-(?P<vm>vm\d)-STATE(?P<state>\d+)-LCM(?P<lcm>\d+)$")


def recorded_walks():
    """{(vm, wait label): [(STATE, LCM), ...]} from the transcript index, in order."""
    walks = {}
    with open(TRANSCRIPTS / "INDEX.tsv", newline="") as index:
        for row in csv.DictReader(index, delimiter="\t"):
            match = _TRANSITION.match(row["label"])
            if match:
                key = (match["vm"], match["group"])
                walks.setdefault(key, []).append((int(match["state"]), int(match["lcm"])))
    return walks


RECORDED = recorded_walks()


def is_subsequence(recorded, observed):
    remaining = iter(observed)
    return all(position in remaining for position in recorded)


def walk(sim, vm_id, final):
    return sim.settle(vm_id, final)


def test_the_transcripts_hold_the_walks_used_here():
    assert RECORDED[("vm1", "wait-vm-POWEROFF(8)")] == [(3, 18), (8, 0)]
    assert len(RECORDED) == 12


def test_deploy_walk(sim):
    vm_id = sim.ok("one.vm.allocate", SMALL_VM)
    observed = walk(sim, vm_id, RUNNING)
    assert observed == [(1, 0), (3, 0), (3, 1), (3, 2), (3, 3)]
    assert is_subsequence(RECORDED[("vm1", "wait-vm-ACTIVE/RUNNING(3/3)")], observed)
    assert is_subsequence(RECORDED[("vm2", "wait-vm2-RUNNING")], observed)


@pytest.mark.parametrize("action, recorded, final", [
    ("poweroff", ("vm1", "wait-vm-POWEROFF(8)"), POWEROFF),
    ("poweroff-hard", ("vm2", "wait-vm2-POWEROFF"), POWEROFF),
    ("terminate-hard", ("vm1", "wait-vm-DONE(6)"), DONE),
    ("terminate", ("vm2", "wait-vm2-DONE"), DONE),
])
def test_action_walk_from_running(sim, running_vm, action, recorded, final):
    sim.ok("one.vm.action", action, running_vm)
    observed = walk(sim, running_vm, final)
    assert is_subsequence(RECORDED[recorded], observed), observed


def test_resume_after_poweroff_walk(sim, running_vm):
    sim.ok("one.vm.action", "poweroff", running_vm)
    walk(sim, running_vm, POWEROFF)
    sim.ok("one.vm.action", "resume", running_vm)
    observed = walk(sim, running_vm, RUNNING)
    assert observed == [(3, 20), (3, 3)]
    assert is_subsequence(RECORDED[("vm1", "wait-vm-RUNNING-after-resume")], observed)
    assert is_subsequence(RECORDED[("vm2", "wait-vm2-RUNNING-again")], observed)


def test_attach_and_detach_walks(sim, running_vm):
    sim.ok("one.vm.attach", running_vm, 'DISK=[TYPE="fs", SIZE="10"]')
    observed = walk(sim, running_vm, RUNNING)
    assert is_subsequence(RECORDED[("vm1", "wait-vm-RUNNING-after-attach")], observed)
    disk_id = int(sim.vm(running_vm).disks()[-1]["DISK_ID"])
    sim.ok("one.vm.detach", running_vm, disk_id)
    observed = walk(sim, running_vm, RUNNING)
    assert is_subsequence(RECORDED[("vm1", "wait-vm-RUNNING-after-detach")], observed)


@pytest.mark.parametrize("action, expected", [
    ("terminate", [(3, 12), (3, 11), (6, 0)]),
    ("poweroff", [(3, 18), (8, 0)]),
    ("undeploy", [(3, 29), (3, 30), (9, 0)]),
    ("stop", [(3, 5), (3, 10), (4, 0)]),
    ("suspend", [(3, 6), (5, 0)]),
])
def test_full_walks_from_running(sim, running_vm, action, expected):
    sim.ok("one.vm.action", action, running_vm)
    assert walk(sim, running_vm, expected[-1]) == expected


@pytest.mark.parametrize("leave, parked, expected", [
    ("stop", (4, 0), [(1, 0), (3, 0), (3, 9), (3, 22), (3, 3)]),
    ("undeploy", (9, 0), [(1, 0), (3, 0), (3, 31), (3, 32), (3, 3)]),
    ("suspend", (5, 0), [(3, 21), (3, 3)]),
])
def test_resume_walks(sim, running_vm, leave, parked, expected):
    sim.ok("one.vm.action", leave, running_vm)
    walk(sim, running_vm, parked)
    sim.ok("one.vm.action", "resume", running_vm)
    assert walk(sim, running_vm, RUNNING) == expected


def test_hold_and_release(sim):
    vm_id = sim.ok("one.vm.allocate", SMALL_VM, True)
    assert sim.position(vm_id) == (2, 0)
    sim.ok("one.vm.action", "release", vm_id)
    assert walk(sim, vm_id, RUNNING) == [(1, 0), (3, 0), (3, 1), (3, 2), (3, 3)]


def test_terminate_while_pending_is_immediate(sim):
    vm_id = sim.ok("one.vm.allocate", SMALL_VM, True)
    sim.ok("one.vm.action", "terminate", vm_id)
    assert sim.position(vm_id) == DONE


def history(sim, vm_id):
    return sim.vm(vm_id).history


def test_history_records_follow_oned(sim, running_vm):
    (first,) = history(sim, running_vm)
    assert (first["SEQ"], first["ACTION"], first["UID"], first["REQUEST_ID"]) == (0, 0, -1, -1)
    assert first["PSTIME"] and first["PETIME"] and first["RSTIME"] and not first["RETIME"]

    sim.ok("one.vm.action", "poweroff", running_vm)
    walk(sim, running_vm, POWEROFF)
    (first,) = history(sim, running_vm)
    assert first["ACTION"] == 19 and first["UID"] == 0 and first["RETIME"] and not first["ETIME"]

    sim.ok("one.vm.action", "resume", running_vm)
    first, second = history(sim, running_vm)
    assert first["ETIME"] and (second["SEQ"], second["ACTION"]) == (1, 11)
    assert second["PSTIME"] == 0 and second["RSTIME"]
    walk(sim, running_vm, RUNNING)
    assert (history(sim, running_vm)[1]["ACTION"], history(sim, running_vm)[1]["UID"]) == (0, -1)

    sim.ok("one.vm.attach", running_vm, 'DISK=[TYPE="swap", SIZE="10"]')
    records = history(sim, running_vm)
    assert [record["ACTION"] for record in records] == [19, 21, 0]
    assert records[1]["ETIME"] and records[1]["RETIME"] and not records[2]["ETIME"]
    walk(sim, running_vm, RUNNING)

    sim.ok("one.vm.action", "terminate-hard", running_vm)
    walk(sim, running_vm, DONE)
    last = history(sim, running_vm)[-1]
    assert last["ACTION"] == 28 and last["ESTIME"] and last["EETIME"] and last["ETIME"]
    assert sim.vm(running_vm).etime


def test_done_vms_stay_visible(sim, running_vm):
    sim.ok("one.vm.action", "terminate", running_vm)
    walk(sim, running_vm, DONE)
    assert "<STATE>6</STATE>" in sim.ok("one.vm.info", running_vm)
    assert f"<ID>{running_vm}</ID>" in sim.ok("one.vmpool.info", -2, -1, -1, -2)
    assert f"<ID>{running_vm}</ID>" not in sim.ok("one.vmpool.info", -2, -1, -1, -1)
    assert "<PORT>" not in sim.ok("one.vm.info", running_vm)


def test_boot_failure_injection(sim):
    sim.emulator.faults.fail_boots(1)
    vm_id = sim.ok("one.vm.allocate", SMALL_VM)
    assert sim.settle(vm_id, (3, 36))[-1] == (3, 36)
    second = sim.ok("one.vm.allocate", SMALL_VM)
    assert walk(sim, second, RUNNING)[-1] == RUNNING
    sim.ok("one.vm.recover", vm_id, 2)
    assert walk(sim, vm_id, RUNNING) == [(3, 2), (3, 3)]


def test_terminate_a_failed_boot(sim):
    sim.emulator.faults.fail_boots(1)
    vm_id = sim.ok("one.vm.allocate", SMALL_VM)
    sim.settle(vm_id, (3, 36))
    sim.ok("one.vm.action", "terminate", vm_id)
    assert walk(sim, vm_id, DONE) == [(3, 23), (6, 0)]


def test_terminating_a_done_vm_changes_nothing(sim, running_vm):
    sim.ok("one.vm.action", "terminate", running_vm)
    walk(sim, running_vm, DONE)
    before = sim.ok("one.vm.info", running_vm)
    assert sim.ok("one.vm.action", "terminate-hard", running_vm) == running_vm
    assert sim.ok("one.vm.info", running_vm) == before
