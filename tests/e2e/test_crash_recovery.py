"""The crash matrix: gunicorn (master and workers) killed with SIGKILL in the middle of a
request leaves nothing that never ends.

Each crash point is made deterministic with the emulator: one OpenNebula method answers late
(oned has carried the call out, the answer is slow), and the server is killed while its
request waits for it. A new server then serves the same OpenNebula, and within
CIMI_RECOVERY_SECONDS (a few seconds here) reads settle what the dead one left: its Job ends
(FAILED when the action never reached OpenNebula, following the target when it did), and
objects it left incomplete are removed, or completed when the operation went through. The
answers are read in JSON and XML. Emulator only: the crash points need its delayed methods.
"""
import base64
import struct
import threading
import time

import pytest
import requests
from defusedxml import ElementTree

from support.lanes import STATE_WAIT_SECONDS, Rpc
from support.servers import free_port, gunicorn_server
from test_stratuslab_workflow import ACTION, CIMI, wait_for

RECOVERY_SECONDS = 3
SETTINGS = {"CIMI_RECOVERY_SECONDS": str(RECOVERY_SECONDS)}
# The delayed method's answer comes well after the kill.
LATE_SECONDS = 20
JOB = 8005
CREDENTIAL = 8004
VM_NOT_DONE = -1


class Crash:
    """The emulator as oneadmin, a server to kill, and the new server after it."""

    def __init__(self, onesim, endpoint, client):
        self.onesim = onesim
        self.endpoint = endpoint
        self.client = client
        self.one = Rpc(endpoint, onesim.admin_session)

    def entry_point(self, url):
        status, entry_point, _ = self.client.get(url)
        assert status == 200, entry_point
        return entry_point

    def killed_during(self, method, send, reached):
        """Send a request (`send()`, in a thread) with `method` answering late, wait until
        OpenNebula has carried out that call (`reached()`), then kill the server."""
        self.onesim.delay(method, LATE_SECONDS)
        try:
            thread = threading.Thread(target=_ignoring_the_crash(send), daemon=True)
            thread.start()
            _until(reached, f"{method} was never called")
        finally:
            self.onesim.clear_faults()

    def ids(self, pool, *arguments):
        return {int(item.findtext("ID")) for item in self.one.pool(pool, -2, -1, -1, *arguments)}

    def templates(self, pool, *arguments):
        return {int(item.findtext("ID")): item.find("TEMPLATE")
                for item in self.one.pool(pool, -2, -1, -1, *arguments)}

    def vm(self, vm_id):
        return ElementTree.fromstring(self.one.call("vm.info", vm_id))


def _ignoring_the_crash(send):
    def run():
        try:
            send()
        except requests.RequestException:
            pass
    return run


def _until(condition, message, seconds=STATE_WAIT_SECONDS):
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        assert time.monotonic() < deadline, message
        time.sleep(0.05)
    return value


@pytest.fixture
def crash(onesim_process, installed, http_cimi):
    return Crash(onesim_process, installed.endpoint, http_cimi)


@pytest.fixture
def server(installed):
    """Start servers (the one to kill, the one after it) on one address, so that hrefs
    stay valid, with a short recovery time."""
    listen = f"127.0.0.1:{free_port()}"

    def start():
        return gunicorn_server(installed.endpoint, listen, environment=SETTINGS)
    return start


def launched(crash, entry_point, name):
    status, images, _ = crash.client.get(entry_point["machineImages"]["href"],
                                         params={"$filter": "name='ttylinux'"})
    (image,) = images["machineImages"]
    create = {"resourceURI": CIMI + "MachineCreate", "name": name,
              "machineTemplate": {"machineImage": {"href": image["id"]}}}
    status, machine, headers = crash.client.post(entry_point["machines"]["href"], create)
    assert status == 201, machine
    wait_for(crash.client, headers["Location"], "STARTED")
    return headers["Location"]


def stop(crash, machine_href):
    return crash.client.post(machine_href, {"resourceURI": CIMI + "Action",
                                            "action": ACTION + "stop"})


def past_the_recovery_time():
    """Every deadline the killed server set has passed (they were set before the kill)."""
    time.sleep(RECOVERY_SECONDS + 1)


def ended(crash, href):
    """The Job, which has ended by the first read after the recovery time."""
    status, job, _ = crash.client.get(href)
    assert status == 200, job
    assert job["state"] in ("SUCCESS", "FAILED"), job
    return job


def waited(crash, href):
    """A Job of the new server, once it has ended (bounded as a hang guard)."""
    def finished():
        status, job, _ = crash.client.get(href)
        return job if status == 200 and job["state"] in ("SUCCESS", "FAILED") else None
    return _until(finished, f"{href} never ended")


def ids_in(listed, key):
    return {int(member["id"].rsplit("/", 1)[1]) for member in listed.get(key, [])}


def test_a_job_whose_action_never_reached_opennebula_fails_and_stays_failed(crash, server):
    """Killed after the Job was written, before the stop was sent: the Job ends FAILED, and a
    later stop of the same machine by someone else does not make it a success."""
    with server() as first:
        entry_point = crash.entry_point(first.url)
        machine = launched(crash, entry_point, "crash-before-action")
        jobs_before = crash.ids("documentpool.info", JOB)
        crash.killed_during("one.document.allocate", lambda: stop(crash, machine),
                            lambda: crash.ids("documentpool.info", JOB) - jobs_before)
        first.kill()
    (job_id,) = crash.ids("documentpool.info", JOB) - jobs_before
    with server() as second:
        entry_point = crash.entry_point(second.url)
        past_the_recovery_time()
        assert wait_for(crash.client, machine, "STARTED")
        status, _, headers = stop(crash, machine)
        assert status == 202
        assert waited(crash, headers["CIMI-Job-URI"])["state"] == "SUCCESS"
        stale = ended(crash, f"{entry_point['jobs']['href']}/{job_id}")
        assert stale["state"] == "FAILED", stale
        assert "did not reach OpenNebula" in stale["statusMessage"]
        assert crash.client.delete(machine)[0] == 202


def test_a_job_whose_action_oned_accepted_follows_it_to_the_end(crash, server):
    """Killed while oned was answering the stop it had carried out: the Job succeeds."""
    with server() as first:
        entry_point = crash.entry_point(first.url)
        machine = launched(crash, entry_point, "crash-during-action")
        vm_id = int(machine.rsplit("/", 1)[1])
        jobs_before = crash.ids("documentpool.info", JOB)
        crash.killed_during("one.vm.action", lambda: stop(crash, machine),
                            lambda: crash.vm(vm_id).findtext("LCM_STATE") != "3")
        first.kill()
    (job_id,) = crash.ids("documentpool.info", JOB) - jobs_before
    with server() as second:
        entry_point = crash.entry_point(second.url)
        past_the_recovery_time()
        job = ended(crash, f"{entry_point['jobs']['href']}/{job_id}")
        assert job["state"] == "SUCCESS", job
        assert crash.client.delete(machine)[0] == 202


def test_volumes_of_a_machine_never_made_are_removed(crash, server):
    """Killed after a MachineCreate made its volume, before it made the VM: the volume goes."""
    with server() as first:
        entry_point = crash.entry_point(first.url)
        images_before = crash.ids("imagepool.info")
        crash.killed_during("one.image.allocate",
                            lambda: crash.client.post(entry_point["machines"]["href"],
                                                      machine_with_a_volume(crash, entry_point)),
                            lambda: crash.ids("imagepool.info") - images_before)
        first.kill()
    (volume_id,) = crash.ids("imagepool.info") - images_before
    with server() as second:
        volumes = crash.entry_point(second.url)["volumes"]["href"]
        past_the_recovery_time()
        status, listed, _ = crash.client.get(volumes)
        assert status == 200
        assert volume_id not in ids_in(listed, "volumes")
        assert crash.client.get(f"{volumes}/{volume_id}")[0] == 404
        _until(lambda: volume_id not in crash.ids("imagepool.info"),
               f"volume {volume_id} was never removed")


def test_volumes_of_a_machine_made_are_completed(crash, server):
    """Killed after the VM was made with its new volume, before the volume was marked
    complete: the volume stays, complete, with the machine."""
    with server() as first:
        entry_point = crash.entry_point(first.url)
        images_before = crash.ids("imagepool.info")
        vms_before = crash.ids("vmpool.info", VM_NOT_DONE)
        crash.killed_during("one.vm.allocate",
                            lambda: crash.client.post(entry_point["machines"]["href"],
                                                      machine_with_a_volume(crash, entry_point)),
                            lambda: crash.ids("vmpool.info", VM_NOT_DONE) - vms_before)
        first.kill()
    (volume_id,) = crash.ids("imagepool.info") - images_before
    (vm_id,) = crash.ids("vmpool.info", VM_NOT_DONE) - vms_before
    with server() as second:
        volumes = crash.entry_point(second.url)["volumes"]["href"]
        past_the_recovery_time()
        status, volume, _ = crash.client.get(f"{volumes}/{volume_id}")
        assert status == 200, volume
        assert crash.templates("imagepool.info")[volume_id].findtext("CIMI_INCOMPLETE") == "0"
        machine = crash.entry_point(second.url)["machines"]["href"] + f"/{vm_id}"
        assert crash.client.delete(machine)[0] == 202
        wait_for(crash.client, machine, 404)
        wait_for(crash.client, f"{volumes}/{volume_id}", "AVAILABLE")
        assert crash.client.delete(f"{volumes}/{volume_id}")[0] == 202


def test_a_default_credential_left_halfway_is_undone(crash, server):
    """Killed after a new default credential took the user's key, before it was complete: the
    credential goes, the former default is marked again, the user's key is the former one."""
    with server() as first:
        entry_point = crash.entry_point(first.url)
        credentials = entry_point["credentials"]["href"]
        status, former, _ = crash.client.post(credentials, default_credential("former"))
        assert status == 201, former
        documents_before = crash.ids("documentpool.info", CREDENTIAL)
        crash.killed_during("one.user.update",
                            lambda: crash.client.post(credentials, default_credential("new")),
                            lambda: user_key(crash) == NEW_KEY)
        first.kill()
    (new_id,) = crash.ids("documentpool.info", CREDENTIAL) - documents_before
    with server() as second:
        credentials = crash.entry_point(second.url)["credentials"]["href"]
        past_the_recovery_time()
        status, listed, _ = crash.client.get(credentials)
        assert status == 200
        assert [member["id"] for member in listed["credentials"]] == [former["id"]]
        assert listed["credentials"][0]["properties"] == {"default": "true"}
        assert new_id not in crash.ids("documentpool.info", CREDENTIAL)
        assert user_key(crash) == FORMER_KEY
        assert crash.client.delete(former["id"])[0] == 200


def ed25519_key(seed, comment):
    blob = b"".join(struct.pack(">I", len(field)) + field
                    for field in (b"ssh-ed25519", bytes([seed]) * 32))
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {comment}"


FORMER_KEY = ed25519_key(1, "former@crash")
NEW_KEY = ed25519_key(2, "new@crash")


def default_credential(which):
    key = FORMER_KEY if which == "former" else NEW_KEY
    return {"resourceURI": CIMI + "CredentialCreate", "name": f"crash-{which}",
            "properties": {"default": "true"}, "credentialTemplate": {"publicKey": key}}


def user_key(crash):
    (demo,) = [user for user in crash.one.pool("userpool.info")
               if user.findtext("NAME") == crash.client.user]
    return demo.findtext("TEMPLATE/SSH_PUBLIC_KEY") or ""


def machine_with_a_volume(crash, entry_point):
    status, images, _ = crash.client.get(entry_point["machineImages"]["href"],
                                         params={"$filter": "name='ttylinux'"})
    (image,) = images["machineImages"]
    return {"resourceURI": CIMI + "MachineCreate", "name": "crash-volumes",
            "machineTemplate": {"machineImage": {"href": image["id"]},
                                "volumeTemplates": [{"volumeTemplate": {
                                    "volumeConfig": {"capacity": 1024}}}]}}
