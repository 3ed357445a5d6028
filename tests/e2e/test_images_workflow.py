"""The StratusLab user guide's image chapter over HTTP against gunicorn and onesim, following
hrefs and operations only: register an image from a URL, wait for AVAILABLE, launch it with an
SSH key and user data, read the IP, capture the machine into a new image, launch from the
captured image, snapshot and restore, save a machine's disk on shutdown, delete the images.
A second user can neither see nor use a private image; bad input is refused clearly."""
import base64
import time

import pytest

from app.one import parse
from http_cimi import HttpCimiClient
from test_context_workflow import KEY, own_pool, second_user  # noqa: F401 (fixture)
from test_stratuslab_workflow import ACTION, CIMI, STATE_WAIT_SECONDS, operation_href, wait_for

USER_DATA = base64.b64encode(b"#!/bin/sh\necho built > /etc/motd\n").decode()


def unique(prefix):
    return f"{prefix}-{time.monotonic_ns()}"


def image_ids(opennebula):
    """The images of the demo user."""
    return {image.id for image in parse.pool(
        own_pool(opennebula, opennebula.demo_session, "imagepool.info"), parse.image)}


def wait_until_offered(client, href, rel):
    """Poll until the resource offers the operation `rel`; bounded as a hang guard."""
    deadline = time.monotonic() + STATE_WAIT_SECONDS
    while True:
        status, document, _ = client.get(href)
        if status == 200 and rel in {operation["rel"] for operation in document["operations"]}:
            return document
        assert time.monotonic() < deadline, f"{href} never offered {rel}"
        time.sleep(0.1)


def act(client, machine, action, **inputs):
    """POST the Action to the machine's operation href; the 202 answer's headers."""
    status, error, headers = client.post(operation_href(machine, ACTION + action), {
        "resourceURI": CIMI + "Action", "action": ACTION + action, **inputs})
    assert status == 202, error
    return headers


def launch(client, machines_href, image_href, name, **template):
    status, machine, headers = client.post(machines_href, {
        "resourceURI": CIMI + "MachineCreate", "name": name,
        "machineTemplate": {"machineImage": {"href": image_href}, **template}})
    assert status == 201, machine
    return headers["Location"]


@pytest.fixture
def entry_point(http_cimi, server_url):
    status, document, _ = http_cimi.get(server_url)
    assert status == 200
    return {key: value["href"] for key, value in document.items() if isinstance(value, dict)}


@pytest.fixture
def cleanup(http_cimi):
    """Machines and images to delete at the end, machines first."""
    machines, images = [], []
    yield machines, images
    for href in machines:
        if http_cimi.get(href)[0] == 200:
            http_cimi.request("DELETE", href, params={"force": "true"})
    for href in machines:
        wait_for(http_cimi, href, 404)
    for href in images:
        if http_cimi.get(href)[0] == 200:
            assert http_cimi.delete(href)[0] == 202


def test_register_launch_capture_snapshot_and_save(http_cimi, entry_point, cleanup):
    machines, images = cleanup
    status, credential, headers = http_cimi.post(entry_point["credentials"], {
        "resourceURI": CIMI + "CredentialCreate", "name": unique("key"),
        "credentialTemplate": {"publicKey": KEY}})
    assert status == 201, credential
    credential_href = headers["Location"]

    status, registered, headers = http_cimi.post(entry_point["machineImages"], {
        "resourceURI": CIMI + "MachineImage", "name": unique("base"), "description": "base OS",
        "imageLocation": "https://marketplace.example.org/images/base.qcow2",
        "properties": {"os": "linux"}})
    assert status == 201, registered
    base_href = headers["Location"]
    images.append(base_href)
    base = wait_for(http_cimi, base_href, "AVAILABLE")
    assert base["imageLocation"] == {"href": "https://marketplace.example.org/images/base.qcow2"}

    machine_href = launch(http_cimi, entry_point["machines"], base_href, "builder",
                          credential={"href": credential_href}, userData=USER_DATA)
    machines.append(machine_href)
    machine = wait_for(http_cimi, machine_href, "STARTED")
    (ip,) = machine["ipAddresses"]
    assert ip.count(".") == 3

    captured_href = act(http_cimi, machine, "capture", image={"name": unique("captured")})[
        "Location"]
    images.append(captured_href)
    captured = wait_for(http_cimi, captured_href, "AVAILABLE")
    assert captured["imageLocation"] == {"href": machine_href}
    assert captured["relatedImage"] == {"href": base_href}

    clone_href = launch(http_cimi, entry_point["machines"], captured_href, "clone")
    machines.append(clone_href)
    clone = wait_for(http_cimi, clone_href, "STARTED")
    assert clone["machineImage"] == {"href": captured_href}

    snapshot_href = act(http_cimi, clone, "snapshot", image={"name": "before"})["Location"]
    clone = wait_until_offered(http_cimi, clone_href, ACTION + "restore")
    status, snapshots, _ = http_cimi.get(f"{clone_href}/snapshots")
    assert [member["id"] for member in snapshots["machineImages"]] == [snapshot_href]
    assert snapshots["machineImages"][0]["type"] == "SNAPSHOT"
    act(http_cimi, clone, "restore", image={"href": snapshot_href})
    wait_until_offered(http_cimi, clone_href, ACTION + "stop")

    machine = wait_until_offered(http_cimi, machine_href, ACTION + "stop")
    saved_href = act(http_cimi, machine, "stop", image={"name": unique("saved")})["Location"]
    images.append(saved_href)
    saved = wait_for(http_cimi, saved_href, "AVAILABLE")
    assert saved["imageLocation"] == {"href": machine_href}
    wait_for(http_cimi, machine_href, "STOPPED")

    status, error, headers = http_cimi.post(entry_point["machineImages"], {
        "resourceURI": CIMI + "MachineImage", "imageLocation": {"href": machine_href}})
    assert status == 202, error                       # capture of the stopped machine
    images.append(headers["Location"])
    wait_for(http_cimi, headers["Location"], "AVAILABLE")

    status, error, _ = http_cimi.request("DELETE", captured_href)
    assert status == 409 and "using it" in error["message"]      # the clone runs on it
    assert http_cimi.delete(credential_href)[0] == 200


def test_private_images_and_bad_input(http_cimi, entry_point, cleanup, fmt, installed,
                                      second_user):
    machines, images = cleanup
    status, registered, headers = http_cimi.post(entry_point["machineImages"], {
        "resourceURI": CIMI + "MachineImage", "name": unique("private"),
        "imageLocation": "http://marketplace.example.org/private.img"})
    assert status == 201
    private_href = headers["Location"]
    images.append(private_href)
    wait_for(http_cimi, private_href, "AVAILABLE")

    other = HttpCimiClient(fmt, second_user)
    assert other.get(private_href)[0] == 404                # as if it did not exist
    status, listed, _ = other.get(entry_point["machineImages"])
    assert private_href not in {member["id"] for member in listed["machineImages"]}
    vms_before = own_pool(installed, second_user, "vmpool.info", -1)
    status, _, _ = other.post(entry_point["machines"], {
        "resourceURI": CIMI + "MachineCreate",
        "machineTemplate": {"machineImage": {"href": private_href}}})
    assert status == 400                                        # as for a missing image
    status, _, _ = other.request("PUT", private_href, {"resourceURI": CIMI + "MachineImage",
                                                       "name": "stolen"})
    assert status == 404
    assert own_pool(installed, second_user, "vmpool.info", -1) == vms_before

    status, ttylinux, _ = http_cimi.get(entry_point["machineImages"],
                                        params={"$filter": "name='ttylinux'"})
    (public,) = ttylinux["machineImages"]
    status, error, _ = http_cimi.request("PUT", public["id"], {
        "resourceURI": CIMI + "MachineImage", "name": "mine-now"})
    assert status == 403

    images_before = image_ids(installed)
    for location in ("ftp://marketplace.example.org/x.img", "http://", "not a url"):
        status, error, _ = http_cimi.post(entry_point["machineImages"], {
            "resourceURI": CIMI + "MachineImage", "name": unique("bad"),
            "imageLocation": location})
        assert status == 400 and "imageLocation" in error["message"]
    assert image_ids(installed) == images_before

    held_href = launch(http_cimi, entry_point["machines"], private_href, "held",
                       initialState="STOPPED")
    machines.append(held_href)
    status, error, _ = http_cimi.post(held_href, {"resourceURI": CIMI + "Action",
                                                  "action": ACTION + "capture"})
    assert status == 409 and "cannot capture" in error["message"]
    assert image_ids(installed) == images_before
