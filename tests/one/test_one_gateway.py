"""Gateway methods: the exact oned call each one makes and the records it returns."""
import pytest

import app.one
from app.errors import BadRequest, Conflict, Forbidden, NotFound, Unauthenticated
from app.one import documents
from app.one.gateway import POOL_ALL, POOL_MINE, VM_ANY_STATE, VM_NOT_DONE
from onefake import SESSION, transcript_value

VM_POOL = transcript_value("032")
VM_INFO = transcript_value("044")
IMAGE_POOL = transcript_value("021")
TEMPLATE_INFO = transcript_value("023")
EMPTY_VM_POOL = "<VM_POOL></VM_POOL>"


def test_whoami_asks_for_the_calling_user(gateway, fake_oned):
    fake_oned.succeed("one.user.info", transcript_value("003"))
    assert gateway.whoami().name == "oneadmin"
    assert fake_oned.calls == [("one.user.info", (SESSION, -1))]


def test_vm_page_pushes_window_state_and_owner_down(gateway, fake_oned):
    fake_oned.succeed("one.vmpool.info", VM_POOL)
    page = gateway.vm_page(offset=20, size=10, state=VM_NOT_DONE, mine=True)
    assert fake_oned.calls == [("one.vmpool.info", (SESSION, POOL_MINE, 20, -10, VM_NOT_DONE))]
    assert [vm.id for vm in page.items] == [1]
    assert page.total == 21


def test_vm_page_whole_pool_and_extended(gateway, fake_oned):
    fake_oned.succeed("one.vmpool.infoextended", transcript_value("033"))
    page = gateway.vm_page(state=VM_ANY_STATE, extended=True)
    assert fake_oned.calls == [("one.vmpool.infoextended", (SESSION, POOL_ALL, -1, -1, -2))]
    assert page.total == 1
    assert page.items[0].template_id == 0


def test_vm_page_of_one_is_fetched_as_two_and_cut(gateway, fake_oned):
    two = VM_POOL.replace("</VM_POOL>", VM_POOL[len("<VM_POOL>"):])
    fake_oned.succeed("one.vmpool.info", two)
    page = gateway.vm_page(offset=0, size=1)
    assert fake_oned.calls[0][1][2:4] == (0, -2)
    assert len(page.items) == 1
    assert page.total is None


def test_vm_page_from_an_offset_to_the_end(gateway, fake_oned):
    fake_oned.succeed("one.vmpool.info", EMPTY_VM_POOL)
    page = gateway.vm_page(offset=5)
    assert fake_oned.calls[0][1][2] == 5 and fake_oned.calls[0][1][3] < -1
    assert page.items == () and page.total is None


def test_empty_page_makes_no_call(gateway, fake_oned):
    assert gateway.vm_page(size=0).items == ()
    assert fake_oned.calls == []


def test_vms_by_ids_uses_infoset(gateway, fake_oned):
    fake_oned.succeed("one.vmpool.infoset", transcript_value("033"))
    assert [vm.id for vm in gateway.vms_by_ids([1, 7])] == [1]
    assert fake_oned.calls == [("one.vmpool.infoset", (SESSION, "1,7", True))]
    assert gateway.vms_by_ids([]) == ()
    assert len(fake_oned.calls) == 1


def test_vm_allocate_sends_an_escaped_xml_template(gateway, fake_oned):
    fake_oned.succeed("one.vm.allocate", 42)
    new_id = gateway.vm_allocate({"NAME": 'a"b', "CPU": 1, "MEMORY": 64,
                                  "DISK": [{"IMAGE_ID": 3}, {"IMAGE_ID": 4}]}, hold=True)
    assert new_id == 42
    [(method, (session, template, hold))] = fake_oned.calls
    assert template == ('<TEMPLATE><NAME>a"b</NAME><CPU>1</CPU><MEMORY>64</MEMORY>'
                        '<DISK><IMAGE_ID>3</IMAGE_ID></DISK><DISK><IMAGE_ID>4</IMAGE_ID></DISK>'
                        '</TEMPLATE>')
    assert hold is True


def test_vm_action_sends_action_before_id(gateway, fake_oned):
    fake_oned.succeed("one.vm.action", 5)
    gateway.vm_action("poweroff-hard", 5)
    assert fake_oned.calls == [("one.vm.action", (SESSION, "poweroff-hard", 5))]


def test_updates_send_append_as_an_int(gateway, fake_oned):
    for method in ("one.vm.update", "one.template.update", "one.image.update",
                   "one.document.update"):
        fake_oned.succeed(method, 1)
    gateway.vm_update(1, {"CIMI_DESCRIPTION": "x"})
    gateway.template_update(1, {"A": "x"}, merge=False)
    gateway.image_update(1, {"A": "x"})
    gateway.document_update(1, {"A": "x"})
    appends = [params[-1] for _, params in fake_oned.calls]
    assert appends == [1, 0, 1, 1]
    assert all(type(append) is int for append in appends)


def test_user_update_removal_rewrites_the_decrypted_template(gateway, fake_oned):
    user = ("<USER><ID>5</ID><NAME>demo</NAME><TEMPLATE><SSH_PRIVATE_KEY>plain</SSH_PRIVATE_KEY>"
            "<SSH_PUBLIC_KEY>ssh-ed25519 AAAA</SSH_PUBLIC_KEY></TEMPLATE></USER>")
    fake_oned.succeed("one.user.info", user)
    fake_oned.succeed("one.user.update", 5)
    gateway.user_update(5, {"SSH_PUBLIC_KEY": None})
    assert fake_oned.calls == [
        ("one.user.info", (SESSION, 5, True)),
        ("one.user.update", (SESSION, 5,
                             "<TEMPLATE><SSH_PRIVATE_KEY>plain</SSH_PRIVATE_KEY></TEMPLATE>", 0))]


def test_vm_resize_sends_only_given_capacity(gateway, fake_oned):
    fake_oned.succeed("one.vm.resize", 1)
    gateway.vm_resize(1, vcpu=2, memory_mb=512)
    assert fake_oned.calls == [
        ("one.vm.resize", (SESSION, 1, "<TEMPLATE><VCPU>2</VCPU><MEMORY>512</MEMORY></TEMPLATE>",
                           True))]


def test_renames(gateway, fake_oned):
    for kind in ("vm", "template", "image", "document"):
        fake_oned.succeed(f"one.{kind}.rename", 1)
        getattr(gateway, f"{kind}_rename")(1, "new name")
    assert [call[1] for call in fake_oned.calls] == [(SESSION, 1, "new name")] * 4


def test_template_instantiate_always_sends_five_arguments(gateway, fake_oned):
    fake_oned.succeed("one.template.instantiate", 9)
    assert gateway.template_instantiate(0) == 9
    assert gateway.template_instantiate(0, "m", True, {"MEMORY": 128}, True) == 9
    assert fake_oned.calls == [
        ("one.template.instantiate", (SESSION, 0, "", False, "", False)),
        ("one.template.instantiate",
         (SESSION, 0, "m", True, "<TEMPLATE><MEMORY>128</MEMORY></TEMPLATE>", True)),
    ]


def test_template_calls(gateway, fake_oned):
    fake_oned.succeed("one.templatepool.info", transcript_value("024"))
    fake_oned.succeed("one.template.info", TEMPLATE_INFO)
    fake_oned.succeed("one.template.allocate", 3)
    fake_oned.succeed("one.template.delete", 3)
    assert gateway.template_page(mine=True).items[0].name == "tiny-vm"
    assert gateway.template(0, extended=True).template["MEMORY"] == "64"
    assert gateway.template_allocate({"NAME": "t", "CPU": 1}) == 3
    gateway.template_delete(3)
    assert [call[1] for call in fake_oned.calls] == [
        (SESSION, POOL_MINE, -1, -1),
        (SESSION, 0, True),
        (SESSION, "<TEMPLATE><NAME>t</NAME><CPU>1</CPU></TEMPLATE>"),
        (SESSION, 3, False),
    ]


def test_chmod_sets_named_bits_and_keeps_the_others(gateway, fake_oned):
    fake_oned.succeed("one.image.chmod", 1)
    gateway.image_chmod(4, other_use=True, group_use=False)
    assert fake_oned.calls == [("one.image.chmod", (SESSION, 4, -1, -1, -1, 0, -1, -1, 1, -1, -1))]
    with pytest.raises(TypeError):
        gateway.image_chmod(4, world=True)


def test_image_calls(gateway, fake_oned):
    fake_oned.succeed("one.imagepool.info", IMAGE_POOL)
    fake_oned.succeed("one.image.info", transcript_value("016"))
    fake_oned.succeed("one.image.allocate", 5)
    fake_oned.succeed("one.image.delete", 5)
    fake_oned.succeed("one.image.persistent", 5)
    fake_oned.succeed("one.image.clone", 6)
    assert [image.id for image in gateway.image_page(offset=0, size=50).items] == [1, 0]
    assert gateway.image(0).type == "DATABLOCK"
    assert gateway.image_allocate({"NAME": "v", "TYPE": "DATABLOCK", "SIZE": 10}, 1) == 5
    gateway.image_persistent(5, True)
    assert gateway.image_clone(5, "copy") == 6
    gateway.image_delete(5)
    assert [call[1][1:] for call in fake_oned.calls] == [
        (POOL_ALL, 0, -50),
        (0,),
        ("<TEMPLATE><NAME>v</NAME><TYPE>DATABLOCK</TYPE><SIZE>10</SIZE></TEMPLATE>", 1),
        (5, True),
        (5, "copy", -1),
        (5,),
    ]


DOCUMENT = ("<DOCUMENT><ID>7</ID><UID>2</UID><GID>1</GID><UNAME>alice</UNAME>"
            "<GNAME>users</GNAME><NAME>small</NAME><TYPE>8001</TYPE><PERMISSIONS>"
            "<OWNER_U>1</OWNER_U><OWNER_M>1</OWNER_M><OWNER_A>0</OWNER_A><GROUP_U>0</GROUP_U>"
            "<GROUP_M>0</GROUP_M><GROUP_A>0</GROUP_A><OTHER_U>1</OTHER_U><OTHER_M>0</OTHER_M>"
            "<OTHER_A>0</OTHER_A></PERMISSIONS><TEMPLATE><CPU><![CDATA[1]]></CPU></TEMPLATE>"
            "</DOCUMENT>")


def test_document_calls(gateway, fake_oned):
    fake_oned.succeed("one.documentpool.info", f"<DOCUMENT_POOL>{DOCUMENT}</DOCUMENT_POOL>")
    fake_oned.succeed("one.document.info", DOCUMENT)
    fake_oned.succeed("one.document.allocate", 7)
    fake_oned.succeed("one.document.delete", 7)
    page = gateway.document_page(documents.MACHINE_CONFIGURATION, offset=0, size=10)
    assert page.items[0].template == {"CPU": "1"}
    assert gateway.document(7, documents.MACHINE_CONFIGURATION).permissions.public
    with pytest.raises(NotFound):
        gateway.document(7, documents.JOB)
    assert gateway.document_allocate(documents.MACHINE_CONFIGURATION, {"CPU": 1}) == 7
    gateway.document_delete(7)
    assert [call[1][1:] for call in fake_oned.calls] == [
        (POOL_ALL, 0, -10, 8001),
        (7,),
        (7,),
        ("<TEMPLATE><CPU>1</CPU></TEMPLATE>", 8001),
        (7,),
    ]


def test_vnet_datastore_host_calls(gateway, fake_oned):
    fake_oned.succeed("one.vnpool.info", "<VNET_POOL></VNET_POOL>")
    fake_oned.succeed("one.datastorepool.info", transcript_value("004"))
    fake_oned.succeed("one.hostpool.info", transcript_value("005"))
    assert gateway.vnet_page().items == ()
    assert [ds.name for ds in gateway.datastores()] == ["files", "default", "system"]
    assert gateway.hosts() == ()
    assert [call[1] for call in fake_oned.calls] == [
        (SESSION, POOL_ALL, -1, -1), (SESSION,), (SESSION,)]


def test_a_bad_template_is_refused_before_any_call(gateway, fake_oned):
    with pytest.raises(BadRequest):
        gateway.vm_allocate({"name": "lower-case attribute"})
    assert fake_oned.calls == []


def test_vm_disk_nic_and_snapshot_calls(gateway, fake_oned):
    # The values a real oned 7.0.2 answers: snapshotrevert and snapshotdelete -1 (not the
    # VM's id); the gateway hands neither on.
    for method, value in (("attach", 1), ("detach", 1), ("disksaveas", 12),
                          ("snapshotcreate", 0), ("snapshotrevert", -1),
                          ("snapshotdelete", -1)):
        fake_oned.succeed(f"one.vm.{method}", value)
    gateway.vm_attach_disk(1, {"IMAGE_ID": 3, "TARGET": "vdb"})
    gateway.vm_detach_disk(1, 2)
    assert gateway.vm_disk_saveas(1, 0, "captured") == 12
    assert gateway.vm_snapshot_create(1, "before") == 0
    assert gateway.vm_snapshot_revert(1, 0) is None
    assert gateway.vm_snapshot_delete(1, 0) is None
    assert fake_oned.calls == [
        ("one.vm.attach", (SESSION, 1, "<TEMPLATE><DISK><IMAGE_ID>3</IMAGE_ID>"
                                       "<TARGET>vdb</TARGET></DISK></TEMPLATE>")),
        ("one.vm.detach", (SESSION, 1, 2)),
        ("one.vm.disksaveas", (SESSION, 1, 0, "captured", "", -1)),
        ("one.vm.snapshotcreate", (SESSION, 1, "before")),
        ("one.vm.snapshotrevert", (SESSION, 1, 0)),
        ("one.vm.snapshotdelete", (SESSION, 1, 0)),
    ]


def test_disk_snapshot_calls(gateway, fake_oned):
    for method, value in (("disksnapshotcreate", 3), ("disksnapshotrevert", 1),
                          ("disksnapshotdelete", 1)):
        fake_oned.succeed(f"one.vm.{method}", value)
    assert gateway.vm_disk_snapshot_create(1, 0, "before") == 3
    gateway.vm_disk_snapshot_revert(1, 0, 3)
    gateway.vm_disk_snapshot_delete(1, 0, 3)
    assert fake_oned.calls == [
        ("one.vm.disksnapshotcreate", (SESSION, 1, 0, "before")),
        ("one.vm.disksnapshotrevert", (SESSION, 1, 0, 3)),
        ("one.vm.disksnapshotdelete", (SESSION, 1, 0, 3)),
    ]


def test_removing_an_attribute_rewrites_the_template(gateway, fake_oned):
    fake_oned.succeed("one.image.info", transcript_value("053"))
    fake_oned.succeed("one.image.update", 2)
    gateway.image_update(2, {"CIMI_DESCRIPTION": None, "SAVED_VM_ID": "", "TIER": "gold"})
    assert fake_oned.calls == [
        ("one.image.info", (SESSION, 2)),
        ("one.image.update", (SESSION, 2, "<TEMPLATE><DEV_PREFIX>sd</DEV_PREFIX>"
                              "<SAVED_DISK_ID>0</SAVED_DISK_ID><SAVED_IMAGE_ID>1</SAVED_IMAGE_ID>"
                              "<TIER>gold</TIER></TEMPLATE>", 0)),
    ]


def test_replacing_a_template_just_leaves_removed_attributes_out(gateway, fake_oned):
    fake_oned.succeed("one.vm.update", 2)
    gateway.vm_update(2, {"CIMI_DESCRIPTION": None, "A": "1"}, merge=False)
    assert fake_oned.calls == [("one.vm.update", (SESSION, 2, "<TEMPLATE><A>1</A></TEMPLATE>", 0))]


def test_a_page_of_one_knows_the_total_when_the_pool_ends(gateway, fake_oned):
    fake_oned.succeed("one.vmpool.info", VM_POOL)
    page = gateway.vm_page(offset=3, size=1)
    assert [vm.id for vm in page.items] == [1]
    assert page.total == 4


ENCODED_DESCRIPTION = "%cimi%a ]]%3E b %F0%9F%9A%80"
DOCUMENT_WITH_ENCODED_VALUE = (
    "<DOCUMENT><ID>7</ID><UID>0</UID><GID>0</GID><UNAME>oneadmin</UNAME>"
    "<GNAME>oneadmin</GNAME><NAME>d</NAME><TYPE>8001</TYPE><TEMPLATE>"
    f"<CIMI_DESCRIPTION><![CDATA[{ENCODED_DESCRIPTION}]]></CIMI_DESCRIPTION>"
    f"<OTHER><![CDATA[{ENCODED_DESCRIPTION}]]></OTHER><GONE><![CDATA[x]]></GONE>"
    "</TEMPLATE></DOCUMENT>")


def test_own_values_are_read_decoded_and_written_back_encoded(gateway, fake_oned):
    fake_oned.succeed("one.document.info", DOCUMENT_WITH_ENCODED_VALUE)
    fake_oned.succeed("one.document.update", 7)
    template = gateway.document(7).template
    assert template["CIMI_DESCRIPTION"] == "a ]]> b \U0001F680"
    assert template["OTHER"] == ENCODED_DESCRIPTION     # not the server's: read as it is
    gateway.document_update(7, {"GONE": None})
    assert fake_oned.calls[-1] == ("one.document.update", (
        SESSION, 7, f"<TEMPLATE><CIMI_DESCRIPTION>{ENCODED_DESCRIPTION}</CIMI_DESCRIPTION>"
                    f"<OTHER>{ENCODED_DESCRIPTION}</OTHER></TEMPLATE>", 0))


def test_arguments_oned_cannot_receive_are_refused_before_the_call(gateway, fake_oned):
    with pytest.raises(BadRequest, match="U\\+1F680"):
        gateway.vm_snapshot_create(1, "rocket \U0001F680")
    assert fake_oned.calls == []


@pytest.mark.parametrize("session", ["demo:pass\U0001F680", "demo\x00:pass", "de\x01mo:pass",
                                     "demo:pa\x1bss"])
def test_credentials_oned_cannot_receive_are_unauthenticated(one_app, fake_oned, session):
    with one_app.app_context():
        with pytest.raises(Unauthenticated):
            app.one.gateway_for(session).whoami()
    assert fake_oned.calls == []


@pytest.mark.parametrize("value", [2**31, -2**31 - 1, 10**40])
def test_integers_beyond_xml_rpc_are_refused_before_the_call(gateway, fake_oned, value):
    with pytest.raises(BadRequest, match="out of the range"):
        gateway.vm(value)
    assert fake_oned.calls == []


LOCKED_REFUSAL = ("[one.image.delete] Image locked, use --force flag to remove the image. "
                  "Force delete may leave some files on Datastore")
NO_CHANGE = (-1,) * 9


def test_deleting_a_locked_image_is_forbidden_to_whoever_may_not_manage_it(gateway, fake_oned):
    fake_oned.fail("one.image.delete", 0x2000, LOCKED_REFUSAL, 5)
    fake_oned.fail("one.image.chmod", 0x0200, "User [4] : Not authorized to perform MANAGE IMAGE [5].")
    fake_oned.succeed("one.image.info", transcript_value("016"))
    with pytest.raises(Forbidden, match="not allowed to change or delete image"):
        gateway.image_delete(5)
    assert [call[0] for call in fake_oned.calls] == ["one.image.delete", "one.image.chmod", "one.image.info"]
    assert fake_oned.calls[1][1][1:] == (5, *NO_CHANGE)


def test_deleting_a_locked_image_one_may_manage_is_a_conflict(gateway, fake_oned):
    fake_oned.fail("one.image.delete", 0x2000, LOCKED_REFUSAL, 5)
    fake_oned.succeed("one.image.chmod", 5)
    with pytest.raises(Conflict, match="still being written"):
        gateway.image_delete(5)
    assert fake_oned.calls[1] == ("one.image.chmod", (SESSION, 5, *NO_CHANGE))


def test_other_refused_deletes_ask_nothing_more(gateway, fake_oned):
    fake_oned.fail("one.image.delete", 0x0800, "[one.image.delete] Cannot delete image. There are 2 VMs using it.")
    with pytest.raises(Conflict, match="VMs using it"):
        gateway.image_delete(5)
    assert [call[0] for call in fake_oned.calls] == ["one.image.delete"]
