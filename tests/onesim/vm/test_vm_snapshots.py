"""System and disk snapshots, resize, disk resize, recover and locks on a VM."""
from lxml import etree

RUNNING, POWEROFF = (3, 3), (8, 0)
SNAPSHOT_VM = 'NAME="snappy"\nCPU="0.1"\nMEMORY="64"\nDISK=[TYPE="fs",SIZE="100"]'


def started(sim):
    vm_id = sim.ok("one.vm.allocate", SNAPSHOT_VM)
    sim.settle(vm_id, RUNNING)
    return vm_id


def test_system_snapshots(sim):
    vm_id = started(sim)
    assert sim.ok("one.vm.snapshotcreate", vm_id, "before") == 0
    assert sim.settle(vm_id, RUNNING) == [(3, 24), RUNNING]
    assert sim.ok("one.vm.snapshotcreate", vm_id, "") == 1
    sim.settle(vm_id, RUNNING)
    names = [snapshot["NAME"] for snapshot in sim.vm(vm_id).template.vectors("SNAPSHOT")]
    assert names == ["before", "snapshot-1"]
    assert "<SNAPSHOT><HYPERVISOR_ID><![CDATA[dummy-snap]]></HYPERVISOR_ID>" in sim.ok("one.vm.info", vm_id)
    assert sim.vm(vm_id).template.vectors("SNAPSHOT")[0]["SYSTEM_DISK_SIZE"] == "64"  # MEMORY
    # oned 7.0 answers -1, not the VM id, to a snapshot revert or delete.
    assert sim.ok("one.vm.snapshotrevert", vm_id, 0) == -1
    assert sim.settle(vm_id, RUNNING) == [(3, 24), RUNNING]
    assert sim.ok("one.vm.snapshotdelete", vm_id, 0) == -1
    sim.settle(vm_id, RUNNING)
    assert [snapshot["SNAPSHOT_ID"] for snapshot in sim.vm(vm_id).template.vectors("SNAPSHOT")] == ["1"]
    assert sim.call("one.vm.snapshotrevert", vm_id, 0)[:2] == [
        False, f"[one.vm.snapshotrevert] Could not revert VM {vm_id} to snapshot 0, it does not exist."]


def test_disk_snapshots(sim):
    vm_id = started(sim)
    sim.ok("one.vm.action", "poweroff", vm_id)
    sim.settle(vm_id, POWEROFF)
    assert sim.ok("one.vm.disksnapshotcreate", vm_id, 0, "first") == 0
    assert sim.settle(vm_id, POWEROFF) == [(3, 51), POWEROFF]
    assert sim.ok("one.vm.disksnapshotcreate", vm_id, 0, "second") == 1
    sim.settle(vm_id, POWEROFF)
    sim.ok("one.vm.disksnapshotrevert", vm_id, 0, 0)
    assert sim.settle(vm_id, POWEROFF) == [(3, 52), POWEROFF]
    sim.ok("one.vm.disksnapshotdelete", vm_id, 0, 1)
    assert sim.settle(vm_id, POWEROFF) == [(3, 53), POWEROFF]
    document = sim.ok("one.vm.info", vm_id)
    snapshots = etree.fromstring(document.encode()).find("SNAPSHOTS")
    assert snapshots.findtext("DISK_ID") == "0"
    assert [snapshot.findtext("NAME") for snapshot in snapshots.findall("SNAPSHOT")] == ["first"]
    assert snapshots.find("SNAPSHOT/ACTIVE").text == "YES"
    actions = [record["ACTION"] for record in sim.vm(vm_id).history]
    # Each closes the open record with its own action (overwriting the poweroff's) and
    # opens a copy that keeps the action the VM is under.
    assert actions == [25, 25, 41, 26, 19]
    # The dummy driver's disks do not allow orphans (oned's DENY mode): a snapshot without
    # children goes even when it is the active one.
    sim.ok("one.vm.disksnapshotdelete", vm_id, 0, 0)
    sim.settle(vm_id, POWEROFF)
    # The disk keeps an empty SNAPSHOTS record until it is detached.
    snapshots = etree.fromstring(sim.ok("one.vm.info", vm_id).encode()).find("SNAPSHOTS")
    assert snapshots.findtext("DISK_ID") == "0" and snapshots.find("SNAPSHOT") is None


def test_resize_and_disk_resize(sim):
    vm_id = started(sim)
    sim.ok("one.vm.action", "poweroff", vm_id)
    sim.settle(vm_id, POWEROFF)
    host = next(iter(sim.emulator.pool("host").values()))
    sim.ok("one.vm.resize", vm_id, 'CPU="0.5"\nMEMORY="256"\nVCPU="0"', True)
    vm = sim.vm(vm_id)
    assert (vm.template.get("CPU"), vm.template.get("MEMORY")) == ("0.5", "256")
    assert (host.cpu_usage, host.mem_usage) == (50, 256 * 1024)
    assert sim.ok("one.vm.diskresize", vm_id, 0, "200") == 0
    assert sim.settle(vm_id, POWEROFF) == [(3, 63), POWEROFF]
    assert sim.vm(vm_id).disk(0)["SIZE"] == "200"
    assert sim.call("one.vm.diskresize", vm_id, 0, "100")[:2] == [
        False, "[one.vm.diskresize] New disk size has to be greater than current one"]
    sim.ok("one.vm.action", "terminate", vm_id)
    sim.settle(vm_id, (6, 0))
    assert (host.cpu_usage, host.mem_usage, host.vms) == (0, 0, [])


def test_recover(sim):
    sim.emulator.faults.fail_boots(1)
    vm_id = sim.ok("one.vm.allocate", SNAPSHOT_VM)
    sim.settle(vm_id, (3, 36))
    sim.ok("one.vm.recover", vm_id, 1)
    assert sim.position(vm_id) == RUNNING
    assert sim.vm(vm_id).deploy_id
    assert sim.call("one.vm.recover", vm_id, 1)[:2] == [
        False, f"[one.vm.recover] Could not perform a recover operation on VM {vm_id}, wrong state RUNNING."]
    sim.ok("one.vm.action", "poweroff", vm_id)
    sim.ok("one.vm.recover", vm_id, 0)
    assert sim.position(vm_id) == RUNNING
    sim.ok("one.vm.action", "poweroff", vm_id)
    sim.ok("one.vm.recover", vm_id, 1)
    assert sim.position(vm_id) == POWEROFF
    sim.ok("one.vm.recover", vm_id, 3)
    assert sim.position(vm_id) == (6, 0)
    running = started(sim)
    sim.ok("one.vm.recover", running, 3)
    assert sim.settle(running, (6, 0)) == [(3, 23), (6, 0)]
    demo_vm = sim.ok("one.vm.allocate", SNAPSHOT_VM, True, session=sim.demo)
    assert sim.call("one.vm.recover", demo_vm, 3, session=sim.demo)[2] == 0x200


def test_recover_delete_recreate_and_delete_db(sim):
    vm_id = started(sim)
    host = next(iter(sim.emulator.pool("host").values()))
    sim.ok("one.vm.recover", vm_id, 4)
    assert sim.position(vm_id) == (1, 0) and vm_id not in host.vms
    assert sim.settle(vm_id, RUNNING)[-1] == RUNNING
    sim.ok("one.vm.recover", vm_id, 5)
    assert sim.emulator.pool("vm").find(vm_id) is None and vm_id not in host.vms


def test_a_locked_vm_refuses_changes(sim):
    vm_id = started(sim)
    sim.ok("one.vm.lock", vm_id, 2, False)
    # oned refuses while authorizing: an AUTHORIZATION error, worded for oneadmin's group.
    assert sim.call("one.vm.action", "poweroff", vm_id)[:4] == [
        False, f"[one.vm.action] User [0] : VM is locked. [{vm_id}].", 0x0200, -1]
    assert "<LOCK><LOCKED>2</LOCKED>" in sim.ok("one.vm.info", vm_id)
    assert "<LOCK><LOCKED>2</LOCKED></LOCK>" in sim.ok("one.vmpool.info", -2, -1, -1, -1)
    sim.ok("one.vm.unlock", vm_id)
    sim.ok("one.vm.action", "poweroff", vm_id)


def test_a_disk_being_saved_is_marked_until_the_copy_is_done(sim):
    """oned marks the saved disk (HOTPLUG_SAVE_AS_*) and the new image (SAVE_AS_HOT)."""
    vm_id = started(sim)
    image_id = sim.ok("one.vm.disksaveas", vm_id, 0, "saving", "", -1)
    disk = sim.vm(vm_id).disk(0)
    assert (disk["HOTPLUG_SAVE_AS_ACTIVE"], disk["HOTPLUG_SAVE_AS_SNAPSHOT_ID"]) == ("YES", "-1")
    assert "<SAVE_AS_HOT><![CDATA[YES]]></SAVE_AS_HOT>" in sim.ok("one.image.info", image_id)
    sim.settle(vm_id, RUNNING)
    assert not any(key.startswith("HOTPLUG_SAVE_AS") for key in sim.vm(vm_id).disk(0))
    assert "SAVE_AS_HOT" not in sim.ok("one.image.info", image_id)


def test_system_snapshots_count_in_the_owners_system_disk_quota(sim):
    vm_id = sim.ok("one.vm.allocate", SNAPSHOT_VM, session=sim.demo)
    sim.settle(vm_id, RUNNING)

    def used():
        user = sim.ok("one.user.info", -1, session=sim.demo)
        return etree.fromstring(user.encode()).findtext("VM_QUOTA/VM/SYSTEM_DISK_SIZE_USED")

    assert used() == "100"  # the fs disk
    sim.ok("one.vm.snapshotcreate", vm_id, "", session=sim.demo)
    sim.settle(vm_id, RUNNING)
    assert used() == "164"  # and the snapshot, as big as MEMORY


def test_the_snapshot_being_worked_on_is_marked_until_the_driver_answers(sim):
    vm_id = started(sim)

    def snapshot():
        (only,) = sim.vm(vm_id).template.vectors("SNAPSHOT")
        return only

    sim.ok("one.vm.snapshotcreate", vm_id, "marked")
    assert (snapshot()["ACTION"], snapshot()["ACTIVE"], snapshot()["HYPERVISOR_ID"]) == ("CREATE", "YES", "")
    sim.settle(vm_id, RUNNING)
    assert ("ACTION" not in snapshot(), snapshot()["HYPERVISOR_ID"]) == (True, "dummy-snap")
    sim.ok("one.vm.snapshotrevert", vm_id, 0)
    assert (snapshot()["ACTION"], snapshot()["ACTIVE"]) == ("REVERT", "YES")
    sim.settle(vm_id, RUNNING)
    sim.ok("one.vm.snapshotdelete", vm_id, 0)
    assert snapshot()["ACTION"] == "DELETE"
    sim.settle(vm_id, RUNNING)
    assert sim.vm(vm_id).template.vectors("SNAPSHOT") == []
