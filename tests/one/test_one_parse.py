"""Parsers: every record field from the recorded oned 7.0.2 documents.

The transcripts have no NIC, system snapshot, image snapshot, USER_TEMPLATE content,
document or virtual network; those cases insert oned-shaped elements (as vm.xsd,
image.xsd, document.xsd and vnet.xsd describe them) into recorded documents.
"""
from dataclasses import fields, replace

import pytest

from app.errors import BackendError
from app.one import parse
from app.one.records import (
    Datastore, Document, Host, Image, ImageSnapshot, Lease, Owner, Permissions, User, Vm,
    VmDisk, VmDiskSnapshot, VmHistory, VmNic, VmSnapshot, VmTemplate, Vnet,
)
from onefake import transcript_value

ONEADMIN = Owner(uid=0, uname="oneadmin", gid=0, gname="oneadmin")
OWNER_UM = Permissions(owner_use=True, owner_manage=True)


def test_full_vm_after_attach():
    vm = parse.one(transcript_value("044"), parse.vm)
    assert vm == Vm(
        id=1, name="vm-1", owner=ONEADMIN, permissions=OWNER_UM, state=3, lcm_state=3,
        cpu=0.1, vcpu=1, memory_mb=64, stime=1795261866, etime=0,
        disks=(
            VmDisk(disk_id=0, size_mb=1024, target="sda", image_id=1, image_name="tiny-os",
                   type="FILE", format="dummy_format"),
            VmDisk(disk_id=2, size_mb=10, target="sdb", image_id=0, image_name="dblock-10",
                   type="FILE", format="raw"),
        ),
        nics=(),
        history=(
            VmHistory(seq=0, hostname="localhost", host_id=0, stime=1795261874,
                      etime=1795261896, action=19, running_stime=1795261874,
                      running_etime=1795261896),
            VmHistory(seq=1, hostname="localhost", host_id=0, stime=1795261896,
                      etime=1795261896, action=21, running_stime=1795261896,
                      running_etime=1795261896),
            VmHistory(seq=2, hostname="localhost", host_id=0, stime=1795261896, etime=0,
                      action=0, running_stime=1795261896),
        ),
        snapshots=(), user_template={}, template_id=0,
        cpu_usage=0.0,      # vm.info carries the last monitoring; pools never do
    )
    assert vm.hostname == "localhost"


def test_short_pool_body_gives_defaults_for_what_it_lacks():
    [vm] = parse.pool(transcript_value("032"), parse.vm)
    assert vm == Vm(
        id=1, name="vm-1", owner=ONEADMIN, permissions=Permissions(), state=3, lcm_state=3,
        cpu=0.1, vcpu=1, memory_mb=64, stime=1795261866, etime=0,
        disks=(VmDisk(disk_id=0, size_mb=1024, image_id=1, image_name="tiny-os", type="FILE"),),
        history=(VmHistory(seq=0, hostname="localhost", host_id=0, stime=0, etime=0, action=0),),
        template_id=None,
    )


def test_extended_pool_matches_vm_info():
    [pooled] = parse.pool(transcript_value("033"), parse.vm)
    single = parse.one(transcript_value("029"), parse.vm)
    assert pooled.disks == single.disks
    assert pooled.permissions == single.permissions
    assert pooled.template_id == single.template_id == 0


@pytest.mark.parametrize("prefix, state, lcm_state", [
    ("026", 1, 0), ("028", 3, 3), ("035", 3, 18), ("036", 8, 0), ("039", 3, 20),
    ("050", 3, 26), ("070", 3, 20), ("056", 3, 12), ("058", 6, 0), ("066", 3, 27)])
def test_states_along_the_recorded_life_cycle(prefix, state, lcm_state):
    vm = parse.one(transcript_value(prefix), parse.vm)
    assert (vm.state, vm.lcm_state) == (state, lcm_state)


def test_done_vm_has_an_end_time():
    vm = parse.one(transcript_value("058"), parse.vm)
    assert vm.etime > vm.stime > 0


def test_nics_snapshots_volatile_disks_and_user_template():
    xml = transcript_value("044").replace(
        "<USER_TEMPLATE></USER_TEMPLATE>",
        "<USER_TEMPLATE><CIMI_DESCRIPTION><![CDATA[web ]]]]><![CDATA[> & more]]>"
        "</CIMI_DESCRIPTION><LABELS><![CDATA[a,b]]></LABELS>"
        "<SCHED_ACTION><ACTION><![CDATA[poweroff]]></ACTION><ID><![CDATA[0]]></ID></SCHED_ACTION>"
        "<SCHED_ACTION><ACTION><![CDATA[resume]]></ACTION><ID><![CDATA[1]]></ID></SCHED_ACTION>"
        "<EMPTY></EMPTY></USER_TEMPLATE>",
    ).replace(
        "<VMID>",
        "<NIC><AR_ID><![CDATA[0]]></AR_ID><IP><![CDATA[10.0.0.5]]></IP>"
        "<MAC><![CDATA[02:00:0a:00:00:05]]></MAC><NETWORK><![CDATA[private]]></NETWORK>"
        "<NETWORK_ID><![CDATA[3]]></NETWORK_ID><NIC_ID><![CDATA[0]]></NIC_ID></NIC>"
        "<DISK><DISK_ID><![CDATA[3]]></DISK_ID><SIZE><![CDATA[512]]></SIZE>"
        "<TARGET><![CDATA[sdc]]></TARGET><TYPE><![CDATA[swap]]></TYPE></DISK>"
        "<DISK><DISK_ID><![CDATA[4]]></DISK_ID><IMAGE_ID><![CDATA[7]]></IMAGE_ID>"
        "<PERSISTENT><![CDATA[YES]]></PERSISTENT><READONLY><![CDATA[YES]]></READONLY>"
        "<SIZE><![CDATA[20.5]]></SIZE></DISK>"
        "<SNAPSHOT><HYPERVISOR_ID><![CDATA[snap-0]]></HYPERVISOR_ID><NAME><![CDATA[before]]></NAME>"
        "<SNAPSHOT_ID><![CDATA[0]]></SNAPSHOT_ID><SYSTEM_DISK_SIZE><![CDATA[0]]></SYSTEM_DISK_SIZE>"
        "<TIME><![CDATA[1795261900]]></TIME></SNAPSHOT><VMID>", 1)
    vm = parse.one(xml, parse.vm)
    assert vm.nics == (VmNic(nic_id=0, network_id=3, network_name="private", ip="10.0.0.5",
                             mac="02:00:0a:00:00:05"),)
    assert vm.disks[2:] == (
        VmDisk(disk_id=3, size_mb=512, target="sdc", type="swap"),
        VmDisk(disk_id=4, size_mb=20, image_id=7, readonly=True, persistent=True),
    )
    assert [disk.volatile for disk in vm.disks[2:]] == [True, False]
    assert vm.snapshots == (VmSnapshot(snapshot_id=0, name="before", time=1795261900),)
    assert vm.user_template == {
        "CIMI_DESCRIPTION": "web ]]> & more",
        "LABELS": "a,b",
        "SCHED_ACTION": [{"ACTION": "poweroff", "ID": "0"}, {"ACTION": "resume", "ID": "1"}],
        "EMPTY": "",
    }


def test_disk_snapshots():
    xml = transcript_value("044").replace(
        "</VM>",
        "<SNAPSHOTS><ALLOW_ORPHANS><![CDATA[YES]]></ALLOW_ORPHANS><CURRENT_BASE>-1</CURRENT_BASE>"
        "<DISK_ID>0</DISK_ID><NEXT_SNAPSHOT>2</NEXT_SNAPSHOT>"
        "<SNAPSHOT><DATE>1795261901</DATE><ID>0</ID><NAME>a</NAME><PARENT>-1</PARENT>"
        "<SIZE>1024</SIZE></SNAPSHOT>"
        "<SNAPSHOT><ACTIVE>YES</ACTIVE><DATE>1795261902</DATE><ID>1</ID><NAME>b</NAME>"
        "<PARENT>-1</PARENT><SIZE>1024</SIZE></SNAPSHOT></SNAPSHOTS>"
        "<SNAPSHOTS><ALLOW_ORPHANS><![CDATA[YES]]></ALLOW_ORPHANS><CURRENT_BASE>-1</CURRENT_BASE>"
        "<DISK_ID>2</DISK_ID><NEXT_SNAPSHOT>1</NEXT_SNAPSHOT>"
        "<SNAPSHOT><ACTIVE>YES</ACTIVE><DATE>1795261903</DATE><ID>0</ID><NAME>c</NAME>"
        "<PARENT>-1</PARENT><SIZE>10</SIZE></SNAPSHOT></SNAPSHOTS></VM>")
    assert parse.one(xml, parse.vm).disk_snapshots == (
        VmDiskSnapshot(disk_id=0, snapshot_id=0, name="a", date=1795261901, size_mb=1024),
        VmDiskSnapshot(disk_id=0, snapshot_id=1, name="b", date=1795261902, size_mb=1024,
                       active=True),
        VmDiskSnapshot(disk_id=2, snapshot_id=0, name="c", date=1795261903, size_mb=10,
                       active=True),
    )


def test_image():
    image = parse.one(transcript_value("053"), parse.image)
    assert image == Image(
        id=2, name="saved-from-vm-1", owner=ONEADMIN, permissions=OWNER_UM, type="OS",
        state=1, persistent=False, size_mb=1024, format="dummy_format", path="",
        source="dummy_path", regtime=1795261897, running_vms=0, vm_ids=(), datastore_id=1,
        template={"DEV_PREFIX": "sd", "SAVED_DISK_ID": "0", "SAVED_IMAGE_ID": "1",
                  "SAVED_VM_ID": "1"},
        snapshots=(), datastore="default",
    )


def test_image_in_use_with_snapshots():
    xml = transcript_value("016").replace(
        "<PERSISTENT>0</PERSISTENT>", "<PERSISTENT>1</PERSISTENT>").replace(
        "<STATE>1</STATE>", "<STATE>8</STATE>").replace(
        "<RUNNING_VMS>0</RUNNING_VMS>", "<RUNNING_VMS>1</RUNNING_VMS>").replace(
        "<VMS></VMS>", "<VMS><ID>4</ID><ID>9</ID></VMS>").replace(
        "<NEXT_SNAPSHOT><![CDATA[0]]></NEXT_SNAPSHOT>",
        "<NEXT_SNAPSHOT><![CDATA[1]]></NEXT_SNAPSHOT><SNAPSHOT><ACTIVE>YES</ACTIVE>"
        "<DATE>1795261999</DATE><ID>0</ID><NAME>nightly</NAME><PARENT>-1</PARENT>"
        "<SIZE>10</SIZE></SNAPSHOT>")
    image = parse.one(xml, parse.image)
    assert (image.type, image.state, image.persistent) == ("DATABLOCK", 8, True)
    assert (image.running_vms, image.vm_ids) == (1, (4, 9))
    assert image.snapshots == (ImageSnapshot(snapshot_id=0, name="nightly", date=1795261999,
                                             size_mb=10),)


@pytest.mark.parametrize("vms, ids", [
    ("".join(f"<ID>{number}</ID>" for number in range(5000)), tuple(range(5000))),
    ("<ID> 7 </ID><ID>-3</ID>", (7, -3)),
    # what is not an integer reads as the other numbers of oned's documents do
    ("<ID>1</ID><ID></ID><ID/><ID>2.5</ID><ID>x</ID>", (1, -1, -1, 2, -1)),
])
def test_image_users_ids(vms, ids):
    xml = transcript_value("016").replace("<VMS></VMS>", f"<VMS>{vms}</VMS>")
    assert parse.one(xml, parse.image).vm_ids == ids


def test_an_image_alone_is_the_image_without_its_users():
    xml = transcript_value("016").replace("<VMS></VMS>", "<VMS><ID>4</ID><ID>9</ID></VMS>")
    whole, alone = parse.one(xml, parse.image), parse.one(xml, parse.image_alone)
    assert (whole.vm_ids, alone.vm_ids) == ((4, 9), ())
    assert replace(alone, vm_ids=whole.vm_ids) == whole


def test_image_pool_in_oned_order():
    assert [image.name for image in parse.pool(transcript_value("021"), parse.image)] == [
        "tiny-os", "dblock-10"]


def test_vm_template():
    [template] = parse.pool(transcript_value("024"), parse.vm_template)
    assert template.id == 0 and template.name == "tiny-vm"
    assert template.owner == ONEADMIN and template.permissions == OWNER_UM
    assert template.regtime == 1795261866
    assert template.template == {
        "CONTEXT": {"NETWORK": "YES", "SSH_PUBLIC_KEY": "$USER[SSH_PUBLIC_KEY]"},
        "CPU": "0.1", "DISK": {"IMAGE_ID": "1"},
        "GRAPHICS": {"LISTEN": "127.0.0.1", "TYPE": "VNC"}, "MEMORY": "64", "VCPU": "1",
    }
    assert parse.one(transcript_value("023"), parse.vm_template) == template


def test_user():
    assert parse.one(transcript_value("003"), parse.user) == User(
        id=0, name="oneadmin", gid=0, gname="oneadmin", group_ids=(0,),
        template={"TOKEN_PASSWORD": "93b82173b56d6b3628f71eb133d38c00935a19286082aac9c23bad469903494e"})


def test_datastores():
    pool = parse.pool(transcript_value("004"), parse.datastore)
    assert [(ds.id, ds.name, ds.type) for ds in pool] == [(2, "files", 2), (1, "default", 0),
                                                          (0, "system", 1)]
    default = pool[1]
    assert isinstance(default, Datastore)
    assert (default.ds_mad, default.tm_mad, default.state) == ("fs", "local", 0)
    assert (default.total_mb, default.free_mb, default.used_mb) == (0, 0, 0)
    assert default.cluster_ids == (0,)
    assert default.permissions.group_use and not default.permissions.other_use
    assert default.template["TYPE"] == "IMAGE_DS"


def test_host():
    host = parse.one(transcript_value("012"), parse.host)
    assert isinstance(host, Host)
    assert (host.id, host.name, host.state, host.cluster_id, host.cluster) == (
        0, "localhost", 2, 0, "default")
    assert (host.im_mad, host.vm_mad) == ("dummy", "dummy")
    assert (host.max_cpu, host.max_mem_kb, host.cpu_usage, host.mem_usage_kb,
            host.running_vms) == (800, 16777216, 0, 0, 0)
    assert host.template["HYPERVISOR"] == "dummy"
    assert parse.pool(transcript_value("005"), parse.host) == ()


def test_document():
    xml = ("<DOCUMENT><ID>7</ID><UID>2</UID><GID>1</GID><UNAME>alice</UNAME>"
           "<GNAME>users</GNAME><NAME>small</NAME><TYPE>8001</TYPE><PERMISSIONS>"
           "<OWNER_U>1</OWNER_U><OWNER_M>1</OWNER_M><OWNER_A>0</OWNER_A><GROUP_U>1</GROUP_U>"
           "<GROUP_M>0</GROUP_M><GROUP_A>0</GROUP_A><OTHER_U>1</OTHER_U><OTHER_M>0</OTHER_M>"
           "<OTHER_A>0</OTHER_A></PERMISSIONS><LOCK><LOCKED>1</LOCKED></LOCK>"
           "<TEMPLATE><CPU><![CDATA[1]]></CPU></TEMPLATE></DOCUMENT>")
    assert parse.one(xml, parse.one_document) == Document(
        id=7, name="small", owner=Owner(uid=2, uname="alice", gid=1, gname="users"),
        permissions=Permissions(owner_use=True, owner_manage=True, group_use=True,
                                other_use=True),
        type=8001, template={"CPU": "1"})


def test_vnet_with_leases():
    xml = ("<VNET><ID>3</ID><UID>0</UID><GID>0</GID><UNAME>oneadmin</UNAME>"
           "<GNAME>oneadmin</GNAME><NAME>private</NAME><PERMISSIONS><OWNER_U>1</OWNER_U>"
           "<OWNER_M>1</OWNER_M><OWNER_A>0</OWNER_A><GROUP_U>1</GROUP_U><GROUP_M>0</GROUP_M>"
           "<GROUP_A>0</GROUP_A><OTHER_U>0</OTHER_U><OTHER_M>0</OTHER_M><OTHER_A>0</OTHER_A>"
           "</PERMISSIONS><CLUSTERS><ID>0</ID></CLUSTERS><BRIDGE>br0</BRIDGE><STATE>5</STATE>"
           "<AR_POOL><AR><AR_ID><![CDATA[0]]></AR_ID><IP><![CDATA[10.0.0.1]]></IP>"
           "<LEASES><LEASE><IP><![CDATA[10.0.0.5]]></IP><MAC><![CDATA[02:00:0a:00:00:05]]></MAC>"
           "<VM><![CDATA[1]]></VM></LEASE><LEASE><IP><![CDATA[10.0.0.6]]></IP>"
           "<MAC><![CDATA[02:00:0a:00:00:06]]></MAC></LEASE></LEASES></AR></AR_POOL>"
           "<TEMPLATE><VN_MAD><![CDATA[dummy]]></VN_MAD></TEMPLATE></VNET>")
    assert parse.one(xml, parse.vnet) == Vnet(
        id=3, name="private", owner=ONEADMIN,
        permissions=Permissions(owner_use=True, owner_manage=True, group_use=True),
        bridge="br0", state=5,
        leases=(Lease(ip="10.0.0.5", mac="02:00:0a:00:00:05", vm_id=1),
                Lease(ip="10.0.0.6", mac="02:00:0a:00:00:06", vm_id=None)),
        template={"VN_MAD": "dummy"})


# Record fields no element holds: what parse.py takes from an enclosing element (a disk
# snapshot's disk).
DERIVED = {VmDiskSnapshot: {"disk_id"}}
# Fields a mapping leaves unread on purpose.
LEFT_OUT = {parse.image_alone: {"vm_ids"}}


def test_every_field_of_a_mapped_record_is_read_or_derived():
    mappings = [value for value in vars(parse).values() if isinstance(value, parse.Mapping)]
    assert {mapping.record for mapping in mappings} == {
        Owner, Permissions, Image, ImageSnapshot, VmTemplate, Document, Vnet, Lease, User,
        Datastore, Host, VmDisk, VmDiskSnapshot}
    for mapping in mappings:
        names = [name for name, _tag, _read in mapping.rows]
        assert len(names) == len(set(names)), mapping.record
        assert set(names) | DERIVED.get(mapping.record, set()) | LEFT_OUT.get(mapping, set()) \
            == {field.name for field in fields(mapping.record)}, mapping.record


def test_missing_elements_read_as_defaults():
    nobody = Owner(uid=-1, uname="", gid=-1, gname="")
    assert parse.one("<IMAGE/>", parse.image) == Image(
        id=-1, name="", owner=nobody, permissions=Permissions(), type="OS", state=0,
        persistent=False, size_mb=0, format="", path="", source="", regtime=0, running_vms=0)
    assert parse.one("<HOST><HOST_SHARE/></HOST>", parse.host) == Host(
        id=-1, name="", state=0, cluster_id=-1, cluster="", im_mad="", vm_mad="", max_cpu=0,
        max_mem_kb=0, cpu_usage=0, mem_usage_kb=0, running_vms=0)
    assert parse.one("<VNET><AR_POOL/></VNET>", parse.vnet) == Vnet(
        id=-1, name="", owner=nobody, permissions=Permissions(), state=-1)


def test_a_declaration_and_non_ascii_text_are_fine():
    xml = ('<?xml version="1.0" encoding="UTF-8"?><IMAGE_POOL><IMAGE><ID>5</ID>'
           '<NAME>Ünïcødé ☃</NAME></IMAGE></IMAGE_POOL>')
    [image] = parse.pool(xml, parse.image)
    assert image.name == "Ünïcødé ☃"


def test_entities_are_not_expanded():
    xml = ('<!DOCTYPE VM [<!ENTITY boom "expanded">]><VM><ID>1</ID><NAME>&boom;</NAME></VM>')
    assert parse.one(xml, parse.vm).name != "expanded"


def test_unreadable_documents_are_backend_errors():
    with pytest.raises(BackendError):
        parse.one("<VM><ID>1</ID>", parse.vm)
