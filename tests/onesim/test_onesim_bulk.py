"""onesim.bulk: VMs seeded in bulk are the VMs one.vm.allocate makes, seen the same way by
every reader (pool, info, images, hosts), kept across a restart, and reachable through the
control endpoint."""
import re
import xmlrpc.client

import pyone
import pytest

from onesim.testing import running_onesim

TEMPLATE = ('NAME="bulk"\nCPU="1"\nVCPU="1"\nMEMORY="128"\nDISK=[IMAGE_ID="0"]\n'
            'DISK=[TYPE="swap",SIZE="512"]\nCIMI_DESCRIPTION="seeded"\n')
TTYLINUX = 0
HOLD, ACTIVE, RUNNING = 2, 3, 3
# What differs between two VMs made from one template a moment apart.
PER_VM = re.compile(r"<(ID|NAME|VMID|UUID|STIME)>(<!\[CDATA\[)?[^<\]]*(\]\]>)?</\1>")


# The dummy monitor's first report on a running VM comes a moment after it boots.
MONITOR_REPORT = re.compile(r"<LAST_POLL>\d+</LAST_POLL>|<MONITORING>.*?</MONITORING>|<MONITORING/>")


def normalized(xml):
    return PER_VM.sub(r"<\1/>", xml)


def unmonitored(xml):
    return MONITOR_REPORT.sub("", xml)


@pytest.fixture
def one(tmp_path):
    with running_onesim(data_dir=tmp_path, seed="demo") as handle:
        yield handle


def pool_entries(client, state=-1):
    document = client.vmpool.info(-2, -1, -1, state)
    return {vm.ID: vm for vm in document.VM}


def raw_pool(one, method="vmpool.info"):
    proxy = xmlrpc.client.ServerProxy(one.endpoint)
    envelope = getattr(proxy, f"one.{method}")(one.demo_session, -2, -1, -1, -1)
    assert envelope[0], envelope
    return envelope[1]


def test_seeded_vms_read_like_allocated_ones(one, validate_xml):
    demo = pyone.OneServer(one.endpoint, session=one.demo_session)
    allocated = demo.vm.allocate(TEMPLATE, True)
    seeded = one.seed_vms(one.demo_session, TEMPLATE, 5, running=2)
    assert seeded == list(range(allocated + 1, allocated + 6))
    assert [demo.vm.info(vm_id).NAME for vm_id in seeded] == [f"bulk-{n}" for n in range(1, 6)]
    validate_xml(raw_pool(one), "vm_pool.xsd")
    emulator = one.emulator
    reference = emulator.pool("vm").get(allocated)
    held = [emulator.pool("vm").get(vm_id) for vm_id in seeded if demo.vm.info(vm_id).STATE == HOLD]
    assert len(held) == 3
    for vm in held:
        assert normalized(vm.short_xml) == normalized(reference.short_xml)
        assert normalized(vm.xml) == normalized(reference.xml)
    uuids = {vm.template.vectors("OS")[0]["UUID"] for vm in [reference, *held]}
    assert len(uuids) == 4
    assert demo.vm.allocate(TEMPLATE, True) == seeded[-1] + 1


def test_running_copies_are_deployed_on_hosts_with_room(one, validate_xml):
    demo = pyone.OneServer(one.endpoint, session=one.demo_session)
    admin = pyone.OneServer(one.endpoint, session=one.admin_session)
    seeded = one.seed_vms(one.demo_session, TEMPLATE, 40, running=10)
    active = pool_entries(demo, ACTIVE)
    assert len(active) == 10 and set(active) <= set(seeded)
    assert {vm.LCM_STATE for vm in active.values()} == {RUNNING}
    # Spread over the pool rather than bunched at one end.
    assert min(active) < seeded[10] and max(active) > seeded[-11]
    validate_xml(raw_pool(one), "vm_pool.xsd")
    for vm_id in active:
        info = demo.vm.info(vm_id)
        assert info.HISTORY_RECORDS.HISTORY[0].HOSTNAME
        assert info.DEPLOY_ID
    # The demo host holds 8 one-CPU VMs: the others went to hosts added for them.
    hosts = admin.hostpool.info().HOST
    placed = sorted(vm_id for host in hosts for vm_id in host.VMS.ID)
    assert placed == sorted(active)
    assert all(host.HOST_SHARE.CPU_USAGE <= host.HOST_SHARE.MAX_CPU for host in hosts)
    image = admin.image.info(TTYLINUX)
    assert image.RUNNING_VMS == 40 and sorted(image.VMS.ID) == seeded


def test_seeded_vms_survive_a_restart(tmp_path):
    with running_onesim(data_dir=tmp_path, seed="demo") as one:
        seeded = one.seed_vms(one.demo_session, TEMPLATE, 20, running=1)
        before = unmonitored(raw_pool(one, "vmpool.infoextended"))
    with running_onesim(data_dir=tmp_path, seed="demo") as one:
        assert unmonitored(raw_pool(one, "vmpool.infoextended")) == before
        assert len(one.emulator.pool("vm")) == len(seeded)


def test_bad_requests_change_nothing(one):
    admin = pyone.OneServer(one.endpoint, session=one.admin_session)
    persistent = admin.image.allocate('NAME="disk"\nTYPE="DATABLOCK"\nSIZE="10"\nPERSISTENT="YES"', 1)
    with pytest.raises(RuntimeError, match="count must be at least 1"):
        one.seed_vms(one.demo_session, TEMPLATE, 0)
    with pytest.raises(RuntimeError, match="count must be at least 1"):
        one.seed_vms(one.demo_session, TEMPLATE, 3, running=4)
    with pytest.raises(RuntimeError, match="persistent image"):
        one.seed_vms(one.admin_session, f'CPU="1"\nMEMORY="64"\nDISK=[IMAGE_ID="{persistent}"]', 2)
    with pytest.raises(RuntimeError, match="MEMORY"):
        one.seed_vms(one.demo_session, 'CPU="1"', 2)
    assert len(one.emulator.pool("vm")) == 0


def test_control_endpoint_seeds_and_counts_calls(tmp_path):
    with running_onesim(data_dir=tmp_path, seed="demo", in_process=False) as one:
        seeded = one.seed_vms(one.demo_session, TEMPLATE, 30, 3)
        assert len(seeded) == 30
        before = one.calls()
        demo = pyone.OneServer(one.endpoint, session=one.demo_session)
        assert len(demo.vmpool.info(-2, -1, -1, ACTIVE).VM) == 3
        demo.vm.info(seeded[0])
        demo.vm.info(seeded[1])
        after = one.calls()
        assert after.get("one.vm.info", 0) - before.get("one.vm.info", 0) == 2
        assert after.get("one.vmpool.info", 0) - before.get("one.vmpool.info", 0) == 1
        with pytest.raises(RuntimeError, match="count must be at least 1"):
            one.seed_vms(one.demo_session, TEMPLATE, 0)
