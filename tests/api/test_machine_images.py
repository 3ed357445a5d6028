"""MachineImages: listing, registration from a URL or a datastore path, PUT, DELETE,
visibility to other users, and persistent versus non-persistent boot."""
import contextlib
import itertools
import time

import pytest

from app.errors import NotFound
from app.one import gateway_for
from app.services.storage_images import discard
from api_support import CIMI, delete_images, deleted_in_the_background

_names = itertools.count()


def unique(prefix):
    return f"{prefix}-{next(_names)}-{time.monotonic_ns()}"


@pytest.fixture(scope="session")
def stranger(opennebula):
    """A second user of the users group; its session."""
    return opennebula.user_session("stranger")


@pytest.fixture
def registered(cimi, collection_href, backend):
    """Register images through the API; the ones still there are deleted at the end."""
    created = []

    def register(**attributes):
        body = {"resourceURI": CIMI + "MachineImage", "name": unique("image"),
                "imageLocation": "https://images.example.org/tiny.qcow2", **attributes}
        result = cimi.post(collection_href("machineImages"), body)
        assert result.status == 201, result.document
        created.append(int(result.headers["Location"].rsplit("/", 1)[1]))
        return result

    yield register
    delete_images(backend.gateway, set(created))


def launch_from(image_href, name="from-image"):
    return {"resourceURI": CIMI + "MachineCreate", "name": name,
            "machineTemplate": {"machineImage": {"href": image_href}}}


def test_images_visible_to_the_user(cimi, collection_href):
    result = cimi.get(collection_href("machineImages"))
    assert result.status == 200
    document = result.document
    assert document["resourceURI"] == CIMI + "MachineImageCollection"
    names = {image["name"] for image in document["machineImages"]}
    assert {"ttylinux", "Ubuntu 24.04", "CentOS Stream 9"} <= names
    assert document["count"] == len(document["machineImages"])
    assert document["operations"] == [{"rel": "add", "href": collection_href("machineImages")}]


def test_one_image(cimi, image_href, backend):
    result = cimi.get(image_href)
    assert result.status == 200
    image = result.document
    seeded = backend.gateway.image(int(image_href.rsplit("/", 1)[1]))
    assert image["id"] == image_href
    assert image["state"] == "AVAILABLE"
    assert image["type"] == "IMAGE"
    assert image["imageLocation"] == {"href": seeded.path}
    assert image["size"] == seeded.size_mb * 1024
    assert image["format"] == seeded.format
    assert image["owner"] == "oneadmin"
    assert image["description"] == "Tiny Linux for tests"
    assert image["visibility"] == "public"
    assert image["persistent"] is False
    assert image["device"] == "disk"
    assert "operations" not in image          # oneadmin's: the demo user may only use it


def test_filter_and_select(cimi, collection_href):
    result = cimi.get(collection_href("machineImages"),
                      params={"$filter": "name='Ubuntu 24.04'", "$select": "name"})
    assert result.status == 200
    (image,) = result.document["machineImages"]
    assert set(image) == {"resourceURI", "id", "name"}


def test_unknown_image_is_404(cimi, collection_href):
    assert cimi.get(collection_href("machineImages") + "/4242").status == 404
    assert cimi.put(collection_href("machineImages") + "/4242",
                    {"resourceURI": CIMI + "MachineImage", "name": "x"}).status == 404
    assert cimi.delete(collection_href("machineImages") + "/4242").status == 404


def test_datablock_is_not_a_machine_image(cimi, collection_href, app, opennebula):
    own = gateway_for(opennebula.demo_session)
    image_id = own.image_allocate({"NAME": unique("scratch-volume"), "TYPE": "DATABLOCK",
                                   "SIZE": 10}, 1)
    try:
        href = f"{collection_href('machineImages')}/{image_id}"
        assert cimi.get(href).status == 404
        assert cimi.delete(href).status == 404
        listed = cimi.get(collection_href("machineImages")).document["machineImages"]
        assert all(image["id"] != href for image in listed)
    finally:
        discard(own, image_id)


def test_register_from_a_url(cimi, registered, wait_for_state, backend):
    name = unique("web")
    result = registered(name=name, description="a web server", properties={"os": "linux"},
                        imageLocation="https://images.example.org/web.qcow2")
    image = result.document
    assert image["id"] == result.headers["Location"]
    assert image["state"] in ("CREATING", "AVAILABLE")   # AVAILABLE once OpenNebula copied it
    assert image["name"] == name
    assert image["imageLocation"] == {"href": "https://images.example.org/web.qcow2"}
    assert image["visibility"] == "private"
    assert image["persistent"] is False
    assert {operation["rel"] for operation in image["operations"]} == {"edit", "delete"}
    available = wait_for_state(image["id"], "AVAILABLE")
    assert available["description"] == "a web server"
    assert available["properties"] == {"os": "linux"}
    one_image = backend.gateway.image(int(image["id"].rsplit("/", 1)[1]))
    assert (one_image.type, one_image.path) == ("OS", "https://images.example.org/web.qcow2")


def test_register_a_cdrom_from_a_datastore_path_named_after_the_file(cimi, registered,
                                                                     collection_href):
    path = f"/var/lib/one/images/{unique('install')}.iso"
    result = cimi.post(collection_href("machineImages"),
                       {"resourceURI": CIMI + "MachineImage", "imageLocation": path,
                        "device": "cdrom"})
    assert result.status == 201, result.document
    image = result.document
    try:
        assert image["name"] == path.rsplit("/", 1)[1]
        assert image["device"] == "cdrom"
        assert image["imageLocation"] == {"href": path}
    finally:
        cimi.delete(image["id"])


def test_imagelocation_as_a_reference(cimi, registered):
    image = registered(imageLocation={"href": "http://images.example.org/ref.img"}).document
    assert image["imageLocation"] == {"href": "http://images.example.org/ref.img"}


def test_search_by_name_and_properties(cimi, registered, collection_href):
    tag = unique("tag")
    wanted = registered(properties={"marketplace": tag}).document
    registered(properties={"marketplace": "other"})
    result = cimi.get(collection_href("machineImages"),
                      params={"$filter": f"property['marketplace']='{tag}'"})
    assert [image["id"] for image in result.document["machineImages"]] == [wanted["id"]]
    result = cimi.get(collection_href("machineImages"),
                      params={"$filter": f"name='{wanted['name']}'"})
    assert [image["id"] for image in result.document["machineImages"]] == [wanted["id"]]


@pytest.mark.parametrize("location", [
    "ftp://images.example.org/x.img", "file:///etc/passwd", "http://", "https:///x.img",
    "not a url", "http://images.example.org:99999/x.img", "http://bad host/x.img",
    "relative/path.img", "/var/lib/../../etc/passwd", "",
])
def test_invalid_locations_are_refused(cimi, collection_href, unchanged_backend, location):
    result = cimi.post(collection_href("machineImages"),
                       {"resourceURI": CIMI + "MachineImage", "name": unique("bad"),
                        "imageLocation": location})
    assert result.status == 400
    assert "imageLocation" in result.document["message"]


@pytest.mark.parametrize("location", ["/var/lib/one/a\u0000b.img",
                                      "https://images.example.org/a\u0007.img"])
def test_control_characters_in_a_location_are_refused(cimi, fmt, collection_href,
                                                      unchanged_backend, location):
    if fmt == "xml":
        pytest.skip("XML 1.0 cannot carry control characters")
    result = cimi.post(collection_href("machineImages"),
                       {"resourceURI": CIMI + "MachineImage", "name": unique("bad"),
                        "imageLocation": location})
    assert result.status == 400
    assert "control characters" in result.document["message"]


@pytest.mark.parametrize("body, field", [
    ({"imageLocation": "https://x.example.org/a.img", "visibility": "everyone"}, "visibility"),
    ({"imageLocation": "https://x.example.org/a.img", "type": "SNAPSHOT"}, "type"),
    ({"imageLocation": "https://x.example.org/a.img", "device": "floppy"}, "device"),
    ({"imageLocation": "https://x.example.org/a.img", "persistent": "maybe"}, "persistent"),
    ({"name": "no-location"}, "imageLocation"),
])
def test_invalid_registrations_are_refused(cimi, collection_href, unchanged_backend, body, field):
    result = cimi.post(collection_href("machineImages"),
                       {"resourceURI": CIMI + "MachineImage", **body})
    assert result.status == 400
    assert field in result.document["message"]


def test_a_name_taken_is_a_conflict(cimi, registered, collection_href, backend):
    name = registered().document["name"]
    before = backend.objects()
    result = cimi.post(collection_href("machineImages"),
                       {"resourceURI": CIMI + "MachineImage", "name": name,
                        "imageLocation": "https://images.example.org/again.img"})
    assert result.status == 409
    assert "already taken" in result.document["message"]
    assert backend.settled(before) == before


def test_edit_name_description_properties_visibility(cimi, registered, wait_for_state, stranger):
    href = registered().document["id"]
    wait_for_state(href, "AVAILABLE")
    new_name = unique("renamed")
    result = cimi.put(href, {"resourceURI": CIMI + "MachineImage", "name": new_name,
                             "description": "edited", "properties": {"k": "v"},
                             "visibility": "public"})
    assert result.status == 200, result.document
    image = result.document
    assert (image["name"], image["description"], image["properties"], image["visibility"]) == (
        new_name, "edited", {"k": "v"}, "public")
    assert cimi.as_user(stranger).get(href).status == 200
    result = cimi.put(href, {"resourceURI": CIMI + "MachineImage", "visibility": "private"})
    assert result.document["visibility"] == "private"
    assert result.document["name"] == new_name          # left out: kept
    assert cimi.as_user(stranger).get(href).status == 404


def test_private_images_are_hidden_from_other_users(cimi, registered, wait_for_state, stranger,
                                                    collection_href, backend):
    href = registered().document["id"]
    wait_for_state(href, "AVAILABLE")
    other = cimi.as_user(stranger)
    assert cimi.get(href).status == 200
    assert other.get(href).status == 404       # as if it did not exist
    listed = other.get(collection_href("machineImages")).document["machineImages"]
    assert href not in {image["id"] for image in listed}
    vms_before = backend.owned_ids(backend.gateway.vm_page().items)
    result = other.post(collection_href("machines"), launch_from(href))
    assert result.status == 400                 # as for a missing image, with no owner's id
    assert "User [" not in result.document["message"]
    assert backend.owned_ids(backend.gateway.vm_page().items) == vms_before


def test_editing_or_deleting_another_users_image_is_forbidden(cimi, image_href, stranger,
                                                              unchanged_backend):
    result = cimi.put(image_href, {"resourceURI": CIMI + "MachineImage", "name": "mine-now"})
    assert result.status == 403
    assert cimi.put(image_href, {"resourceURI": CIMI + "MachineImage",
                                 "visibility": "private"}).status == 403
    assert cimi.delete(image_href).status == 403
    assert cimi.get(image_href).document["name"] == "ttylinux"


def test_delete(cimi, registered, wait_for_state):
    href = registered().document["id"]
    wait_for_state(href, "AVAILABLE")
    job = deleted_in_the_background(cimi, cimi.delete(href), href)
    assert job["targetResource"] == {"href": href}


def test_an_image_in_use_cannot_be_deleted(cimi, registered, wait_for_state, launched):
    href = registered().document["id"]
    wait_for_state(href, "AVAILABLE")
    launched(launch_from(href))
    result = cimi.delete(href)
    assert result.status == 409
    assert "VMs using it" in result.document["message"]
    assert cimi.get(href).document["state"] == "AVAILABLE"


def test_non_persistent_boot_gives_each_machine_its_own_copy(
        cimi, registered, wait_for_state, launched, backend):
    href = registered().document["id"]
    wait_for_state(href, "AVAILABLE")
    first = launched(launch_from(href, "copy-1")).document["id"]
    second = launched(launch_from(href, "copy-2")).document["id"]
    for machine in (first, second):
        (disk, *_) = cimi.get(machine + "/disks").document["machineDisks"]
        assert disk["machineImage"] == {"href": href}
        assert disk.get("persistent", False) is False
        vm = backend.gateway.vm(int(machine.rsplit("/", 1)[1]))
        assert (vm.disks[0].image_id, vm.disks[0].persistent) == (int(href.rsplit("/", 1)[1]),
                                                                 False)
    for machine in (first, second):
        wait_for_state(machine, "STARTED")       # a machine still booting cannot be deleted
        assert cimi.delete(machine).status == 202
    wait_for_state(first, 404)
    wait_for_state(second, 404)
    wait_for_state(href, "AVAILABLE")
    assert cimi.delete(href).status == 202          # nobody uses it any more


def test_persistent_boot_runs_one_machine_on_the_image_itself(
        cimi, registered, wait_for_state, launched, backend):
    href = registered(persistent=True).document["id"]
    assert wait_for_state(href, "AVAILABLE")["persistent"] is True
    machine = launched(launch_from(href, "on-the-image")).document["id"]
    (disk, *_) = cimi.get(machine + "/disks").document["machineDisks"]
    assert disk["persistent"] is True

    vms_before = backend.objects()["vms"]
    second = cimi.post(href.rsplit("/", 2)[0] + "/machines", launch_from(href, "second"))
    assert second.status == 409, second.document
    assert "persistent and already in use" in second.document["message"]
    assert backend.objects()["vms"] == vms_before

    refused = cimi.put(href, {"resourceURI": CIMI + "MachineImage", "persistent": False})
    assert refused.status == 409
    assert "USED" in refused.document["message"]     # oned: "Image cannot be in state USED."

    wait_for_state(machine, "STARTED")
    assert cimi.delete(machine).status == 202
    wait_for_state(machine, 404)
    image = wait_for_state(href, "AVAILABLE")    # the same image, with what the machine wrote
    assert image["persistent"] is True
    again = launched(launch_from(href, "on-the-image-again")).document["id"]
    (disk, *_) = cimi.get(again + "/disks").document["machineDisks"]
    assert disk["machineImage"] == {"href": href}


def test_a_registration_failing_halfway_leaves_no_image(cimi, collection_href, onesim_server,
                                                        unchanged_backend):
    onesim_server.fail_next("one.image.chmod", code=0x2000, message="Injected failure.")
    result = cimi.post(collection_href("machineImages"), {
        "resourceURI": CIMI + "MachineImage", "name": unique("public"),
        "imageLocation": "https://images.example.org/public.img", "visibility": "public"})
    assert result.status == 502
