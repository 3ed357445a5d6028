"""Sessions, permissions, pool filter flags and paging, as oned decides them."""
import pyone
import pytest
from lxml import etree

READY = 1


def ids(pool_xml, tag):
    return [int(node.text) for node in etree.fromstring(pool_xml).findall(f"{tag}/ID")]


def test_password_is_stored_as_sha256(admin, demo):
    import hashlib
    assert demo.user.info(-1).PASSWORD == hashlib.sha256(b"demo").hexdigest()


def test_login_token_works_as_a_password_and_can_be_revoked(sim, new_user):
    uid, session = new_user()
    name = session.split(":")[0]
    user = pyone.OneServer(sim.endpoint, session=session)
    token = user.user.login(name, "", 3600, -1)
    with_token = pyone.OneServer(sim.endpoint, session=f"{name}:{token}")
    assert with_token.user.info(-1).ID == uid
    assert user.user.info(-1).LOGIN_TOKEN[0].TOKEN == token
    user.user.login(name, token, 0, -1)
    with pytest.raises(pyone.OneAuthenticationException):
        with_token.user.info(-1)


def test_a_user_cannot_log_in_as_someone_else(sim, new_user):
    _, session = new_user()
    with pytest.raises(pyone.OneAuthorizationException):
        pyone.OneServer(sim.endpoint, session=session).user.login("demo", "", 60, -1)


def test_changed_password_replaces_the_old_one(sim, new_user):
    uid, session = new_user()
    name = session.split(":")[0]
    pyone.OneServer(sim.endpoint, session=session).user.passwd(uid, "new-secret")
    with pytest.raises(pyone.OneAuthenticationException):
        pyone.OneServer(sim.endpoint, session=session).user.info(-1)
    assert pyone.OneServer(sim.endpoint, session=f"{name}:new-secret").user.info(-1).ID == uid


def test_a_private_image_is_invisible_and_unusable_to_another_user(sim, demo, new_user, unique, wait_for):
    image_id = demo.image.allocate(f'NAME="{unique("private")}"\nTYPE=DATABLOCK\nSIZE=1', 1)
    # Copied first: an image being copied is refused to anyone as locked, rights unchecked.
    wait_for(lambda: demo.image.info(image_id).STATE == READY)
    _, session = new_user()
    other = pyone.OneServer(sim.endpoint, session=session)
    assert image_id not in [image.ID for image in other.imagepool.info(-2, -1, -1).IMAGE]
    with pytest.raises(pyone.OneAuthorizationException) as error:
        other.image.info(image_id)
    assert str(error.value) == (f"[one.image.info] User [{other.user.info(-1).ID}] : "
                                f"Not authorized to perform USE IMAGE [{image_id}].")
    for attempt in (lambda: other.image.delete(image_id), lambda: other.image.rename(image_id, "x"),
                    lambda: other.image.clone(image_id, unique("copy"))):
        with pytest.raises(pyone.OneAuthorizationException):
            attempt()


def test_group_bits_share_within_the_group(sim, demo, new_user, unique):
    image_id = demo.image.allocate(f'NAME="{unique("shared")}"\nTYPE=DATABLOCK\nSIZE=1', 1)
    _, session = new_user()
    other = pyone.OneServer(sim.endpoint, session=session)
    with pytest.raises(pyone.OneAuthorizationException):
        other.image.info(image_id)
    demo.image.chmod(image_id, -1, -1, -1, 1, -1, -1, -1, -1, -1)
    assert other.image.info(image_id).ID == image_id
    with pytest.raises(pyone.OneAuthorizationException):
        other.image.rename(image_id, unique("not-mine"))


def test_seeded_images_are_usable_by_every_user(sim, new_user):
    _, session = new_user()
    names = {image.NAME for image in pyone.OneServer(sim.endpoint, session=session).imagepool.info(-2, -1, -1).IMAGE}
    assert {"ttylinux", "Ubuntu 24.04", "CentOS Stream 9"} <= names


def test_oneadmin_group_members_are_administrators(sim, admin, unique):
    name = unique("admin")
    admin.user.allocate(name, "pw", "", [0])
    assert len(pyone.OneServer(sim.endpoint, session=f"{name}:pw").userpool.info().USER) == len(
        admin.userpool.info().USER)


def test_filter_flags(sim, raw, demo, new_user, unique):
    uid, session = new_user()
    user = pyone.OneServer(sim.endpoint, session=session)
    mine = user.image.allocate(f'NAME="{unique("mine")}"\nTYPE=DATABLOCK\nSIZE=1', 1)
    user_raw = raw(session)
    all_visible = ids(user_raw.imagepool.info(-2, -1, -1)[1], "IMAGE")
    assert mine in all_visible and 0 in all_visible
    assert ids(user_raw.imagepool.info(-3, -1, -1)[1], "IMAGE") == [mine]
    assert ids(user_raw.imagepool.info(uid, -1, -1)[1], "IMAGE") == [mine]
    mine_and_group = etree.fromstring(user_raw.imagepool.info(-1, -1, -1)[1])
    assert mine in ids(etree.tostring(mine_and_group), "IMAGE")
    assert {(image.findtext("UID") == str(uid), image.findtext("GID")) for image in mine_and_group} <= {
        (True, "1"), (False, "1")}
    group_only = ids(user_raw.imagepool.info(-4, -1, -1)[1], "IMAGE")
    assert mine in group_only and 0 not in group_only
    assert user_raw.imagepool.info(-5, -1, -1) == [False, "[one.imagepool.info] Incorrect filter_flag",
                                                    0x1000, -1, -1]


def test_id_ranges_and_pages(sim, raw, unique):
    session = sim.admin_session
    admin_raw = raw(session)
    every = ids(admin_raw.imagepool.info(-2, -1, -1)[1], "IMAGE")
    assert every == sorted(every, reverse=True)
    assert ids(admin_raw.imagepool.info(-2, 1, -1)[1], "IMAGE") == [i for i in every if i >= 1]
    assert ids(admin_raw.imagepool.info(-2, 0, 1)[1], "IMAGE") == [i for i in every if i <= 1]
    assert ids(admin_raw.imagepool.info(-2, 0, -2)[1], "IMAGE") == every[:2]
    assert ids(admin_raw.imagepool.info(-2, 1, -2)[1], "IMAGE") == every[1:3]


def test_users_see_only_themselves_in_the_user_pool(demo):
    assert [user.NAME for user in demo.userpool.info().USER] == ["demo"]


def test_users_cannot_read_other_users(demo):
    with pytest.raises(pyone.OneAuthorizationException):
        demo.user.info(0)


def test_only_oneadmin_creates_users(demo, unique):
    with pytest.raises(pyone.OneAuthorizationException):
        demo.user.allocate(unique("x"), "pw", "", [])


def test_hosts_networks_and_datastores_are_visible_to_users(demo):
    assert [host.NAME for host in demo.hostpool.info().HOST] == ["localhost"]
    assert [vnet.NAME for vnet in demo.vnpool.info(-2, -1, -1).VNET] == ["private"]
    assert [ds.ID for ds in demo.datastorepool.info().DATASTORE] == [2, 1, 0]


def test_authorization_envelope_names_no_object(raw, sim, new_user):
    uid, session = new_user()
    assert raw(session).image.delete(0) == [
        False, f"[one.image.delete] User [{uid}] : Not authorized to perform MANAGE IMAGE [0].", 0x200, -1, -1]
    assert raw(session).user.allocate("x", "y", "", []) == [
        False, f"[one.user.allocate] User [{uid}] : Not authorized to perform CREATE USER.", 0x200, -1, -1]
