"""Capture: the Machine capture action, POST to machineImages with a machine as
imageLocation, and save on shutdown (stop with an image), including its failure paths."""
import contextlib
import time

import pytest

from app.one.states import DONE, LCM_NUMBERS
from app.services import machine_capture
from onesim.vm import lifecycle
from api_support import ACTION, CIMI, STATE_WAIT_SECONDS

SHUTDOWN_POWEROFF = LCM_NUMBERS["SHUTDOWN_POWEROFF"]


@pytest.fixture
def image_cleanup(backend):
    """Image hrefs to delete at the end of the test, once no machine uses them (ask for this
    fixture before `launched`, so the machines are terminated first)."""
    hrefs = []
    yield hrefs
    one = backend.gateway
    deadline = time.monotonic() + STATE_WAIT_SECONDS
    for href in hrefs:
        image_id = int(href.rsplit("/", 1)[1])
        while image_id in {image.id for image in one.image_page().items}:
            image = one.image(image_id)
            if image.running_vms == 0 and image.state in (1, 5):      # READY or ERROR
                one.image_delete(image_id)
                break
            assert time.monotonic() < deadline, f"image {image_id} stayed busy"
            time.sleep(0.05)


def action(name, **inputs):
    return {"resourceURI": CIMI + "Action", "action": ACTION + name, **inputs}


def image_names(backend):
    return {image.name for image in backend.owned(backend.gateway.image_page().items)}


def test_capture_action_makes_an_image_that_launches_machines(
        image_cleanup, cimi, launched, started_machine, wait_for_state, image_href):
    machine = started_machine
    result = cimi.post(machine, action("capture", image={
        "name": f"captured-{time.monotonic_ns()}", "description": "my web server",
        "properties": {"role": "web"}}))
    assert result.status == 202, result.document
    image_location = result.headers["Location"]
    image_cleanup.append(image_location)
    image = wait_for_state(image_location, "AVAILABLE")
    assert image["type"] == "IMAGE"
    assert image["imageLocation"] == {"href": machine}
    assert image["relatedImage"] == {"href": image_href}
    assert (image["description"], image["properties"]) == ("my web server", {"role": "web"})
    wait_for_state(machine, "STARTED")          # CAPTURING while the disk was copied
    clone = launched({"resourceURI": CIMI + "MachineCreate", "name": "from-capture",
                      "machineTemplate": {"machineImage": {"href": image_location}}})
    assert clone.document["machineImage"] == {"href": image_location}


def test_capture_by_posting_the_machine_as_image_location(
        image_cleanup, cimi, started_machine, wait_for_state, collection_href):
    machine = started_machine
    result = cimi.post(collection_href("machineImages"), {
        "resourceURI": CIMI + "MachineImage", "imageLocation": {"href": machine}})
    assert result.status == 202, result.document
    image_cleanup.append(result.headers["Location"])
    # The new image in the body, as a registration (201) gives it, and the capture's Job.
    assert result.document["id"] == result.headers["Location"]
    assert result.document["resourceURI"] == CIMI + "MachineImage"
    assert result.document["imageLocation"] == {"href": machine}
    assert result.headers["CIMI-Job-URI"]
    image = wait_for_state(result.headers["Location"], "AVAILABLE")
    assert image["imageLocation"] == {"href": machine}
    assert image["name"].startswith("test-machine-")


def test_capture_post_refuses_what_a_capture_cannot_take(
        cimi, started_machine, collection_href, backend):
    machine = started_machine
    before = image_names(backend)
    result = cimi.post(collection_href("machineImages"), {
        "resourceURI": CIMI + "MachineImage", "imageLocation": machine, "visibility": "public"})
    assert result.status == 400
    assert "visibility" in result.document["message"]
    assert image_names(backend) == before


def test_capture_where_opennebula_refuses_it_is_a_conflict(
        cimi, launched, machine_create, backend, collection_href):
    held = launched(machine_create(initialState="STOPPED")).document["id"]     # HOLD
    before = image_names(backend)
    result = cimi.post(held, action("capture"))
    assert result.status == 409, result.document
    assert "cannot capture" in result.document["message"]
    result = cimi.post(collection_href("machineImages"), {
        "resourceURI": CIMI + "MachineImage", "imageLocation": held})
    assert result.status == 409, result.document
    assert image_names(backend) == before


def test_capture_of_an_unknown_machine_is_404(cimi, collection_href):
    result = cimi.post(collection_href("machineImages"), {
        "resourceURI": CIMI + "MachineImage",
        "imageLocation": collection_href("machines") + "/987654"})
    assert result.status == 404


def test_stop_with_an_image_saves_the_disk_in_one_request(
        image_cleanup, cimi, started_machine, wait_for_state):
    machine = started_machine
    name = f"saved-{time.monotonic_ns()}"
    result = cimi.post(machine, action("stop", image={"name": name}))
    assert result.status == 202, result.document
    image_cleanup.append(result.headers["Location"])
    image = wait_for_state(result.headers["Location"], "AVAILABLE")
    assert (image["name"], image["imageLocation"]) == (name, {"href": machine})
    wait_for_state(machine, "STOPPED")


def test_stop_with_a_name_already_taken_leaves_the_machine_running(
        image_cleanup, cimi, started_machine, backend, collection_href):
    taken = cimi.post(collection_href("machineImages"), {
        "resourceURI": CIMI + "MachineImage", "name": f"taken-{time.monotonic_ns()}",
        "imageLocation": "https://images.example.org/taken.img"})
    image_cleanup.append(taken.headers["Location"])
    machine = started_machine
    before = image_names(backend)
    result = cimi.post(machine, action("stop", image={"name": taken.document["name"]}))
    assert result.status == 409, result.document
    assert "the machine was not stopped" in result.document["message"]
    assert cimi.get(machine).document["state"] == "STARTED"
    assert image_names(backend) == before


def test_stop_whose_save_fails_starts_the_machine_again_and_says_so(
        cimi, started_machine, onesim_server, backend, wait_for_state):
    machine = started_machine
    before = image_names(backend)
    onesim_server.fail_next("one.vm.disksaveas", code=0x0800, message="Not enough space in datastore")
    try:
        result = cimi.post(machine, action("stop", image={"name": f"x-{time.monotonic_ns()}"}))
    finally:
        onesim_server.clear_faults()
    assert result.status == 409, result.document
    message = result.document["message"]
    assert "was stopped, but its disk was not saved, so it is being started again" in message
    assert "Not enough space" in message
    wait_for_state(machine, "STARTED")
    assert image_names(backend) == before


@pytest.fixture
def stalled_power_off(backend, monkeypatch, onesim_server):
    """`with stalled_power_off(vm_id):` the VM's guest never finishes powering off while the
    block runs: the emulator's driver does not answer for that VM (the emulator's other VMs
    and its scheduler keep their pace). A VM the test leaves stuck is powered off by force at
    its end, so that it can be terminated and gives its host capacity back. It stalls the
    emulator's driver, hence `onesim_server`: skipped on the real lane."""
    stalled, left = set(), []
    expect_driver = lifecycle._expect_driver

    def expect_unless_stalled(emulator, vm):
        if vm.id not in stalled:
            expect_driver(emulator, vm)

    @contextlib.contextmanager
    def stall(vm_id):
        stalled.add(vm_id)
        try:
            yield
        finally:
            stalled.discard(vm_id)
            left.append(vm_id)

    monkeypatch.setattr(lifecycle, "_expect_driver", expect_unless_stalled)
    yield stall
    stalled.clear()
    one = backend.gateway
    for vm_id in left:
        if one.vm(vm_id).lcm_state == SHUTDOWN_POWEROFF:
            one.vm_action("poweroff-hard", vm_id)


def test_stop_that_does_not_finish_in_time_says_so(
        cimi, started_machine, wait_for_state, backend, monkeypatch, stalled_power_off):
    machine = started_machine
    before = image_names(backend)
    monkeypatch.setattr(machine_capture, "STOP_WAIT_SECONDS", 0)
    with stalled_power_off(int(machine.rsplit("/", 1)[1])):
        result = cimi.post(machine, action("stop", image={"name": f"y-{time.monotonic_ns()}"}))
    assert result.status == 504
    assert "its disk was not saved" in result.document["message"]
    assert cimi.get(machine).document["state"] == "STOPPING"
    assert image_names(backend) == before
    assert cimi.post(machine, action("stop", force=True)).status == 202
    wait_for_state(machine, "STOPPED")


def test_stop_of_a_machine_that_ends_elsewhere_says_so(
        cimi, started_machine, backend, monkeypatch):
    machine = started_machine
    vm_id = int(machine.rsplit("/", 1)[1])
    real_wait = machine_capture._wait_until_powered_off

    def deleted_meanwhile(gateway, waited_vm_id):
        deadline = time.monotonic() + STATE_WAIT_SECONDS
        while backend.gateway.vm(vm_id).state != machine_capture.POWEROFF:
            assert time.monotonic() < deadline, "the machine never powered off"
            time.sleep(0.05)
        backend.gateway.vm_action("terminate-hard", vm_id)     # someone deletes it meanwhile
        # oned terminates in the background: the save must meet the machine gone.
        while backend.gateway.vm(vm_id).state != DONE:
            assert time.monotonic() < deadline, "the machine was never terminated"
            time.sleep(0.05)
        return real_wait(gateway, waited_vm_id)

    monkeypatch.setattr(machine_capture, "_wait_until_powered_off", deleted_meanwhile)
    result = cimi.post(machine, action("stop", image={"name": f"z-{time.monotonic_ns()}"}))
    assert result.status == 409, result.document
    assert "its disk was not saved" in result.document["message"]


def test_an_image_input_on_another_action_is_refused(cimi, started_machine):
    machine = started_machine
    result = cimi.post(machine, action("restart", image={"name": "x"}))
    assert result.status == 400
    assert "takes no image" in result.document["message"]


@pytest.mark.parametrize("name", ["capture", "snapshot", "stop"])
def test_an_href_for_a_new_image_is_refused(cimi, started_machine, image_href, backend, name):
    before = image_names(backend)
    result = cimi.post(started_machine, action(name, image={"href": image_href}))
    assert result.status == 400
    assert "only restore takes" in result.document["message"]
    assert cimi.get(started_machine).document["state"] == "STARTED"
    assert image_names(backend) == before
