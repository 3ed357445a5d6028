"""The gateway against the OpenNebula emulator over real XML-RPC: values round-trip literally.

A VM is allocated on hold (so its life-cycle does not move) with a user's value in its
USER_TEMPLATE and read back with `one.vm.info` and `one.vmpool.infoextended`.

XML cannot carry a carriage return through oned's CDATA output (XML parsers turn CR and
CR LF into LF), nor can CDATA hold `]]>`: the server's own attributes encode such values
(`app.one.storable`), so descriptions and properties keep every character.
"""
import pytest
from hypothesis import HealthCheck, example, given, settings

import app.one
from app.errors import NotFound, Unauthenticated
from app.one import documents
from app.one.metadata import description_of, encode_metadata, properties_of
from app.one.states import machine_state
from app.services.storage_images import discard
from onefake import make_app, nasty_text


@pytest.fixture(scope="module")
def onesim_app(onesim_server):
    application = make_app(onesim_server.endpoint)
    yield application
    application.extensions["one"].close()


@pytest.fixture
def demo(onesim_app, onesim_server):
    with onesim_app.app_context():
        yield app.one.gateway_for(onesim_server.demo_session)


def allocate_on_hold(gateway, value, key="k"):
    return gateway.vm_allocate({
        "NAME": "round-trip",
        "CPU": 0.1,
        "MEMORY": 16,
        **encode_metadata(description=value, properties={key: value}),
    }, hold=True)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=nasty_text, key=nasty_text)
@example(value='a "b" <c> & d \\ [E=1], \n#x', key="=")
def test_user_template_values_round_trip(demo, value, key):
    vm_id = allocate_on_hold(demo, value, key)
    try:
        for vm in (demo.vm(vm_id), *demo.vms_by_ids([vm_id])):
            assert set(vm.user_template) <= {"CIMI_DESCRIPTION", "CIMI_PROPERTIES"}
            assert description_of(vm.user_template) == value
            assert properties_of(vm.user_template) == {key: value}
    finally:
        demo.vm_action("terminate-hard", vm_id)


def test_cdata_terminator_round_trips(demo):
    vm_id = allocate_on_hold(demo, "a]]>b")
    try:
        assert description_of(demo.vm(vm_id).user_template) == "a]]>b"
    finally:
        demo.vm_action("terminate-hard", vm_id)


def test_update_merges_into_the_user_template(demo):
    vm_id = allocate_on_hold(demo, "first")
    try:
        demo.vm_update(vm_id, {"CIMI_DESCRIPTION": "second"})
        vm = demo.vm(vm_id)
        assert description_of(vm.user_template) == "second"
        assert properties_of(vm.user_template) == {"k": "first"}
        assert machine_state(vm.state, vm.lcm_state) == "STOPPED"
    finally:
        demo.vm_action("terminate-hard", vm_id)


def test_whoami_and_bad_credentials(onesim_app, onesim_server):
    with onesim_app.app_context():
        assert app.one.gateway_for(onesim_server.demo_session).whoami().name == "demo"
        with pytest.raises(Unauthenticated):
            app.one.gateway_for("demo:wrong-password").whoami()


def test_missing_vm_is_not_found(demo):
    with pytest.raises(NotFound):
        demo.vm(987654)


def test_documents_round_trip(demo):
    document_id = demo.document_allocate(
        documents.VOLUME_TEMPLATE, {"NAME": "vt", **encode_metadata("<d>", {"a": "]]"})})
    try:
        found = demo.document(document_id, documents.VOLUME_TEMPLATE)
        assert description_of(found.template) == "<d>"
        assert properties_of(found.template) == {"a": "]]"}
        assert document_id in [item.id for item in
                               demo.document_page(documents.VOLUME_TEMPLATE).items]
    finally:
        demo.document_delete(document_id)


def test_image_metadata_round_trips(demo):
    datastore = next(ds for ds in demo.datastores() if ds.type == 0)
    image_id = demo.image_allocate({
        "NAME": "round-trip-volume", "TYPE": "DATABLOCK", "SIZE": 10,
        **encode_metadata("scratch <disk> & more", {"tier": "gold"})}, datastore.id)
    try:
        image = demo.image(image_id)
        assert image.type == "DATABLOCK" and image.size_mb == 10
        assert description_of(image.template) == "scratch <disk> & more"
        assert properties_of(image.template) == {"tier": "gold"}
    finally:
        discard(demo, image_id)     # waits for the copy, as oned refuses to delete it before


def test_vm_pages_walk_the_pool_without_gaps_or_overlaps(demo):
    vm_ids = [allocate_on_hold(demo, f"page {n}") for n in range(3)]
    try:
        whole = [vm.id for vm in demo.vm_page(mine=True).items]
        assert set(vm_ids) <= set(whole)
        walked = []
        for offset in range(0, len(whole), 2):
            walked += [vm.id for vm in demo.vm_page(offset=offset, size=2, mine=True).items]
        assert walked == whole
        single = demo.vm_page(offset=1, size=1, mine=True)
        assert [vm.id for vm in single.items] == whole[1:2]
        last = demo.vm_page(offset=len(whole) - 1, size=5, mine=True)
        assert last.total == len(whole)
    finally:
        for vm_id in vm_ids:
            demo.vm_action("terminate-hard", vm_id)


def test_clearing_the_description_keeps_the_rest(demo):
    vm_id = allocate_on_hold(demo, "to be cleared")
    try:
        demo.vm_update(vm_id, {"CIMI_DESCRIPTION": ""})
        user_template = demo.vm(vm_id).user_template
        assert "CIMI_DESCRIPTION" not in user_template
        assert properties_of(user_template) == {"k": "to be cleared"}
    finally:
        demo.vm_action("terminate-hard", vm_id)


def test_user_update_writes_and_removes_an_attribute_of_the_own_template(demo):
    me = demo.whoami()
    before = dict(me.template)
    demo.user_update(me.id, {"SSH_PUBLIC_KEY": "ssh-ed25519 AAAA one\nssh-ed25519 BBBB two"})
    try:
        template = demo.user(me.id).template
        assert template["SSH_PUBLIC_KEY"] == "ssh-ed25519 AAAA one\nssh-ed25519 BBBB two"
        assert {key: template[key] for key in before} == before
    finally:
        demo.user_update(me.id, {"SSH_PUBLIC_KEY": None})
    assert demo.user(me.id).template == before
