"""MachineImages: the OS and CDROM images a user may launch, read-only."""
from app.one import gateway
from api_support import CIMI


def test_images_visible_to_the_user(cimi, collection_href):
    result = cimi.get(collection_href("machineImages"))
    assert result.status == 200
    document = result.document
    assert document["resourceURI"] == CIMI + "MachineImageCollection"
    names = {image["name"] for image in document["machineImages"]}
    assert {"ttylinux", "Ubuntu 24.04", "CentOS Stream 9"} <= names
    assert document["count"] == len(document["machineImages"])
    assert "operations" not in document        # no registration yet: no add


def test_one_image(cimi, image_href):
    result = cimi.get(image_href)
    assert result.status == 200
    image = result.document
    assert image["id"] == image_href
    assert image["state"] == "AVAILABLE"
    assert image["type"] == "IMAGE"
    assert image["imageLocation"] == "/var/lib/one/images/ttylinux.img"
    assert image["size"] == 40 * 1024
    assert image["format"] == "qcow2"
    assert image["owner"] == "oneadmin"
    assert image["description"] == "Tiny Linux for tests"


def test_filter_and_select(cimi, collection_href):
    result = cimi.get(collection_href("machineImages"),
                      params={"$filter": "name='Ubuntu 24.04'", "$select": "name"})
    assert result.status == 200
    (image,) = result.document["machineImages"]
    assert set(image) == {"resourceURI", "id", "name"}


def test_unknown_image_is_404(cimi, collection_href):
    assert cimi.get(collection_href("machineImages") + "/4242").status == 404


def test_datablock_is_not_a_machine_image(cimi, collection_href, app, onesim_server):
    own = gateway(onesim_server.demo_session)
    image_id = own.image_allocate({"NAME": "scratch-volume", "TYPE": "DATABLOCK", "SIZE": 10}, 1)
    try:
        assert cimi.get(f"{collection_href('machineImages')}/{image_id}").status == 404
        listed = cimi.get(collection_href("machineImages")).document["machineImages"]
        assert all(image["name"] != "scratch-volume" for image in listed)
    finally:
        own.image_delete(image_id)


def test_images_cannot_be_created_or_deleted_yet(cimi, collection_href, image_href):
    assert cimi.post(collection_href("machineImages"), {"resourceURI": CIMI + "MachineImage",
                                                        "name": "x"}).status == 405
    assert cimi.delete(image_href).status == 405
