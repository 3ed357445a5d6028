"""Users, groups, documents, hosts and networks."""
import pyone
import pytest

from onesim import hosts, vnets
from onesim.auth import Caller
from onesim.errors import OneError


def test_user_allocate_defaults_to_the_users_group(admin, unique):
    name = unique("u")
    uid = admin.user.allocate(name, "pw", "", [])
    user = admin.user.info(uid)
    assert (user.NAME, user.GID, user.GNAME, user.GROUPS.ID, user.AUTH_DRIVER) == (name, 1, "users", [1], "core")
    assert uid in admin.group.info(1).USERS.ID


def test_user_allocate_errors(admin, unique):
    name = unique("dup")
    uid = admin.user.allocate(name, "pw", "", [])
    with pytest.raises(pyone.OneException, match=f"NAME is already taken by USER {uid}."):
        admin.user.allocate(name, "pw", "", [])
    with pytest.raises(pyone.OneException, match="Invalid password"):
        admin.user.allocate(unique("nopw"), "", "", [])
    with pytest.raises(pyone.OneNoExistsException, match=r"Error getting group \[99\]."):
        admin.user.allocate(unique("nogroup"), "pw", "", [99])


def test_user_update_merges_or_replaces(sim, new_user):
    uid, session = new_user()
    user = pyone.OneServer(sim.endpoint, session=session)
    user.user.update(uid, 'SSH_PUBLIC_KEY="ssh-rsa AAA"', 1)
    template = user.user.info(-1).TEMPLATE
    assert template["SSH_PUBLIC_KEY"] == "ssh-rsa AAA" and "TOKEN_PASSWORD" in template
    user.user.update(uid, 'LANG="en"', 0)
    assert dict(user.user.info(-1).TEMPLATE) == {"LANG": "en"}


def test_user_info_of_a_missing_user(admin):
    with pytest.raises(pyone.OneNoExistsException, match=r"\[one.user.info\] Error getting user \[999\]."):
        admin.user.info(999)


def test_groups_are_visible_to_their_members(demo, admin):
    assert demo.group.info(1).NAME == "users"
    assert [group.NAME for group in demo.grouppool.info().GROUP] == ["users"]
    assert [group.ID for group in admin.grouppool.info().GROUP] == [1, 0]
    with pytest.raises(pyone.OneAuthorizationException):
        demo.group.info(0)


def test_documents_by_type(demo, unique):
    name = unique("doc")
    doc = demo.document.allocate(f'NAME="{name}"\nCPU="1"\nSPEC=[A="x"]', 4100)
    other = demo.document.allocate('VALUE="2"', 4101)
    listed = demo.documentpool.info(-2, -1, -1, 4100).DOCUMENT
    assert [d.ID for d in listed] == [doc]
    assert demo.document.info(other).NAME == f"document-{other}"
    info = demo.document.info(doc)
    assert (info.NAME, info.TYPE, info.TEMPLATE["CPU"], info.TEMPLATE["SPEC"]["A"]) == (name, "4100", "1", "x")
    assert "NAME" not in info.TEMPLATE


def test_document_update_clone_rename_delete(demo, unique):
    doc = demo.document.allocate('NAME="d"\nA="1"', 4200)
    demo.document.update(doc, 'B="2"', 1)
    assert (demo.document.info(doc).TEMPLATE["A"], demo.document.info(doc).TEMPLATE["B"]) == ("1", "2")
    copy = demo.document.clone(doc, unique("copy"))
    assert demo.document.info(copy).TEMPLATE["B"] == "2" and demo.document.info(copy).TYPE == "4200"
    demo.document.rename(doc, "renamed")
    assert demo.document.info(doc).NAME == "renamed"
    assert demo.document.delete(doc) == doc
    with pytest.raises(pyone.OneNoExistsException, match=rf"Error getting document \[{doc}\]."):
        demo.document.info(doc)


def test_documents_are_private_by_default(sim, demo, new_user):
    doc = demo.document.allocate('NAME="secret"', 4300)
    _, session = new_user()
    other = pyone.OneServer(sim.endpoint, session=session)
    assert other.documentpool.info(-2, -1, -1, 4300).DOCUMENT == []
    with pytest.raises(pyone.OneAuthorizationException):
        other.document.info(doc)
    demo.document.chmod(doc, -1, -1, -1, -1, -1, -1, 1, -1, -1)
    assert other.document.info(doc).NAME == "secret"
    with pytest.raises(pyone.OneAuthorizationException):
        other.document.delete(doc)


def test_locked_documents_refuse_changes(demo):
    doc = demo.document.allocate('NAME="locked"', 4400)
    demo.document.lock(doc, 1, False)
    assert demo.document.info(doc).NAME == "locked"  # reads are never locked
    with pytest.raises(pyone.OneAuthorizationException,
                       match=rf"Not authorized to perform MANAGE DOCUMENT \[{doc}\]\."):
        demo.document.update(doc, "A=1", 0)
    with pytest.raises(pyone.OneActionException, match=r"\] \d+$"):
        demo.document.lock(doc, 1, True)
    demo.document.unlock(doc)
    demo.document.update(doc, "A=1", 0)


@pytest.fixture
def oneadmin():
    return Caller(0, 0, frozenset({0}), "oneadmin", "oneadmin")


def test_placement_accounts_capacity_until_nothing_fits(sim, admin):
    emulator = sim.emulator
    with emulator.transaction():
        placed = [hosts.place_vm(emulator, 5000 + n, 2, 4096) for n in range(5)]
    try:
        assert [host.name for host in placed[:4]] == ["localhost"] * 4
        assert placed[4] is None or placed[4].id != 0
        share = admin.host.info(0).HOST_SHARE
        assert (share.CPU_USAGE, share.MEM_USAGE, share.RUNNING_VMS) == (800, 4 * 4096 * 1024, 4)
    finally:
        with emulator.transaction():
            for n, host in enumerate(placed):
                if host is not None:
                    hosts.release_host(emulator, host.id, 5000 + n, 2, 4096)
    share = admin.host.info(0).HOST_SHARE
    assert (share.CPU_USAGE, share.MEM_USAGE, share.RUNNING_VMS) == (0, 0, 0)


def test_a_new_host_is_monitored_before_it_takes_vms(sim, admin, unique, wait_for):
    # The dummy monitor reports on the timer thread, inside the emulator's transaction: while
    # the test holds it, the new host is seen before that report however loaded the machine.
    with sim.emulator.transaction():
        waiting = hosts.add_host(sim.emulator, unique("host"))
        assert waiting.state == hosts.INIT
        assert not waiting.fits(cpu_percent=1, memory_kb=1)
    host_id = admin.host.allocate(unique("host"), "dummy", "dummy", -1)
    wait_for(lambda: admin.host.info(host_id).STATE == hosts.MONITORED)
    assert admin.host.info(host_id).PREV_STATE == hosts.INIT


def test_only_admins_add_hosts(demo, unique):
    with pytest.raises(pyone.OneAuthorizationException):
        demo.host.allocate(unique("host"), "dummy", "dummy", -1)


def test_leases_come_from_the_address_range(sim, admin, oneadmin):
    emulator = sim.emulator
    with emulator.transaction():
        first = dict(vnets.allocate_lease(emulator, oneadmin, 0, 6001))
        second = dict(vnets.allocate_lease(emulator, oneadmin, 0, 6002))
        chosen = dict(vnets.allocate_lease(emulator, oneadmin, 0, 6003, ip="10.0.0.200"))
    try:
        assert (first["IP"], first["MAC"]) == ("10.0.0.2", "02:00:0a:00:00:02")
        assert second["IP"] == "10.0.0.3" and chosen["IP"] == "10.0.0.200"
        assert (first["NETWORK"], first["NETWORK_ID"], first["BRIDGE"]) == ("private", "0", "br0")
        assert admin.vn.info(0).USED_LEASES == 3
        with pytest.raises(OneError, match="Cannot get IP/MAC lease from virtual network 0."):
            with emulator.transaction():
                vnets.allocate_lease(emulator, oneadmin, 0, 6004, ip="10.0.0.200")
    finally:
        with emulator.transaction():
            for vm_id in (6001, 6002, 6003):
                vnets.release_lease(emulator, 0, vm_id)
    assert admin.vn.info(0).USED_LEASES == 0
    with emulator.transaction():
        assert dict(vnets.allocate_lease(emulator, oneadmin, 0, 6005))["IP"] == "10.0.0.2"
        vnets.release_lease(emulator, 0, 6005)


def test_missing_network_host_and_datastore(demo):
    for call, name in ((lambda: demo.vn.info(9), "virtual network"), (lambda: demo.host.info(9), "host"),
                       (lambda: demo.datastore.info(9), "datastore")):
        with pytest.raises(pyone.OneNoExistsException, match=rf"Error getting {name} \[9\]."):
            call()
