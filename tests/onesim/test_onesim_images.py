"""Image semantics: life-cycle, validation, use by VMs, delete rules, clone, save-as."""
import pyone
import pytest

from onesim import images
from onesim.auth import Caller
from onesim.emulator import Call
from onesim.errors import OneError
from onesim.template import Template

OS, DATABLOCK = 0, 2
READY, USED, DISABLED, LOCKED, CLONE, USED_PERS, LOCKED_USED = 1, 2, 3, 4, 6, 8, 9


@pytest.fixture
def ready(demo, wait_for):
    def allocate(template, ds_id=1):
        image_id = demo.image.allocate(template, ds_id)
        wait_for(lambda: demo.image.info(image_id).STATE == READY)
        return image_id
    return allocate


@pytest.fixture
def as_demo(sim):
    user = sim.emulator.pool("user").by_name("demo")
    return Caller(user.id, user.gid, frozenset(user.groups), user.name, user.gname)


@pytest.fixture
def in_emulator(sim):
    def run(action, *args, **kwargs):
        with sim.emulator.transaction():
            return action(sim.emulator, *args, **kwargs)
    return run


def test_a_new_image_is_locked_then_ready(sim, demo, as_demo, unique, wait_for):
    # The dummy driver's copy ends on the timer thread, inside the emulator's transaction:
    # while the test holds it, the new image is seen LOCKED however loaded the machine.
    with sim.emulator.transaction():
        template = Template.parse(f'NAME="{unique("vol")}"\nTYPE="DATABLOCK"\nSIZE="10"')
        datastore = sim.emulator.pool("datastore").get(1)
        locked = images.new_image(sim.emulator, as_demo, template, datastore)
        assert locked.state == LOCKED
    wait_for(lambda: demo.image.info(locked.id).STATE == READY)
    image_id = demo.image.allocate(f'NAME="{unique("vol")}"\nTYPE="DATABLOCK"\nSIZE="10"', 1)
    assert demo.image.info(image_id).STATE in (LOCKED, READY)     # READY once copied
    wait_for(lambda: demo.image.info(image_id).STATE == READY)
    image = demo.image.info(image_id)
    assert (image.TYPE, image.SIZE, image.FORMAT, image.SOURCE, image.RUNNING_VMS) == (DATABLOCK, 10, "raw",
                                                                                     "dummy_path", 0)


def test_an_os_image_from_a_path_gets_the_drivers_size(ready, demo, unique):
    image = demo.image.info(ready(f'NAME="{unique("os")}"\nTYPE=OS\nPATH="/var/tmp/disk.img"\nDESCRIPTION="d"'))
    assert (image.TYPE, image.SIZE, image.PATH, image.FORMAT) == (OS, 1024, "/var/tmp/disk.img", "dummy_format")
    assert image.TEMPLATE["DESCRIPTION"] == "d" and image.TEMPLATE["DEV_PREFIX"] == "sd"


def test_a_datablock_without_path_needs_a_size(demo, unique):
    with pytest.raises(pyone.OneInternalException) as error:
        demo.image.allocate(f'NAME="{unique("nosize")}"\nTYPE=DATABLOCK', 1)
    assert str(error.value) == ("[one.image.allocate] Cannot parse image SIZE: "
                                "Wrong number or missing SIZE attribute.")


def test_a_cdrom_needs_a_path(demo, unique):
    with pytest.raises(pyone.OneInternalException, match="Either PATH or SOURCE are required for CDROM"):
        demo.image.allocate(f'NAME="{unique("cd")}"\nTYPE=CDROM', 1)


def test_names_are_unique_per_owner(demo, admin, unique):
    name = unique("same")
    first = demo.image.allocate(f'NAME="{name}"\nTYPE=DATABLOCK\nSIZE=1', 1)
    with pytest.raises(pyone.OneException, match=rf"Error allocating a new image. NAME is already taken by IMAGE {first}."):
        demo.image.allocate(f'NAME="{name}"\nTYPE=DATABLOCK\nSIZE=1', 1)
    assert admin.image.allocate(f'NAME="{name}"\nTYPE=DATABLOCK\nSIZE=1', 1) != first


def test_system_datastore_and_missing_datastore_are_refused(demo, unique):
    with pytest.raises(pyone.OneException, match="New images can only be allocated in a files or image datastore."):
        demo.image.allocate(f'NAME="{unique("x")}"\nTYPE=DATABLOCK\nSIZE=1', 0)
    with pytest.raises(pyone.OneNoExistsException, match=r"Error getting datastore \[77\]."):
        demo.image.allocate(f'NAME="{unique("x")}"\nTYPE=DATABLOCK\nSIZE=1', 77)


def test_capacity_is_checked(demo, unique):
    with pytest.raises(pyone.OneActionException, match="Not enough space in datastore"):
        demo.image.allocate(f'NAME="{unique("huge")}"\nTYPE=DATABLOCK\nSIZE=999999', 1)


def test_a_vm_using_an_image_counts_and_blocks_delete(ready, demo, unique, as_demo, in_emulator):
    image_id = ready(f'NAME="{unique("used")}"\nTYPE=DATABLOCK\nSIZE=1')
    in_emulator(images.acquire_image, as_demo, image_id, 900)
    in_emulator(images.acquire_image, as_demo, image_id, 901)
    image = demo.image.info(image_id)
    assert (image.STATE, image.RUNNING_VMS, image.VMS.ID) == (USED, 2, [900, 901])
    with pytest.raises(pyone.OneActionException) as error:
        demo.image.delete(image_id)
    assert str(error.value) == "[one.image.delete] Cannot delete image. There are 2 VMs using it."
    in_emulator(images.release_image, image_id, 900)
    in_emulator(images.release_image, image_id, 901)
    assert (demo.image.info(image_id).STATE, demo.image.info(image_id).RUNNING_VMS) == (READY, 0)
    assert demo.image.delete(image_id) == image_id


def test_a_persistent_image_serves_one_vm_at_a_time(ready, demo, unique, as_demo, in_emulator):
    image_id = ready(f'NAME="{unique("pers")}"\nTYPE=DATABLOCK\nSIZE=1\nPERSISTENT=YES')
    in_emulator(images.acquire_image, as_demo, image_id, 910)
    assert demo.image.info(image_id).STATE == USED_PERS
    with pytest.raises(OneError, match=f"Cannot acquire image {image_id}, it is persistent and already in use"):
        in_emulator(images.acquire_image, as_demo, image_id, 911)
    in_emulator(images.release_image, image_id, 910)
    assert demo.image.info(image_id).STATE == READY
    in_emulator(images.acquire_image, as_demo, image_id, 911)
    in_emulator(images.release_image, image_id, 911)


def test_a_shareable_persistent_image_serves_many(ready, unique, as_demo, in_emulator):
    image_id = ready(f'NAME="{unique("share")}"\nTYPE=DATABLOCK\nSIZE=1\nPERSISTENT=YES\nPERSISTENT_TYPE=SHAREABLE')
    in_emulator(images.acquire_image, as_demo, image_id, 920)
    in_emulator(images.acquire_image, as_demo, image_id, 921)
    for vm_id in (920, 921):
        in_emulator(images.release_image, image_id, vm_id)


def test_a_locked_image_is_taken_at_creation_but_not_hot_plugged(demo, unique, as_demo, in_emulator, wait_for):
    image_id = demo.image.allocate(f'NAME="{unique("locked")}"\nTYPE=DATABLOCK\nSIZE=1', 1)
    with pytest.raises(OneError, match="it is locked"):
        in_emulator(images.acquire_image, as_demo, image_id, 930, hot=True)
    in_emulator(images.acquire_image, as_demo, image_id, 930)
    assert demo.image.info(image_id).STATE in (LOCKED_USED, USED)
    wait_for(lambda: demo.image.info(image_id).STATE == USED)
    in_emulator(images.release_image, image_id, 930)


def test_a_disabled_image_cannot_be_used(ready, demo, unique, as_demo, in_emulator):
    image_id = ready(f'NAME="{unique("off")}"\nTYPE=DATABLOCK\nSIZE=1')
    demo.image.enable(image_id, False)
    assert demo.image.info(image_id).STATE == DISABLED
    with pytest.raises(OneError, match=f"Cannot acquire image {image_id}, it is in state: DISABLED"):
        in_emulator(images.acquire_image, as_demo, image_id, 940)
    demo.image.enable(image_id, True)
    assert demo.image.info(image_id).STATE == READY


def test_another_users_private_image_cannot_be_acquired(ready, unique, in_emulator):
    image_id = ready(f'NAME="{unique("nope")}"\nTYPE=DATABLOCK\nSIZE=1')
    stranger = Caller(4711, 1, frozenset({1}), "stranger", "users")
    with pytest.raises(OneError) as error:
        in_emulator(images.acquire_image, stranger, image_id, 950)
    assert error.value.code == 0x200


def test_disk_attributes_follow_the_image(ready, demo, unique, sim):
    image_id = ready(f'NAME="{unique("disk")}"\nTYPE=DATABLOCK\nSIZE=3\nPERSISTENT=YES')
    with sim.emulator.transaction():
        disk = dict(images.disk_attributes(sim.emulator, sim.emulator.pool("image").get(image_id)))
    assert disk["IMAGE_ID"] == str(image_id) and disk["SIZE"] == "3" and disk["DATASTORE_ID"] == "1"
    assert (disk["PERSISTENT"], disk["CLONE"], disk["SAVE"], disk["TM_MAD"]) == ("YES", "NO", "YES", "dummy")


def test_save_as_creates_a_locked_image_made_ready_by_the_vm(demo, sim, as_demo, in_emulator, unique):
    source = sim.emulator.pool("image").get(0)
    name = unique("saved")
    new_id = in_emulator(images.create_saved_image, as_demo, source, name, "", 960, 0)
    saved = demo.image.info(new_id)
    assert (saved.NAME, saved.STATE, saved.TYPE, saved.UID) == (name, LOCKED, OS, as_demo.uid)
    assert saved.TEMPLATE["SAVED_VM_ID"] == "960" and saved.TEMPLATE["SAVED_IMAGE_ID"] == "0"
    in_emulator(images.set_image_ready, new_id)
    assert demo.image.info(new_id).STATE == READY


def test_chtype_stays_within_its_family(ready, demo, unique):
    image_id = ready(f'NAME="{unique("chtype")}"\nTYPE=DATABLOCK\nSIZE=1')
    demo.image.chtype(image_id, "OS")
    assert demo.image.info(image_id).TYPE == OS
    with pytest.raises(pyone.OneActionException):
        demo.image.chtype(image_id, "KERNEL")


def test_persistent_flag_changes_only_when_unused(ready, demo, unique, as_demo, in_emulator):
    image_id = ready(f'NAME="{unique("flag")}"\nTYPE=DATABLOCK\nSIZE=1')
    demo.image.persistent(image_id, True)
    assert demo.image.info(image_id).PERSISTENT == 1
    in_emulator(images.acquire_image, as_demo, image_id, 970)
    with pytest.raises(pyone.OneInternalException,
                       match=r"Could not make image non-persistent: Image cannot be in state USED\.$"):
        demo.image.persistent(image_id, False)
    in_emulator(images.release_image, image_id, 970)


def test_clone_copies_and_tracks_the_source(sim, ready, demo, as_demo, unique, wait_for):
    source = ready(f'NAME="{unique("src")}"\nTYPE=DATABLOCK\nSIZE=2\nNOTE="n"')
    # The copy ends on the timer thread, inside the emulator's transaction: while the test
    # holds it, the clone is seen tracking its source however loaded the machine.
    with sim.emulator.transaction():
        clone = images.image_clone(Call(sim.emulator, as_demo, "one.image.clone"), source, unique("copy"), -1)
        assert sim.emulator.pool("image").get(clone).cloning_id == source
    wait_for(lambda: demo.image.info(clone).STATE == READY)
    copy = demo.image.info(clone)
    assert (copy.SIZE, copy.TEMPLATE["NOTE"], copy.CLONING_ID) == (2, "n", -1)
    assert demo.image.info(source).STATE == READY and demo.image.info(source).CLONING_OPS == 0


def test_deleting_a_clone_being_copied_releases_its_source(sim, ready, demo, unique):
    source = ready(f'NAME="{unique("src")}"\nTYPE=DATABLOCK\nSIZE=2\nPERSISTENT=YES')
    clone = demo.image.clone(source, unique("copy"))
    assert demo.image.info(source).CLONING_OPS == 1
    # A copy under way goes only by force, which takes ADMIN rights (oneadmin's). The
    # emulator's transaction keeps the copy from ending meanwhile.
    with sim.emulator.transaction():
        refused = sim.emulator.call("one.image.delete", sim.demo_session, clone, False)
        assert refused[1:3] == ["[one.image.delete] Image locked, use --force flag to remove the image. "
                                "Force delete may leave some files on Datastore", 0x2000]
        assert sim.emulator.call("one.image.delete", sim.demo_session, clone, True)[2] == 0x200
        assert sim.emulator.call("one.image.delete", sim.admin_session, clone, True)[0]
    released = demo.image.info(source)
    assert (released.STATE, released.CLONING_OPS) == (READY, 0)
    demo.image.delete(source)


def test_an_image_being_copied_is_refused_as_locked_before_rights_are_checked(sim, new_user, unique):
    """ImageDelete::request_execute refuses a locked image before it authorizes: a user who
    may not delete the image hears that it is locked, and by force that ADMIN is refused.
    The emulator's transaction keeps the copy from ending meanwhile."""
    _, stranger = new_user()
    with sim.emulator.transaction():
        allocated = sim.emulator.call("one.image.allocate", sim.demo_session,
                                      f'NAME="{unique("copying")}"\nTYPE=DATABLOCK\nSIZE=1', 1)
        image_id = allocated[1]
        assert sim.emulator.pool("image").get(image_id).state == LOCKED
        refused = sim.emulator.call("one.image.delete", stranger, image_id, False)
        assert refused[1:4] == ["[one.image.delete] Image locked, use --force flag to remove the image. "
                                "Force delete may leave some files on Datastore", 0x2000, image_id]
        forced = sim.emulator.call("one.image.delete", stranger, image_id, True)
        assert forced[2] == 0x200 and "Not authorized to perform ADMIN IMAGE" in forced[1]
    assert sim.emulator.call("one.image.delete", sim.admin_session, image_id, True)[0]


def test_update_rename_and_chown(ready, demo, admin, unique):
    image_id = ready(f'NAME="{unique("meta")}"\nTYPE=DATABLOCK\nSIZE=1\nA=1')
    demo.image.update(image_id, 'CIMI_DESCRIPTION="hello"', 1)
    assert demo.image.info(image_id).TEMPLATE["CIMI_DESCRIPTION"] == "hello"
    assert demo.image.info(image_id).TEMPLATE["A"] == "1"
    demo.image.update(image_id, "B=2", 0)
    assert "A" not in demo.image.info(image_id).TEMPLATE
    new_name = unique("renamed")
    demo.image.rename(image_id, new_name)
    assert demo.image.info(image_id).NAME == new_name
    with pytest.raises(pyone.OneAuthorizationException):
        demo.image.chown(image_id, 0, -1)
    admin.image.chown(image_id, 0, 0)
    assert (admin.image.info(image_id).UNAME, admin.image.info(image_id).GNAME) == ("oneadmin", "oneadmin")


def test_template_parse_errors_are_internal_errors(demo, unique):
    image_id = demo.image.allocate(f'NAME="{unique("parse")}"\nTYPE=DATABLOCK\nSIZE=1', 1)
    with pytest.raises(pyone.OneInternalException, match=r"^\[one.image.update\] Cannot update template. Parse error"):
        demo.image.update(image_id, "A=[", 0)


def test_authorization_is_checked_before_parsing(demo):
    with pytest.raises(pyone.OneAuthorizationException):
        demo.image.update(0, "A=[", 0)
