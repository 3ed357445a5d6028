"""The hypervisor's capabilities (oned.conf VM_MAD SUPPORT_SHAREABLE and KEEP_SNAPSHOTS),
and what oned writes in USER_TEMPLATE/ERROR when a VM cannot be deployed or booted."""
import re

import pytest

from onesim.hypervisor import Hypervisor
from onesim_vm_support import SMALL_VM, Sim, ready_image

RUNNING, POWEROFF, PENDING, BOOT_FAILURE = (3, 3), (8, 0), (1, 0), (3, 36)
CTIME = r"\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}"
SHAREABLE_IMAGE = 'NAME="shared"\nTYPE="DATABLOCK"\nSIZE="10"\nFORMAT="raw"\nPERSISTENT="YES"\nPERSISTENT_TYPE="SHAREABLE"'


@pytest.fixture
def limited(tmp_path):
    simulator = Sim(tmp_path / "onesim", Hypervisor(support_shareable=False, keep_snapshots=False))
    yield simulator
    simulator.stop()


def test_the_configuration_shows_the_capabilities(sim, limited):
    dummy = re.compile(r"<VM_MAD><EXECUTABLE><!\[CDATA\[one_vmm_dummy\]\]>.*?</VM_MAD>")
    assert dummy.search(sim.ok("one.system.config"))[0] == (
        "<VM_MAD><EXECUTABLE><![CDATA[one_vmm_dummy]]></EXECUTABLE><KEEP_SNAPSHOTS><![CDATA[yes]]>"
        "</KEEP_SNAPSHOTS><NAME><![CDATA[dummy]]></NAME><SUNSTONE_NAME><![CDATA[Testing]]></SUNSTONE_NAME>"
        "<SUPPORT_SHAREABLE><![CDATA[yes]]></SUPPORT_SHAREABLE><TYPE><![CDATA[xml]]></TYPE></VM_MAD>")
    limits = dummy.search(limited.ok("one.system.config"))[0]
    assert "<KEEP_SNAPSHOTS><![CDATA[no]]>" in limits and "<SUPPORT_SHAREABLE><![CDATA[no]]>" in limits


def test_a_shareable_disk_runs_where_the_hypervisor_shares_disks(sim):
    shared = ready_image(sim, SHAREABLE_IMAGE)
    vm_id = sim.ok("one.vm.allocate", SMALL_VM + f'DISK=[IMAGE_ID="{shared}"]')
    assert sim.vm(vm_id).disks()[0]["SHAREABLE"] == "YES"
    assert sim.vm(vm_id).template.get("AUTOMATIC_DS_REQUIREMENTS") == '("CLUSTERS/ID" @> 0) & (SHARED = "YES")'
    assert sim.settle(vm_id, RUNNING)[-1] == RUNNING


def test_a_shareable_disk_keeps_the_vm_pending_elsewhere(limited):
    shared = ready_image(limited, SHAREABLE_IMAGE)
    vm_id = limited.ok("one.vm.allocate", SMALL_VM + f'DISK=[IMAGE_ID="{shared}"]')
    limited.run_until(lambda: limited.vm(vm_id).user_template.get("ERROR"))
    assert limited.position(vm_id) == PENDING
    assert re.fullmatch(rf"{CTIME}: \[deploy\] VM has shareable disk, but vmm driver: 'dummy' doesn't support "
                        "shareable disks", limited.vm(vm_id).user_template.get("ERROR"))
    host = next(iter(limited.emulator.pool("host").values()))
    assert vm_id not in host.vms


def snapshotted_then_powered_off(sim):
    vm_id = sim.ok("one.vm.allocate", SMALL_VM)
    sim.settle(vm_id, RUNNING)
    sim.ok("one.vm.snapshotcreate", vm_id, "keep-me")
    sim.settle(vm_id, RUNNING)
    sim.ok("one.vm.action", "poweroff", vm_id)
    sim.settle(vm_id, POWEROFF)
    return [snapshot["NAME"] for snapshot in sim.vm(vm_id).template.vectors("SNAPSHOT")]


def test_system_snapshots_survive_poweroff_with_keep_snapshots(sim):
    assert snapshotted_then_powered_off(sim) == ["keep-me"]


def test_system_snapshots_are_dropped_on_poweroff_without_keep_snapshots(limited):
    assert snapshotted_then_powered_off(limited) == []


def test_a_failed_boot_leaves_the_drivers_answer_in_error(sim):
    sim.emulator.faults.fail_boots(1)
    vm_id = sim.ok("one.vm.allocate", SMALL_VM)
    sim.settle(vm_id, BOOT_FAILURE)
    host = sim.vm(vm_id).current_history["HOSTNAME"]
    assert re.fullmatch(rf"{CTIME}: DEPLOY: {host}:small:dummy", sim.vm(vm_id).user_template.get("ERROR"))


def test_a_kept_snapshot_can_be_deleted_while_powered_off(sim):
    assert snapshotted_then_powered_off(sim) == ["keep-me"]
    (vm_id,) = [vm.id for vm in sim.emulator.pool("vm").values()]
    assert sim.ok("one.vm.snapshotdelete", vm_id, 0) == -1
    assert sim.walk(vm_id, lambda position: position == POWEROFF and not sim.vm(vm_id).route) == [(8, 24), POWEROFF]
    assert sim.vm(vm_id).template.vectors("SNAPSHOT") == []


def test_without_kept_snapshots_a_powered_off_vm_has_none_to_delete(limited):
    snapshotted_then_powered_off(limited)
    (vm_id,) = [vm.id for vm in limited.emulator.pool("vm").values()]
    assert limited.call("one.vm.snapshotdelete", vm_id, 0)[:3] == [
        False, f"[one.vm.snapshotdelete] Could not delete snapshot 0 for VM {vm_id}, wrong state POWEROFF.", 0x800]
