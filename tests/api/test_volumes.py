"""Volumes over the API, in JSON and XML: create, list, read, update and delete persistent
volumes, their visibility and ownership, and every bad input the issue names."""
import pytest

from api_support import CIMI, deleted_in_the_background
from volume_support import GIB_KIB, other_user, volume_create, volumes  # noqa: F401 (fixtures)

VOLUMES = "/cimi/volumes"


def test_a_new_volume_is_a_private_persistent_datablock(cimi, volumes, backend, wait_for_state):
    volume = volumes(volume_create("data", capacity=5 * GIB_KIB, description="my data",
                                   properties={"project": "x"}))
    assert volume["resourceURI"] == CIMI + "Volume"
    assert volume["name"] == "data"
    assert volume["description"] == "my data"
    assert volume["properties"] == {"project": "x"}
    assert volume["capacity"] == 5 * GIB_KIB
    assert volume["state"] in ("CREATING", "AVAILABLE")
    assert volume["visibility"] == "private"
    assert volume["owner"] == cimi.user
    assert volume["users"] == 0
    assert volume["bootable"] is False
    assert volume["format"] == "raw"
    image = backend.gateway.image(int(volume["id"].rsplit("/", 1)[1]))
    assert (image.type, image.persistent, image.size_mb) == ("DATABLOCK", True, 5 * 1024)
    assert not image.permissions.other_use
    assert wait_for_state(volume["id"], "AVAILABLE")["capacity"] == 5 * GIB_KIB


def test_volumes_are_listed_and_never_as_machine_images(cimi, volumes):
    volume = volumes(volume_create("listed"))
    listed = cimi.get(VOLUMES).document
    assert volume["id"] in [member["id"] for member in listed["volumes"]]
    assert listed["count"] == len(listed["volumes"])
    images = cimi.get("/cimi/machineImages").document["machineImages"]
    assert all(image["name"] != "listed" for image in images)
    number = volume["id"].rsplit("/", 1)[1]
    assert cimi.get(f"/cimi/machineImages/{number}").status == 404
    assert cimi.get("/cimi/volumes/0").status == 404    # ttylinux, a machine image


def test_a_public_volume_is_seen_by_others_a_private_one_is_not(cimi, volumes, other_user):
    private = volumes(volume_create("mine"))
    public = volumes(volume_create("ours", visibility="public"))
    assert public["visibility"] == "public"
    stranger = cimi.as_user(other_user)
    seen = [member["id"] for member in stranger.get(VOLUMES).document["volumes"]]
    assert public["id"] in seen and private["id"] not in seen
    assert stranger.get(private["id"]).status == 404
    assert "operations" not in stranger.get(public["id"]).document


def test_only_the_owner_changes_or_deletes_a_volume(cimi, volumes, other_user):
    public = volumes(volume_create("guarded", visibility="public"))
    stranger = cimi.as_user(other_user)
    refused = stranger.delete(public["id"])
    assert refused.status == 403
    assert "only its owner can delete it" in refused.document["message"]
    renamed = stranger.put(public["id"], {"resourceURI": CIMI + "Volume", "name": "stolen"})
    assert renamed.status == 403
    kept = cimi.get(public["id"]).document
    assert (kept["name"], kept["visibility"]) == ("guarded", "public")


def test_a_volume_still_being_written_is_refused_to_others_as_theirs_and_to_its_owner_as_busy(
        cimi, volumes, other_user, onesim_server, wait_for_state):
    """oned refuses to delete an image its datastore is still writing (LOCKED) before it looks
    at who asks: someone else still hears that only the owner may delete the volume."""
    from onesim.images import LOCKED, READY
    public = volumes(volume_create("being-written", visibility="public"))
    wait_for_state(public["id"], "AVAILABLE")
    image_id = int(public["id"].rsplit("/", 1)[1])
    _set_image_state(onesim_server, image_id, LOCKED)
    try:
        assert cimi.get(public["id"]).document["state"] == "CREATING"
        refused = cimi.as_user(other_user).delete(public["id"])
        busy = cimi.delete(public["id"])
    finally:
        _set_image_state(onesim_server, image_id, READY)
    assert refused.status == 403
    assert "only its owner can delete it" in refused.document["message"]
    assert busy.status == 409
    assert "still being written" in busy.document["message"]
    assert cimi.get(public["id"]).status == 200


def _set_image_state(onesim_server, image_id, state):
    emulator = onesim_server.emulator
    with emulator.transaction():
        image = emulator.pool("image").get(image_id)
        image.set_state(state)
        emulator.pool("image").save(image)


def test_put_renames_redescribes_and_changes_visibility(cimi, volumes):
    volume = volumes(volume_create("before"))
    result = cimi.put(volume["id"], {"resourceURI": CIMI + "Volume", "name": "after",
                                     "description": "new", "visibility": "public"})
    assert result.status == 200, result.document
    assert (result.document["name"], result.document["description"],
            result.document["visibility"]) == ("after", "new", "public")
    back = cimi.put(volume["id"], {"resourceURI": CIMI + "Volume", "visibility": "private"})
    assert (back.document["name"], back.document["visibility"]) == ("after", "private")


def test_delete_answers_202_with_a_job_and_the_volume_is_gone(cimi, volumes, wait_for_state):
    volume = volumes(volume_create("doomed"))
    wait_for_state(volume["id"], "AVAILABLE")
    deleted_in_the_background(cimi, cimi.delete(volume["id"]), volume["id"])


@pytest.mark.parametrize("capacity, message", [
    (0, "more than 0"), (-1024, "more than 0"), (2**62, "at most"),
    (100000 * 1024 ** 2, "at most 68719476736 KiB (64 TiB); 104857600000 KiB (100000 GiB) was"),
    ("lots", "whole number"),
])
def test_bad_capacities_are_refused(cimi, unchanged_backend, capacity, message):
    result = cimi.post(VOLUMES, volume_create("bad", capacity=capacity))
    assert result.status == 400
    assert message in result.document["message"]
    assert "capacity" in result.document["message"]


def test_an_unknown_format_is_refused(cimi, unchanged_backend):
    body = volume_create("bad")
    body["volumeTemplate"]["volumeConfig"]["format"] = "vmdk"
    result = cimi.post(VOLUMES, body)
    assert result.status == 400
    assert "format must be one of: raw, qcow2" in result.document["message"]


@pytest.mark.parametrize("template, message", [
    ({}, "volumeConfig or a volumeImage"),
    ({"volumeConfig": {"format": "raw"}}, "needs a capacity"),
    ({"href": "http://localhost/cimi/volumeTemplates/999999"}, "names no volume template"),
    ({"volumeConfig": {"href": "http://elsewhere.example/cimi/volumeConfigs/1"}},
     "must name a resource of this server"),
    ({"volumeImage": {"href": "http://localhost/cimi/volumeImages/0"}}, "names no volume image"),
])
def test_bad_templates_are_refused(cimi, unchanged_backend, template, message):
    body = {"resourceURI": CIMI + "VolumeCreate", "name": "bad", "volumeTemplate": template}
    result = cimi.post(VOLUMES, body)
    assert result.status == 400
    assert message in result.document["message"]


def test_an_unknown_visibility_is_refused(cimi, unchanged_backend):
    result = cimi.post(VOLUMES, volume_create("bad", visibility="everybody"))
    assert result.status == 400
    assert "visibility must be private or public" in result.document["message"]


def test_a_name_taken_is_a_conflict_and_creates_nothing(cimi, volumes, backend):
    volumes(volume_create("twice"))
    before = backend.objects()
    result = cimi.post(VOLUMES, volume_create("twice"))
    assert result.status == 409
    assert "already taken" in result.document["message"]
    assert backend.settled(before) == before


def test_a_failure_after_allocation_leaves_no_volume(cimi, onesim_server, unchanged_backend):
    onesim_server.fail_next("one.image.chmod")
    result = cimi.post(VOLUMES, volume_create("half-made", visibility="public"))
    assert result.status == 502
    assert result.document["resourceURI"] == CIMI + "Error"


def test_a_quota_refusal_is_403_and_leaves_nothing(cimi, onesim_server, unchanged_backend):
    onesim_server.fail_next("one.image.allocate", code=0x0200, message="Quota exceeded.")
    result = cimi.post(VOLUMES, volume_create("over-quota"))
    assert result.status == 403
    assert "Quota exceeded" in result.document["message"]


def test_white_space_around_a_keyword_is_ignored_and_a_wrong_one_is_quoted(cimi, volumes):
    """As XML writers indent values (`<visibility> public </visibility>`), white space around
    a keyword is not part of it, in either format; a refusal quotes the value received."""
    created = volumes(volume_create("indented", visibility="\n  public  "))
    assert created["visibility"] == "public"
    refused = cimi.post(VOLUMES, volume_create("wrong", visibility=" Public "))
    assert refused.status == 400
    assert "visibility must be private or public; 'Public' was given." in \
        refused.document["message"], refused.document
    names = [member["name"] for member in cimi.get(VOLUMES).document.get("volumes", [])]
    assert "wrong" not in names
