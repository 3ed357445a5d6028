"""What VMs take and give back: images (persistent, non-persistent, read-only, CDROM),
volatile disks, network leases, host capacity; persistence across a restart; and two
clients racing for one persistent image."""
import re
import threading

import pyone

from onesim_vm_support import SMALL_VM, Sim, ready_image

READY, USED, USED_PERS = 1, 2, 8
RUNNING, DONE = (3, 3), (6, 0)


def image(sim, image_id):
    return sim.emulator.pool("image").get(image_id)


def vm_with(sim, *vectors, hold=False):
    return sim.call("one.vm.allocate", SMALL_VM + "\n".join(vectors), hold)


def terminate(sim, vm_id):
    sim.ok("one.vm.action", "terminate-hard", vm_id)
    sim.settle(vm_id, DONE)


def test_a_persistent_image_serves_one_vm(sim):
    volume = ready_image(sim, 'NAME="volume"\nTYPE="DATABLOCK"\nSIZE="10"\nPERSISTENT="YES"')
    first = vm_with(sim, f'DISK=[IMAGE_ID="{volume}"]')[1]
    disk = sim.vm(first).disks()[0]
    assert (disk["CLONE"], disk["SAVE"], disk["PERSISTENT"]) == ("NO", "YES", "YES")
    assert image(sim, volume).state == USED_PERS
    assert vm_with(sim, f'DISK=[IMAGE_ID="{volume}"]')[:3] == [
        False, f"[one.vm.allocate] DISK 0: Cannot acquire image {volume}, it is persistent and already in use",
        0x2000]
    sim.settle(first, RUNNING)
    terminate(sim, first)
    assert image(sim, volume).state == READY
    assert vm_with(sim, f'DISK=[IMAGE_ID="{volume}"]')[0]


def test_non_persistent_images_are_shared_and_released(sim):
    os_image = ready_image(sim, 'NAME="os"\nTYPE="OS"\nPATH="/var/lib/one/os.img"')
    first = vm_with(sim, f'DISK=[IMAGE_ID="{os_image}"]')[1]
    second = vm_with(sim, f'DISK=[IMAGE="os"]')[1]
    assert sim.vm(first).disks()[0]["CLONE"] == "YES"
    assert (image(sim, os_image).state, image(sim, os_image).running_vms) == (USED, 2)
    terminate(sim, first)
    assert image(sim, os_image).state == USED
    terminate(sim, second)
    assert (image(sim, os_image).state, image(sim, os_image).running_vms) == (READY, 0)


def test_disk_targets_as_oned_assigns_them(sim):
    cdrom = ready_image(sim, 'NAME="iso"\nTYPE="CDROM"\nPATH="/var/lib/one/x.iso"')
    data = ready_image(sim, 'NAME="data"\nTYPE="DATABLOCK"\nSIZE="5"')
    os_image = ready_image(sim, 'NAME="os"\nTYPE="OS"\nPATH="/var/lib/one/os.img"')
    vm_id = vm_with(sim, f'DISK=[IMAGE_ID="{data}"]', f'DISK=[IMAGE_ID="{cdrom}"]',
                    'DISK=[TYPE="swap",SIZE="64"]', f'DISK=[IMAGE_ID="{os_image}"]',
                    'CONTEXT=[NETWORK="YES"]')[1]
    vm = sim.vm(vm_id)
    targets = {disk["DISK_ID"]: (disk["TARGET"], disk.get("READONLY")) for disk in vm.disks()}
    assert targets == {"0": ("sdb", "NO"), "1": ("hda", "YES"), "2": ("sdc", None), "3": ("sda", "NO")}
    context = vm.template.vectors("CONTEXT")[0]
    assert (context["DISK_ID"], context["TARGET"]) == ("4", "hdb")


def test_read_only_cdroms_are_shared(sim):
    cdrom = ready_image(sim, 'NAME="iso"\nTYPE="CDROM"\nPATH="/var/lib/one/x.iso"')
    assert vm_with(sim, f'DISK=[IMAGE_ID="{cdrom}"]')[0]
    assert vm_with(sim, f'DISK=[IMAGE_ID="{cdrom}"]')[0]
    assert image(sim, cdrom).running_vms == 2


def test_volatile_disks_vanish_with_the_vm(sim):
    vm_id = vm_with(sim, 'DISK=[TYPE="fs",SIZE="100"]')[1]
    images_before = len(sim.emulator.pool("image"))
    sim.settle(vm_id, RUNNING)
    disk = sim.vm(vm_id).disks()[0]
    assert (disk["TYPE"], disk["SIZE"], disk["FORMAT"], disk["DATASTORE_ID"]) == ("fs", "100", "raw", "0")
    terminate(sim, vm_id)
    assert len(sim.emulator.pool("image")) == images_before
    assert vm_with(sim, 'DISK=[TYPE="fs"]')[:3] == [
        False, "[one.vm.allocate] DISK 0: SIZE attribute must be a positive integer value.", 0x2000]


def test_nics_lease_addresses_and_give_them_back(sim):
    vnet = sim.emulator.pool("vnet").by_name("private")
    first = vm_with(sim, f'NIC=[NETWORK_ID="{vnet.id}"]', 'CONTEXT=[NETWORK="YES"]')[1]
    second = vm_with(sim, 'NIC=[NETWORK="private"]')[1]
    first_nic, second_nic = sim.vm(first).nics()[0], sim.vm(second).nics()[0]
    assert first_nic["IP"] != second_nic["IP"] and first_nic["MAC"] != second_nic["MAC"]
    assert (first_nic["NIC_ID"], first_nic["NETWORK"], first_nic["TARGET"]) == ("0", "private", f"one-{first}-0")
    context = sim.vm(first).template.vectors("CONTEXT")[0]
    assert (context["ETH0_IP"], context["ETH0_MAC"]) == (first_nic["IP"], first_nic["MAC"])
    assert (context["ETH0_GATEWAY"], context["ETH0_MASK"], context["ETH0_NETWORK"]) == (
        "10.0.0.1", "255.255.255.0", "10.0.0.0")
    assert f"<IP><![CDATA[{first_nic['IP']}]]></IP>" in sim.ok("one.vmpool.info", -2, -1, -1, -1)
    terminate(sim, first)
    third = vm_with(sim, 'NIC=[NETWORK="private"]')[1]
    assert sim.vm(third).nics()[0]["IP"] == first_nic["IP"]


def test_attach_and_detach_nic(sim, running_vm):
    sim.ok("one.vm.attachnic", running_vm, 'NIC=[NETWORK="private"]')
    assert sim.settle(running_vm, RUNNING) == [(3, 25), RUNNING]
    assert sim.vm(running_vm).nics()[0]["NIC_ID"] == "0"
    sim.ok("one.vm.detachnic", running_vm, 0)
    assert sim.settle(running_vm, RUNNING) == [(3, 25), RUNNING]
    assert sim.vm(running_vm).nics() == []
    assert sim.call("one.vm.detachnic", running_vm, 7)[:2] == [
        False, "[one.vm.detachnic] Could not detach NIC with NIC_ID 7, it does not exist."]


def test_attach_needs_a_deployed_vm(sim):
    vm_id = vm_with(sim, hold=True)[1]
    assert sim.call("one.vm.attach", vm_id, 'DISK=[TYPE="fs",SIZE="1"]')[:3] == [
        False, "[one.vm.attach] VM is not running in any host", 0x800]


def test_a_vm_that_fits_nowhere_stays_pending(sim):
    host = next(iter(sim.emulator.pool("host").values()))
    big = f'NAME="big"\nCPU="{host.max_cpu / 100 * 0.75}"\nMEMORY="64"'
    first = sim.ok("one.vm.allocate", big)
    sim.settle(first, RUNNING)
    second = sim.ok("one.vm.allocate", big)
    for _ in range(50):
        sim.tick()
    assert sim.position(second) == (1, 0)
    terminate(sim, first)
    assert sim.settle(second, RUNNING)[-1] == RUNNING
    assert host.vms == [second]


def test_everything_survives_a_restart(sim, running_vm):
    paused = sim.ok("one.vm.allocate", SMALL_VM)
    sim.settle(paused, RUNNING)
    sim.ok("one.vm.action", "poweroff", paused)
    documents = {vm_id: sim.ok("one.vm.info", vm_id) for vm_id in (running_vm, paused)}
    pool = sim.ok("one.vmpool.infoextended", -2, -1, -1, -2)
    sim.stop()
    again = Sim(sim.data_dir)
    try:
        assert {vm_id: again.ok("one.vm.info", vm_id) for vm_id in documents} == documents
        assert again.ok("one.vmpool.infoextended", -2, -1, -1, -2) == pool
        assert again.settle(paused, (8, 0)) == [(3, 18), (8, 0)]
        again.ok("one.vm.action", "poweroff", running_vm)
        assert again.settle(running_vm, (8, 0)) == [(3, 18), (8, 0)]
        fresh = again.ok("one.vm.allocate", SMALL_VM)
        again.settle(fresh, RUNNING)
    finally:
        again.stop()
    once_more = Sim(sim.data_dir)
    try:
        once_more.run_until(lambda: once_more.vm(fresh).last_poll)
    finally:
        once_more.stop()


def test_two_clients_race_for_one_persistent_image(sim):
    volume = ready_image(sim, 'NAME="volume"\nTYPE="DATABLOCK"\nSIZE="10"\nPERSISTENT="YES"')
    template_id = sim.ok("one.template.allocate", SMALL_VM + f'DISK=[IMAGE_ID="{volume}"]')
    start = threading.Barrier(2)
    outcomes = []

    def instantiate(name):
        client = pyone.OneServer(sim.url, session=sim.admin)
        start.wait(timeout=30)
        try:
            outcomes.append(("won", client.template.instantiate(template_id, name, False, "", False)))
        except pyone.OneException as error:
            outcomes.append(("lost", str(error)))

    racers = [threading.Thread(target=instantiate, args=(name,)) for name in ("left", "right")]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=60)
    assert sorted(kind for kind, _ in outcomes) == ["lost", "won"]
    (lost_message,) = [detail for kind, detail in outcomes if kind == "lost"]
    assert "it is persistent and already in use" in lost_message
    (winner,) = [detail for kind, detail in outcomes if kind == "won"]
    assert image(sim, volume).vms == [winner]


def test_a_vm_waits_in_cloning_for_its_images(sim):
    fresh = sim.ok("one.image.allocate", 'NAME="fresh"\nTYPE="DATABLOCK"\nSIZE="10"', 1)
    vm_id = vm_with(sim, f'DISK=[IMAGE_ID="{fresh}"]', hold=True)[1]
    assert sim.position(vm_id) == (10, 0)
    assert sim.walk(vm_id, lambda position: position != (10, 0)) == [(10, 0), (2, 0)]


def test_the_scheduler_says_why_a_vm_waits(sim):
    host = next(iter(sim.emulator.pool("host").values()))
    vm_id = sim.ok("one.vm.allocate", f'NAME="huge"\nCPU="{host.max_cpu}"\nMEMORY="64"')
    sim.run_until(lambda: sim.vm(vm_id).user_template.get("SCHED_MESSAGE"))
    # The rank scheduler's words after oned's ctime() stamp (set_template_error_message).
    message = re.search(r"<SCHED_MESSAGE><!\[CDATA\[(.*?)\]\]></SCHED_MESSAGE>", sim.ok("one.vmpool.info", -2, -1, -1, -1))[1]
    assert re.fullmatch(r"\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}: "
                        rf"Cannot allocate VM\. Not enough capacity in hosts {host.id}", message)
    assert sim.position(vm_id) == (1, 0)


def test_read_only_disks_are_shared(sim):
    data = ready_image(sim, 'NAME="reference-data"\nTYPE="DATABLOCK"\nSIZE="10"')
    readers = [vm_with(sim, f'DISK=[IMAGE_ID="{data}",READONLY="YES"]')[1] for _ in range(2)]
    assert [sim.vm(reader).disks()[0]["READONLY"] for reader in readers] == ["YES", "YES"]
    assert image(sim, data).vms == readers


def test_networks_and_images_by_name_belong_to_the_caller_unless_told(sim):
    demo_uid = sim.emulator.pool("user").by_name("demo").id
    assert sim.call("one.vm.allocate", SMALL_VM + 'NIC=[NETWORK="private"]', True, session=sim.demo)[:3] == [
        False, f"[one.vm.allocate] User {demo_uid} does not own a "
               "network with name: private . Set NETWORK_UNAME or NETWORK_UID of owner in NIC.", 0x2000]
    vm_id = sim.ok("one.vm.allocate", SMALL_VM + 'NIC=[NETWORK="private",NETWORK_UNAME="oneadmin"]\n'
                   'DISK=[IMAGE="ttylinux",IMAGE_UID="0"]', True, session=sim.demo)
    assert sim.vm(vm_id).nics()[0]["NETWORK"] == "private"
    assert sim.vm(vm_id).disks()[0]["IMAGE"] == "ttylinux"


def test_a_shareable_persistent_image_serves_many_vms(sim):
    shared = ready_image(sim, 'NAME="shared"\nTYPE="DATABLOCK"\nSIZE="10"\nPERSISTENT="YES"\n'
                            'PERSISTENT_TYPE="SHAREABLE"')
    users = [vm_with(sim, f'DISK=[IMAGE_ID="{shared}",READONLY="YES"]')[1] for _ in range(2)]
    assert (image(sim, shared).state, image(sim, shared).vms) == (USED_PERS, users)


def test_a_hot_plugged_nic_joins_the_network_context_and_its_security_groups(sim):
    vm_id = sim.ok("one.vm.allocate", SMALL_VM + 'CONTEXT=[NETWORK="YES"]')
    sim.settle(vm_id, RUNNING)
    assert not sim.vm(vm_id).template.vectors("SECURITY_GROUP_RULE")
    sim.ok("one.vm.attachnic", vm_id, 'NIC=[NETWORK_ID="0"]')
    sim.settle(vm_id, RUNNING)
    (context,) = sim.vm(vm_id).template.vectors("CONTEXT")
    (nic,) = sim.vm(vm_id).nics()
    assert (context["ETH0_IP"], context["ETH0_GATEWAY"], context["ETH0_MTU"]) == (nic["IP"], "10.0.0.1", "")
    rules = sim.vm(vm_id).template.vectors("SECURITY_GROUP_RULE")
    assert [(rule["SECURITY_GROUP_ID"], rule["RULE_TYPE"]) for rule in rules] == [("0", "OUTBOUND"), ("0", "INBOUND")]
    sim.ok("one.vm.detachnic", vm_id, 0)
    sim.settle(vm_id, RUNNING)
    (context,) = sim.vm(vm_id).template.vectors("CONTEXT")
    assert not any(key.startswith("ETH0_") for key in context)
    assert not sim.vm(vm_id).template.vectors("SECURITY_GROUP_RULE")


def test_missing_images_and_networks_are_named_as_oned_does(sim, running_vm):
    assert vm_with(sim, 'DISK=[IMAGE_ID="9999"]')[:3] == [
        False, "[one.vm.allocate] DISK 0: Image with ID: 9999 does not exist", 0x2000]
    assert vm_with(sim, 'NIC=[NETWORK_ID="9999"]')[:3] == [
        False, "[one.vm.allocate] Virtual network with ID: 9999 does not exist", 0x2000]
    assert sim.call("one.vm.attach", running_vm, 'DISK=[IMAGE_ID="9999"]')[:3] == [
        False, "[one.vm.attach] Image with ID: 9999 does not exist", 0x800]
    assert sim.call("one.vm.attachnic", running_vm, 'NIC=[NETWORK_ID="9999"]')[:3] == [
        False, "[one.vm.attachnic] Virtual network with ID: 9999 does not exist", 0x800]
    assert sim.call("one.vm.attach", running_vm, 'DISK=[TYPE="fs"]')[:3] == [
        False, "[one.vm.attach] SIZE attribute must be a positive integer value.", 0x800]
