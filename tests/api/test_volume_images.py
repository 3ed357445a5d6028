"""VolumeImages over the API, in JSON and XML: a snapshot of a volume (an image clone) is
listed as a volume image and never as a volume, a new volume is made from it, it is deleted;
bad input."""
from api_support import CIMI, deleted_in_the_background
from volume_support import MIB_KIB, volume_create, volumes  # noqa: F401 (fixture)

IMAGES = "/cimi/volumeImages"


def test_snapshot_list_restore_into_a_new_volume_and_delete(cimi, volumes, wait_for_state,
                                                            backend):
    volume = volumes(volume_create("snapped", capacity=2 * MIB_KIB))
    wait_for_state(volume["id"], "AVAILABLE")
    result = cimi.post(IMAGES, {"resourceURI": CIMI + "VolumeImage", "name": "snap-1",
                                "volume": {"href": volume["id"]}})
    assert result.status == 201, result.document
    image = result.document
    try:
        assert image["resourceURI"] == CIMI + "VolumeImage"
        assert (image["volume"]["href"], image["capacity"]) == (volume["id"], 2 * MIB_KIB)
        assert image["bootable"] is False
        listed = cimi.get(IMAGES).document["volumeImages"]
        assert image["id"] in [member["id"] for member in listed]
        volume_ids = [member["id"] for member in cimi.get("/cimi/volumes").document["volumes"]]
        image_number = image["id"].rsplit("/", 1)[1]
        assert all(not href.endswith("/" + image_number) for href in volume_ids)
        assert cimi.get(f"/cimi/volumes/{image_number}").status == 404
        wait_for_state(image["id"], "AVAILABLE")
        wait_for_state(volume["id"], "AVAILABLE")
        restored = volumes({"resourceURI": CIMI + "VolumeCreate", "name": "restored",
                            "volumeTemplate": {"volumeImage": {"href": image["id"]}}})
        assert restored["capacity"] == 2 * MIB_KIB
        one_image = backend.gateway.image(int(restored["id"].rsplit("/", 1)[1]))
        assert one_image.persistent
        wait_for_state(restored["id"], "AVAILABLE")
        wait_for_state(image["id"], "AVAILABLE")
    finally:
        deleted = cimi.delete(image["id"])
    deleted_in_the_background(cimi, deleted, image["id"])


def test_a_data_image_from_a_url_shared_read_only_by_two_machines(
        cimi, volumes, wait_for_state, launched, machine_create, backend):
    """The guide's read-only data image (7.6): an image put on a web server is registered as
    a VolumeImage, a shareable volume is made from it and attached read-only to machines."""
    result = cimi.post(IMAGES, {"resourceURI": CIMI + "VolumeImage", "name": "flora-fauna",
                                "description": "label CDROM",
                                "imageLocation": {"href": "https://data.example.org/ff.iso.gz"}})
    assert result.status == 201, result.document
    image = result.document
    try:
        assert result.headers["Location"] == image["id"]
        assert (image["name"], image["description"]) == ("flora-fauna", "label CDROM")
        assert image["imageLocation"] == {"href": "https://data.example.org/ff.iso.gz"}
        assert "volume" not in image
        one_image = backend.gateway.image(int(image["id"].rsplit("/", 1)[1]))
        assert (one_image.type, one_image.persistent) == ("DATABLOCK", False)
        wait_for_state(image["id"], "AVAILABLE")
        shared = volumes({"resourceURI": CIMI + "VolumeCreate", "name": "flora-fauna-disk",
                          "shareable": True,
                          "volumeTemplate": {"volumeImage": {"href": image["id"]}}})
        wait_for_state(shared["id"], "AVAILABLE")
        for _ in range(2):
            machine = launched(machine_create(volumes=[
                {"volume": {"href": shared["id"]}, "readOnly": True}])).document
            wait_for_state(machine["id"], "STARTED")
        assert cimi.get(shared["id"]).document["users"] == 2
    finally:
        wait_for_state(image["id"], "AVAILABLE")
        deleted = cimi.delete(image["id"])
    deleted_in_the_background(cimi, deleted, image["id"])


def test_bad_snapshots_are_refused(cimi, unchanged_backend):
    for body, message in (
            ({"resourceURI": CIMI + "VolumeImage"}, "either from a volume"),
            ({"resourceURI": CIMI + "VolumeImage", "imageLocation": "ftp://host/data.iso",
              "volume": {"href": "http://localhost/cimi/volumes/0"}}, "give one of them"),
            ({"resourceURI": CIMI + "VolumeImage", "imageLocation": "ftp://host/data.iso"},
             "imageLocation must be an http or https URL"),
            ({"resourceURI": CIMI + "VolumeImage",
              "volume": {"href": "http://localhost/cimi/volumes/0"}}, "names no volume"),
            ({"resourceURI": CIMI + "VolumeImage",
              "volume": {"href": "http://localhost/cimi/machines/0"}}, "volumes/<id>"),
    ):
        result = cimi.post(IMAGES, body)
        assert result.status == 400, body
        assert message in result.document["message"]


def test_a_capacity_other_than_the_images_is_refused(cimi, volumes, wait_for_state, backend):
    volume = volumes(volume_create("sized-snap", capacity=MIB_KIB))
    wait_for_state(volume["id"], "AVAILABLE")
    image = cimi.post(IMAGES, {"resourceURI": CIMI + "VolumeImage", "name": "sized-snap-1",
                               "volume": {"href": volume["id"]}}).document
    try:
        before = backend.objects()
        result = cimi.post("/cimi/volumes", {
            "resourceURI": CIMI + "VolumeCreate", "name": "wrong-size",
            "volumeTemplate": {"volumeImage": {"href": image["id"]},
                               "volumeConfig": {"capacity": 2 * MIB_KIB}}})
        assert result.status == 400
        assert "the volume image's capacity" in result.document["message"]
        assert backend.settled(before) == before
    finally:
        wait_for_state(image["id"], "AVAILABLE")
        cimi.delete(image["id"])


def test_a_failed_snapshot_leaves_no_copy(cimi, volumes, wait_for_state, onesim_server, backend):
    volume = volumes(volume_create("unsnapped"))
    wait_for_state(volume["id"], "AVAILABLE")
    before = backend.objects()
    onesim_server.fail_next("one.image.update")
    result = cimi.post(IMAGES, {"resourceURI": CIMI + "VolumeImage", "name": "never",
                                "volume": {"href": volume["id"]}})
    assert result.status == 502
    assert backend.settled(before) == before


def test_a_volume_in_use_cannot_be_snapshotted(cimi, volumes, launched, machine_create,
                                              wait_for_state, backend):
    volume = volumes(volume_create("busy-snap"))
    wait_for_state(volume["id"], "AVAILABLE")
    machine = launched(machine_create(volumes=[{"volume": {"href": volume["id"]}}])).document
    wait_for_state(machine["id"], "STARTED")
    before = backend.objects()
    result = cimi.post(IMAGES, {"resourceURI": CIMI + "VolumeImage", "name": "busy-snap-1",
                                "volume": {"href": volume["id"]}})
    assert result.status == 409, result.document
    assert "Cannot clone image in state" in result.document["message"]
    assert backend.settled(before) == before
