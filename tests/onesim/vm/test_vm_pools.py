"""one.vmpool.info / infoextended / infoset: filter flags, paging, the state argument,
who sees what, and every pool document valid against oned's schemas."""
import re

import pytest

from onesim_vm_support import SMALL_VM, validation_errors

RUNNING = (3, 3)
ALL, MINE, MINE_GROUP, GROUP = -2, -3, -1, -4


def ids_in(document):
    from lxml import etree

    return [int(vm.findtext("ID")) for vm in etree.fromstring(document.encode()).findall("VM")]


@pytest.fixture
def users(sim):
    """uid and session of demo, and of a second user of the users group."""
    other_uid = sim.ok("one.user.allocate", "other", "secret", "", [1])
    demo_uid = sim.emulator.pool("user").by_name("demo").id
    return {"demo": (demo_uid, sim.demo), "other": (other_uid, "other:secret")}


@pytest.fixture
def owned_vms(sim, users):
    """A held VM of oneadmin, of demo and of the other user."""
    return {
        "oneadmin": sim.ok("one.vm.allocate", SMALL_VM, True),
        "demo": sim.ok("one.vm.allocate", SMALL_VM, True, session=users["demo"][1]),
        "other": sim.ok("one.vm.allocate", SMALL_VM, True, session=users["other"][1]),
    }


def listed(sim, filter_flag, session=None, start=-1, end=-1, state=-1):
    return ids_in(sim.ok("one.vmpool.info", filter_flag, start, end, state, session=session))


def test_filter_flags(sim, users, owned_vms):
    demo_uid, demo = users["demo"]
    everyone = sorted(owned_vms.values(), reverse=True)
    assert listed(sim, ALL) == everyone
    assert listed(sim, MINE) == [owned_vms["oneadmin"]]
    assert listed(sim, demo_uid) == [owned_vms["demo"]]
    for flag in (ALL, MINE, MINE_GROUP, GROUP):
        assert listed(sim, flag, demo) == [owned_vms["demo"]]
    sim.ok("one.vm.chmod", owned_vms["other"], -1, -1, -1, 1, -1, -1, -1, -1, -1,
           session=users["other"][1])
    for flag in (ALL, MINE_GROUP, GROUP):
        assert listed(sim, flag, demo) == [owned_vms["other"], owned_vms["demo"]]
    assert listed(sim, MINE, demo) == [owned_vms["demo"]]
    envelope = sim.call("one.vmpool.info", -5, -1, -1, -1)
    assert envelope[:3] == [False, "[one.vmpool.info] Incorrect filter_flag", 0x1000]


def test_paging_and_ranges(sim):
    vm_ids = [sim.ok("one.vm.allocate", SMALL_VM, True) for _ in range(5)]
    newest_first = sorted(vm_ids, reverse=True)
    assert listed(sim, ALL, start=0, end=-2) == newest_first[:2]
    assert listed(sim, ALL, start=2, end=-2) == newest_first[2:4]
    assert listed(sim, ALL, start=4, end=-2) == newest_first[4:]
    assert listed(sim, ALL, start=vm_ids[1], end=vm_ids[3]) == sorted(vm_ids[1:4], reverse=True)
    assert listed(sim, ALL, start=vm_ids[3]) == sorted(vm_ids[3:], reverse=True)


def test_state_argument(sim, running_vm):
    held = sim.ok("one.vm.allocate", SMALL_VM, True)
    done = sim.ok("one.vm.allocate", SMALL_VM, True)
    sim.ok("one.vm.action", "terminate", done)
    assert listed(sim, ALL, state=-2) == [done, held, running_vm]
    assert listed(sim, ALL, state=-1) == [held, running_vm]
    assert listed(sim, ALL, state=2) == [held]
    assert listed(sim, ALL, state=3) == [running_vm]
    assert listed(sim, ALL, state=6) == [done]
    for wrong in (12, -3):
        assert sim.call("one.vmpool.info", ALL, -1, -1, wrong)[:3] == [
            False, "[one.vmpool.info] Incorrect state filter", 0x1000]
    assert sim.call("one.vmpool.info", ALL, -1, -1, -1, "STATE=3")[:3] == [
        False, "[one.vmpool.info] JSON query search is not supported by the SQL backend", 0x2000]


def test_infoset(sim, owned_vms, users):
    wanted = f"{owned_vms['oneadmin']},{owned_vms['demo']}"
    assert ids_in(sim.ok("one.vmpool.infoset", wanted, False)) == sorted(
        [owned_vms["oneadmin"], owned_vms["demo"]], reverse=True)
    assert ids_in(sim.ok("one.vmpool.infoset", wanted, True, session=users["demo"][1])) == [owned_vms["demo"]]


def test_short_and_extended_bodies(sim, running_vm):
    sim.ok("one.vm.update", running_vm, 'CIMI_DESCRIPTION="kept in USER_TEMPLATE"\nLABELS="web"', 1)
    short = sim.ok("one.vmpool.info", ALL, -1, -1, -1)
    extended = sim.ok("one.vmpool.infoextended", ALL, -1, -1, -1)
    assert "CIMI_DESCRIPTION" not in short and "<LABELS><![CDATA[web]]></LABELS>" in short
    assert "<CIMI_DESCRIPTION><![CDATA[kept in USER_TEMPLATE]]></CIMI_DESCRIPTION>" in extended
    assert "<PERMISSIONS>" in extended and "<PERMISSIONS>" not in short
    assert validation_errors(short, "vm_pool.xsd") == []
    assert validation_errors(extended, "vm_pool_extended.xsd") == []
    assert extended == f"<VM_POOL>{sim.vm(running_vm).xml}</VM_POOL>"


def test_documents_follow_every_change(sim, running_vm):
    """The cached bodies are rendered again on every change, never stale."""
    sim.ok("one.vm.rename", running_vm, "renamed")
    assert "<NAME>renamed</NAME>" in sim.ok("one.vmpool.info", ALL, -1, -1, -1)
    sim.ok("one.vm.action", "poweroff", running_vm)
    assert "<STATE>3</STATE><LCM_STATE>18</LCM_STATE>" in sim.ok("one.vmpool.info", ALL, -1, -1, -1)
    sim.settle(running_vm, (8, 0))
    assert "<STATE>8</STATE><LCM_STATE>0</LCM_STATE>" in sim.ok("one.vmpool.infoextended", ALL, -1, -1, -1)


def test_permissions_between_users(sim, users, owned_vms):
    demo_uid, demo = users["demo"]
    other_uid, other = users["other"]
    admin_vm, demo_vm = owned_vms["oneadmin"], owned_vms["demo"]
    assert sim.call("one.vm.info", admin_vm, session=demo) == [
        False, f"[one.vm.info] User [{demo_uid}] : Not authorized to perform USE VM [{admin_vm}].", 0x200, -1, -1]
    assert sim.call("one.vm.info", demo_vm, session=other)[2] == 0x200
    sim.ok("one.vm.chmod", demo_vm, -1, -1, -1, -1, -1, -1, 1, -1, -1, session=demo)
    assert "<VM>" in sim.ok("one.vm.info", demo_vm, session=other)
    assert sim.call("one.vm.action", "terminate", demo_vm, session=other) == [
        False, f"[one.vm.action] User [{other_uid}] : Not authorized to perform MANAGE VM [{demo_vm}].",
        0x200, -1, -1]
    assert sim.call("one.vm.action", "release", demo_vm, session=demo)[0]
    assert sim.call("one.vm.action", "resched", demo_vm, session=demo)[2] == 0x200
    assert sim.call("one.vm.action", "hold", demo_vm)[0]
    assert sim.call("one.vm.chown", demo_vm, other_uid, -1, session=demo)[2] == 0x200
    sim.ok("one.vm.chown", demo_vm, other_uid, -1)
    assert sim.vm(demo_vm).uname == "other"


def test_short_bodies_write_nic_addresses_and_scheduler_messages_as_cdata(sim):
    """VirtualMachineNic::to_xml_short and VirtualMachineTemplate::to_xml_short use
    one_util::escape_xml, which writes CDATA."""
    vm_id = sim.ok("one.vm.allocate", 'NAME="wide"\nCPU="1000"\nMEMORY="64"\nNIC=[NETWORK_ID="0"]')
    sim.run_until(lambda: sim.vm(vm_id).user_template.get("SCHED_MESSAGE"))
    entry = re.search(rf"<VM><ID>{vm_id}</ID>.*?</VM>", sim.ok("one.vmpool.info", -2, -1, -1, -1))[0]
    assert re.search(r"<NIC><IP><!\[CDATA\[10\.0\.0\.\d+\]\]></IP>", entry)
    assert re.search(r"<USER_TEMPLATE><SCHED_MESSAGE><!\[CDATA\[.*Cannot allocate VM\. .*\]\]></SCHED_MESSAGE>", entry)
