"""Machine volumes over the API, in JSON and XML: volumes attached at launch and hot-plugged,
detached, shared read-only, created from volume templates at launch; volatile disks; and the
errors the issue names (not attached, in use, wrong state, deleted machine, concurrent
attach)."""
import threading

import pytest

from api_support import CIMI, terminate_all
from cimiclient import CimiTestClient
from volume_support import MIB_KIB, other_user, volume_create, volumes  # noqa: F401 (fixtures)


def volume_attachment(volume_href, **attributes):
    return {"resourceURI": CIMI + "MachineVolume", "volume": {"href": volume_href}, **attributes}


@pytest.fixture
def running_machine(launched, wait_for_state):
    """Launch a machine (keyword arguments go into machineTemplate) and wait until STARTED."""
    def launch(body=None):
        machine = launched(body).document
        return wait_for_state(machine["id"], "STARTED")
    return launch


@pytest.fixture
def available_volume(volumes, wait_for_state):
    def create(name, **attributes):
        volume = volumes(volume_create(name, **attributes))
        return wait_for_state(volume["id"], "AVAILABLE")
    return create


def attached_volumes(cimi, machine):
    result = cimi.get(machine["volumes"]["href"])
    assert result.status == 200, result.document
    return result.document["machineVolumes"]


def test_a_volume_attached_at_launch_is_listed_with_its_device(
        cimi, running_machine, machine_create, available_volume, wait_for_state):
    volume = available_volume("at-launch")
    machine = running_machine(machine_create(
        volumes=[{"volume": {"href": volume["id"]}, "initialLocation": "/dev/sdf"}]))
    (attached,) = attached_volumes(cimi, machine)
    assert attached["resourceURI"] == CIMI + "MachineVolume"
    assert attached["volume"]["href"] == volume["id"]
    assert attached["initialLocation"] == "sdf"
    assert attached["readOnly"] is False
    assert cimi.get(attached["id"]).document == attached
    in_use = cimi.get(volume["id"]).document
    assert (in_use["state"], in_use["users"]) == ("IN_USE", 1)
    refused = cimi.delete(volume["id"])
    assert refused.status == 409
    assert "detach it before deleting it" in refused.document["message"]
    assert cimi.get(volume["id"]).document["state"] == "IN_USE"


def test_hot_plug_and_unplug(cimi, running_machine, available_volume, wait_for_state):
    machine = running_machine()
    first, second = available_volume("plug-1"), available_volume("plug-2")
    devices = []
    for volume in (first, second):
        result = cimi.post(machine["volumes"]["href"], volume_attachment(volume["id"]))
        assert result.status == 202, result.document
        assert result.headers["Location"] == result.document["id"]
        assert result.document["volume"]["href"] == volume["id"]
        devices.append(result.document["initialLocation"])
        assert wait_for_state(result.headers["CIMI-Job-URI"], "SUCCESS")["action"] == "add"
    assert len(set(devices)) == 2 and all(devices)
    listed = attached_volumes(cimi, machine)
    assert [item["initialLocation"] for item in listed] == devices
    for item in listed:
        detached = cimi.delete(item["id"])
        assert detached.status == 202
        job = wait_for_state(detached.headers["CIMI-Job-URI"], "SUCCESS")
        assert job["targetResource"]["href"] == item["id"]
    assert attached_volumes(cimi, machine) == []
    assert wait_for_state(first["id"], "AVAILABLE")["users"] == 0


def test_detaching_what_is_not_attached_is_404(cimi, running_machine):
    machine = running_machine()
    disks = cimi.get(machine["disks"]["href"]).document["machineDisks"]
    boot_disk = disks[0]["id"].rsplit("/", 1)[1]
    for disk_id in (boot_disk, "77"):
        result = cimi.delete(f"{machine['volumes']['href']}/{disk_id}")
        assert result.status == 404
        assert "has no volume attached" in result.document["message"]


def test_a_volume_in_use_is_refused_to_a_second_machine(cimi, running_machine, available_volume,
                                                        machine_create):
    volume = available_volume("busy")
    running_machine(machine_create(volumes=[{"volume": {"href": volume["id"]}}]))
    other = running_machine()
    result = cimi.post(other["volumes"]["href"], volume_attachment(volume["id"]))
    assert result.status == 409
    assert "already attached to machine" in result.document["message"]
    assert attached_volumes(cimi, other) == []


def test_attaching_to_a_machine_that_is_not_running_is_409(cimi, launched, machine_create,
                                                          available_volume):
    volume = available_volume("early")
    held = launched(machine_create(initialState="STOPPED")).document
    result = cimi.post(held["volumes"]["href"], volume_attachment(volume["id"]))
    assert result.status == 409
    assert (f"Machine {held['id'].rsplit('/', 1)[1]} is STOPPED (OpenNebula state HOLD)"
            in result.document["message"])
    assert cimi.get(volume["id"]).document["users"] == 0


def test_attaching_to_a_deleted_machine_is_404(cimi, running_machine, available_volume,
                                               wait_for_state):
    volume = available_volume("late")
    machine = running_machine()
    assert cimi.delete(machine["id"], params={"force": "true"}).status == 202
    wait_for_state(machine["id"], 404)
    result = cimi.post(machine["volumes"]["href"], volume_attachment(volume["id"]))
    assert result.status == 404
    assert cimi.get(volume["id"]).document["users"] == 0


def test_bad_attachments_are_refused(cimi, running_machine, available_volume):
    machine = running_machine()
    volume = available_volume("bad-attach")
    for body, message in (
            (volume_attachment("http://localhost/cimi/volumes/0"), "names no volume"),
            (volume_attachment(volume["id"], initialLocation="/dev/sd1"), "device name"),
            (volume_attachment(volume["id"], initialLocation="/mnt/sdb"), "device name"),
            ({"resourceURI": CIMI + "MachineVolume"}, "volume"),
    ):
        result = cimi.post(machine["volumes"]["href"], body)
        assert result.status == 400, body
        assert message in result.document["message"]
    assert attached_volumes(cimi, machine) == []


def test_concurrent_attach_of_one_volume_exactly_one_wins(client, fmt, cimi_credentials,
                                                          cimi, running_machine,
                                                          available_volume):
    volume = available_volume("contested")
    machines = [running_machine(), running_machine()]
    answers = []

    def attach(machine):
        with client.application.test_client() as own:
            result = CimiTestClient(own, fmt, cimi_credentials).post(
                machine["volumes"]["href"], volume_attachment(volume["id"]))
            answers.append(result)

    threads = [threading.Thread(target=attach, args=(machine,)) for machine in machines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answer.status for answer in answers) == [202, 409]
    (refused,) = [answer for answer in answers if answer.status == 409]
    message = refused.document["message"].lower()
    assert f"volume {volume['id'].rsplit('/', 1)[1]}" in message
    assert "already attached" in message or "already in use" in message
    assert sum(len(attached_volumes(cimi, machine)) for machine in machines) == 1


def test_a_shareable_volume_serves_many_machines_read_only(cimi, running_machine, machine_create,
                                                          available_volume, wait_for_state):
    shared = available_volume("dataset", shareable=True)
    assert shared["shareable"] is True
    readers = [running_machine(machine_create(
        volumes=[{"volume": {"href": shared["id"]}, "readOnly": True}])) for _ in range(2)]
    for reader in readers:
        (attached,) = attached_volumes(cimi, reader)
        assert attached["readOnly"] is True
    assert cimi.get(shared["id"]).document["users"] == 2
    third = running_machine()
    writable = cimi.post(third["volumes"]["href"], volume_attachment(shared["id"]))
    assert writable.status == 409
    assert "read-only only" in writable.document["message"]
    read_only = cimi.post(third["volumes"]["href"],
                          volume_attachment(shared["id"], readOnly=True))
    assert read_only.status == 202
    assert read_only.document["readOnly"] is True


def test_volume_templates_at_launch_make_new_volumes_that_outlive_the_machine(
        cimi, running_machine, machine_create, backend, wait_for_state):
    machine = running_machine(machine_create(volumeTemplates=[{"volumeTemplate": {
        "volumeConfig": {"capacity": 2 * MIB_KIB}}}]))
    (attached,) = attached_volumes(cimi, machine)
    volume_href = attached["volume"]["href"]
    assert cimi.get(volume_href).document["capacity"] == 2 * MIB_KIB
    assert cimi.delete(machine["id"], params={"force": "true"}).status == 202
    wait_for_state(machine["id"], 404)
    kept = wait_for_state(volume_href, "AVAILABLE")
    assert kept["users"] == 0
    assert cimi.delete(volume_href).status == 202


def test_a_volatile_disk_is_a_disk_not_a_volume_and_goes_with_the_machine(
        cimi, running_machine, machine_create, image_href, backend, wait_for_state):
    before = backend.objects()["images"]
    machine = running_machine(machine_create(machineConfig={
        "cpu": 1, "memory": 256 * MIB_KIB, "disks": [{"capacity": 3 * MIB_KIB, "format": "raw"}]}))
    disks = cimi.get(machine["disks"]["href"]).document["machineDisks"]
    volatile = [disk for disk in disks if disk.get("volatile")]
    assert [(disk["capacity"], disk["format"]) for disk in volatile] == [(3 * MIB_KIB, "raw")]
    assert attached_volumes(cimi, machine) == []
    assert backend.objects()["images"] == before
    assert cimi.delete(machine["id"], params={"force": "true"}).status == 202
    wait_for_state(machine["id"], 404)
    assert cimi.get(machine["disks"]["href"]).status == 404
    assert backend.objects()["images"] == before


def test_a_volatile_disk_formatted_with_a_file_system(cimi, running_machine, machine_create,
                                                      backend):
    machine = running_machine(machine_create(machineConfig={
        "cpu": 1, "memory": 256 * MIB_KIB,
        "disks": [{"capacity": 2 * MIB_KIB, "format": "ext4", "initialLocation": "vdc"}]}))
    disks = cimi.get(machine["disks"]["href"]).document["machineDisks"]
    (scratch,) = [disk for disk in disks if disk.get("volatile")]
    assert (scratch["format"], scratch["capacity"], scratch["initialLocation"]) == (
        "ext4", 2 * MIB_KIB, "vdc")
    (vector,) = [disk for disk in backend.gateway.vm(int(machine["id"].rsplit("/", 1)[1])).disks
                 if disk.volatile]
    assert (vector.type, vector.format, vector.fs) == ("fs", "raw", "ext4")


def test_an_unknown_volatile_format_is_refused(cimi, machine_create, unchanged_backend):
    result = cimi.post("/cimi/machines", machine_create(machineConfig={
        "cpu": 1, "memory": 256 * MIB_KIB, "disks": [{"capacity": MIB_KIB, "format": "ntfs"}]}))
    assert result.status == 400
    assert "format must be one of" in result.document["message"]


def test_a_volume_template_that_fails_leaves_no_volume(cimi, machine_create, unchanged_backend):
    # The first volume is made, then deleted again (oned removes it in the background).
    body = machine_create(volumeTemplates=[
        {"volumeTemplate": {"volumeConfig": {"capacity": MIB_KIB}}},
        {"volumeTemplate": {"href": "http://localhost/cimi/volumeTemplates/999999"}}])
    result = cimi.post("/cimi/machines", body)
    assert result.status == 400
    assert "volumeTemplates[1].volumeTemplate.href" in result.document["message"]


def test_a_machine_template_carries_volumes_to_its_machines(cimi, collection_href, image_href,
                                                            available_volume, running_machine,
                                                            backend):
    volume = available_volume("templated", shareable=True)
    created = cimi.post(collection_href("machineTemplates"), {
        "resourceURI": CIMI + "MachineTemplate", "name": "with-volume",
        "machineImage": {"href": image_href},
        "volumes": [{"volume": {"href": volume["id"]}, "readOnly": True,
                     "initialLocation": "sdk"}]})
    assert created.status == 201, created.document
    template = created.document
    try:
        assert template["volumes"] == [{"volume": {"href": volume["id"]}, "readOnly": True,
                                        "initialLocation": "sdk"}]
        machine = running_machine({"resourceURI": CIMI + "MachineCreate",
                                   "machineTemplate": {"href": template["id"]}})
        (attached,) = attached_volumes(cimi, machine)
        assert (attached["volume"]["href"], attached["initialLocation"],
                attached["readOnly"]) == (volume["id"], "sdk", True)
    finally:
        backend.gateway.template_delete(int(template["id"].rsplit("/", 1)[1]))


def test_a_refused_launch_deletes_the_volumes_made_for_it(cimi, machine_create, onesim_server,
                                                         unchanged_backend):
    onesim_server.fail_next("one.vm.allocate", code=0x0200, message="Quota exceeded.")
    result = cimi.post("/cimi/machines", machine_create(volumeTemplates=[
        {"volumeTemplate": {"volumeConfig": {"capacity": MIB_KIB}}}]))
    assert result.status == 403


def test_another_user_attaches_a_public_volume_but_not_a_private_one(
        cimi, other_user, machine_create, available_volume, backend, wait_for_state):
    public = available_volume("lent", visibility="public")
    private = available_volume("kept")
    stranger = cimi.as_user(other_user)
    refused = stranger.post("/cimi/machines", machine_create(
        volumes=[{"volume": {"href": private["id"]}}]))
    assert refused.status == 400
    assert "names no volume you can use" in refused.document["message"]
    launched = stranger.post("/cimi/machines", machine_create(
        volumes=[{"volume": {"href": public["id"]}}]))
    assert launched.status == 201, launched.document
    try:
        machine = launched.document
        (attached,) = attached_volumes(stranger, machine)
        assert attached["volume"]["href"] == public["id"]
        assert cimi.get(public["id"]).document["users"] == 1
    finally:
        terminate_all(backend.gateway, [int(machine["id"].rsplit("/", 1)[1])])
    assert wait_for_state(public["id"], "AVAILABLE")["users"] == 0


def test_volumes_next_to_a_machine_template_href_are_refused(cimi, collection_href,
                                                            unchanged_backend):
    result = cimi.post("/cimi/machines", {
        "resourceURI": CIMI + "MachineCreate", "machineTemplate": {
            "href": collection_href("machineTemplates") + "/0", "volumeTemplates": [
                {"volumeTemplate": {"volumeConfig": {"capacity": MIB_KIB}}}]}})
    assert result.status == 400
    assert "machineTemplate.volumeTemplates" in result.document["message"]
    assert "by value" in result.document["message"]


def hrefs_in(value):
    """Every href in a document, however deep."""
    if isinstance(value, dict):
        return [found for key, item in value.items()
                for found in ([item] if key == "href" else hrefs_in(item))]
    if isinstance(value, list):
        return [found for item in value for found in hrefs_in(item)]
    return []


def test_every_href_of_a_machines_disks_resolves(
        cimi, running_machine, machine_create, available_volume, image_href):
    volume = available_volume("disk-links")
    machine = running_machine(machine_create(volumes=[{"volume": {"href": volume["id"]}}]))
    disks = cimi.get(machine["disks"]["href"]).document["machineDisks"]
    by_image = {disk["name"]: disk for disk in disks}
    assert by_image["ttylinux"]["machineImage"] == {"href": image_href}
    assert by_image["disk-links"]["volume"] == {"href": volume["id"]}
    assert "machineImage" not in by_image["disk-links"]
    hrefs = hrefs_in(disks) + [disk["id"] for disk in disks]
    assert {href: cimi.get(href).status for href in hrefs} == dict.fromkeys(hrefs, 200)
