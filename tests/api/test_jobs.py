"""Jobs: every 202 names one, it follows its target in OpenNebula to SUCCESS or FAILED, and
only its owner sees it."""
import re
import time

import pytest

from app.one import gateway_for
from app.one.documents import JOB

from api_support import ACTION, CIMI
from second_user import second_user_session
from volume_support import volume_create


@pytest.fixture
def other_session(opennebula):
    return second_user_session(opennebula)


def act(cimi, href, name, **extra):
    return cimi.post(href, {"resourceURI": CIMI + "Action", "action": ACTION + name, **extra})


def job_uri(result):
    assert result.status == 202, result.document
    return result.headers["CIMI-Job-URI"]


def test_a_stop_job_follows_the_machine_to_success_and_keeps_it(
        cimi, started, wait_for_job, wait_for_state, collection_href):
    machine = started()
    href = job_uri(act(cimi, machine, "stop"))
    assert href.startswith(collection_href("jobs") + "/")
    job = wait_for_job(href)
    assert job["resourceURI"] == CIMI + "Job"
    assert job["id"] == href
    assert job["state"] == "SUCCESS"
    assert job["returnCode"] == 0
    assert job["progress"] == 100
    assert job["action"] == ACTION + "stop"
    assert job["targetResource"] == {"href": machine}
    assert job["affectedResources"] == [{"href": machine}]
    assert "POWEROFF" in job["statusMessage"]
    assert job["timeOfStatusChange"] >= job["created"]
    assert cimi.get(machine).document["state"] == "STOPPED"

    wait_for_job(job_uri(act(cimi, machine, "start")))
    assert cimi.get(machine).document["state"] == "STARTED"
    again = cimi.get(href).document
    assert again["state"] == "SUCCESS"
    assert again["timeOfStatusChange"] == job["timeOfStatusChange"]


def test_every_action_and_the_delete_answer_a_job_that_resolves(
        cimi, started, wait_for_job, wait_for_state):
    machine = started()
    for name, state in (("restart", "STARTED"), ("suspend", "SUSPENDED"), ("start", "STARTED")):
        job = wait_for_job(job_uri(act(cimi, machine, name)))
        assert (job["state"], job["action"]) == ("SUCCESS", ACTION + name)
        assert cimi.get(machine).document["state"] == state
    job = wait_for_job(job_uri(cimi.delete(machine)))
    assert (job["state"], job["action"], job["returnCode"]) == ("SUCCESS", "delete", 0)
    assert cimi.get(machine).status == 404


def test_a_failed_boot_fails_the_start_job(cimi, started, wait_for_job, onesim_server):
    machine = started()
    wait_for_job(job_uri(act(cimi, machine, "stop")))
    onesim_server.fail_boots(1)
    try:
        job = wait_for_job(job_uri(act(cimi, machine, "start")))
    finally:
        onesim_server.clear_faults()
    assert job["state"] == "FAILED"
    assert job["returnCode"] == 1
    assert job["progress"] == 100
    # A real oned puts the machine back in POWEROFF (STOPPED) with the driver's ERROR, which
    # the message quotes; an emulator may leave it in BOOT_FAILURE (ERROR).
    one_state = re.match(r"OpenNebula VM \d+ is ([A-Z_]+)", job["statusMessage"]).group(1)
    assert (cimi.get(machine).document["state"], one_state) in (
        ("STOPPED", "POWEROFF"), ("ERROR", "BOOT_FAILURE"))
    # Deleting the failed machine is a Job of its own, which succeeds.
    assert wait_for_job(job_uri(cimi.delete(machine)))["state"] == "SUCCESS"
    assert cimi.get(job["id"]).document["state"] == "FAILED"


def test_the_collection_lists_own_jobs_newest_first_with_queries(
        cimi, started, wait_for_job, collection_href):
    machine = started()
    first = wait_for_job(job_uri(act(cimi, machine, "stop")))["id"]
    second = job_uri(act(cimi, machine, "start"))
    result = cimi.get(collection_href("jobs"))
    assert result.status == 200
    assert result.document["resourceURI"] == CIMI + "JobCollection"
    listed = [job["id"] for job in result.document["jobs"]]
    assert listed.index(second) < listed.index(first)
    assert result.document["count"] == len(listed)
    assert "operations" not in result.document        # Jobs are not created by clients

    for position in (1, 2):
        page = cimi.get(collection_href("jobs"), params={"$first": position, "$last": position})
        assert [job["id"] for job in page.document["jobs"]] == [listed[position - 1]]
        assert page.document["count"] == len(listed)

    selected = cimi.get(collection_href("jobs"), params={
        "$filter": f"targetResource/href='{machine}' and action='{ACTION}stop'",
        "$select": "state"})
    assert selected.status == 200
    assert selected.document["count"] == 1
    (only,) = selected.document["jobs"]
    assert only == {"resourceURI": CIMI + "Job", "id": first, "state": "SUCCESS"}


def test_jobs_are_visible_to_their_owner_only(cimi, started, other_session, collection_href,
                                              opennebula):
    href = job_uri(act(cimi, started(), "stop"))
    for session in (other_session, opennebula.admin_session):
        other = cimi.as_user(session)
        assert other.get(href).status == 404
        assert other.delete(href).status == 404
        listed = other.get(collection_href("jobs")).document.get("jobs", [])
        assert href not in {job["id"] for job in listed}
    assert cimi.get(href).status == 200
    assert cimi.as_user(None).get(href).status == 401


def test_a_job_can_be_deleted(cimi, started, wait_for_job, collection_href):
    href = wait_for_job(job_uri(act(cimi, started(), "stop")))["id"]
    result = cimi.delete(href)
    assert (result.status, result.document) == (200, None)
    assert cimi.get(href).status == 404
    assert cimi.delete(href).status == 404
    listed = cimi.get(collection_href("jobs")).document.get("jobs", [])
    assert href not in {job["id"] for job in listed}


def test_a_refused_action_leaves_no_job(cimi, started, backend, onesim_server):
    machine = started()
    before = backend.owned_ids(backend.gateway.document_page(JOB).items)
    assert act(cimi, machine, "start").status == 409           # already started
    assert act(cimi, machine, "pause").status == 400
    onesim_server.fail_next("one.vm.action")
    try:
        assert act(cimi, machine, "stop").status >= 500
    finally:
        onesim_server.clear_faults()
    after = backend.owned_ids(backend.gateway.document_page(JOB).items)
    assert after == before


@pytest.mark.parametrize("suffix", ["abc", "-1", "99999999999", "123456"])
def test_unknown_jobs_are_404(cimi, collection_href, suffix):
    href = f"{collection_href('jobs')}/{suffix}"
    assert cimi.get(href).status == 404
    assert cimi.delete(href).status == 404


def test_jobs_cannot_be_created_or_edited(cimi, started, collection_href):
    href = job_uri(act(cimi, started(), "stop"))
    body = {"resourceURI": CIMI + "Job", "name": "mine"}
    assert cimi.post(collection_href("jobs"), body).status == 405
    assert cimi.put(href, body).status == 405
    assert cimi.post(href, body).status == 405


def test_capture_snapshot_restore_and_image_delete_answer_jobs_that_resolve(
        cimi, started, wait_for_job, collection_href):
    machine = started()
    name = f"job-capture-{time.monotonic_ns()}"
    captured = act(cimi, machine, "capture", image={"name": name})
    image = captured.headers["Location"]
    job = wait_for_job(job_uri(captured))
    assert (job["state"], job["action"]) == ("SUCCESS", ACTION + "capture")
    assert job["targetResource"] == {"href": image}
    assert job["affectedResources"] == [{"href": image}, {"href": machine}]
    assert cimi.get(image).document["state"] == "AVAILABLE"

    snapshot = act(cimi, machine, "snapshot")
    assert wait_for_job(job_uri(snapshot))["state"] == "SUCCESS"
    restored = act(cimi, machine, "restore", image={"href": snapshot.headers["Location"]})
    job = wait_for_job(job_uri(restored))
    assert (job["state"], job["targetResource"]) == ("SUCCESS", {"href": machine})
    assert cimi.get(machine).document["state"] == "STARTED"

    deleted = wait_for_job(job_uri(cimi.delete(image)))
    assert (deleted["state"], deleted["action"]) == ("SUCCESS", "delete")
    assert cimi.get(image).status == 404


def test_volume_attach_detach_and_delete_answer_jobs_that_resolve(
        cimi, started, wait_for_job, wait_for_state, collection_href):
    machine = cimi.get(started()).document
    volume = cimi.post(collection_href("volumes"), volume_create("job-volume")).document
    wait_for_state(volume["id"], "AVAILABLE")
    attached = cimi.post(machine["volumes"]["href"],
                         {"resourceURI": CIMI + "MachineVolume", "volume": {"href": volume["id"]}})
    job = wait_for_job(job_uri(attached))
    assert (job["state"], job["action"]) == ("SUCCESS", "add")
    assert {"href": volume["id"]} in job["affectedResources"]

    job = wait_for_job(job_uri(cimi.delete(attached.headers["Location"])))
    assert (job["state"], job["action"]) == ("SUCCESS", "delete")
    wait_for_state(volume["id"], "AVAILABLE")
    job = wait_for_job(job_uri(cimi.delete(volume["id"])))
    assert (job["state"], job["targetResource"]) == ("SUCCESS", {"href": volume["id"]})
    assert cimi.get(volume["id"]).status == 404


def test_a_job_document_edited_by_hand_is_answered_not_crashed_on(
        cimi, started, opennebula, collection_href):
    href = job_uri(act(cimi, started(), "stop"))
    job_id = int(href.rsplit("/", 1)[1])
    gateway_for(opennebula.demo_session).document_update(job_id, {
        "TARGET_KIND": "spaceship", "TARGET_ID": "x", "STATE": "WEIRD",
        "ATTACHED_IMAGE": "y"}, merge=True)
    job = cimi.get(href)
    assert job.status == 200
    assert job.document["state"] == "FAILED"
    assert "no longer exists" in job.document["statusMessage"]
    assert cimi.get(collection_href("jobs")).status == 200


@pytest.mark.parametrize("params", [{"$filter": "state='SUCCESS"}, {"$filter": "state=="},
                                    {"$first": "zero"}, {"$orderby": "state:sideways"}])
def test_bad_queries_on_jobs_are_400(cimi, collection_href, params):
    result = cimi.get(collection_href("jobs"), params=params)
    assert result.status == 400
    assert result.document["resourceURI"] == CIMI + "Error"


def test_capture_by_post_and_stop_with_an_image_answer_jobs_that_follow_the_image(
        cimi, started, wait_for_job, wait_for_state, collection_href):
    machine = started()
    posted = cimi.post(collection_href("machineImages"), {
        "resourceURI": CIMI + "MachineImage", "name": f"job-post-{time.monotonic_ns()}",
        "imageLocation": {"href": machine}})
    check_image_job(cimi, wait_for_job, posted, "capture")
    # The machine is CAPTURING until its disk is saved; only then may it stop.
    wait_for_state(machine, "STARTED")
    stopped = act(cimi, machine, "stop", image={"name": f"job-stop-{time.monotonic_ns()}"})
    check_image_job(cimi, wait_for_job, stopped, "stop")


def check_image_job(cimi, wait_for_job, result, action):
    job = wait_for_job(job_uri(result))
    assert (job["state"], job["action"]) == ("SUCCESS", ACTION + action)
    assert job["targetResource"] == {"href": result.headers["Location"]}
    assert wait_for_job(job_uri(cimi.delete(result.headers["Location"])))["state"] == "SUCCESS"


def test_a_volume_image_delete_answers_a_job_that_resolves(cimi, wait_for_job, wait_for_state,
                                                           collection_href):
    volume = cimi.post(collection_href("volumes"), volume_create("job-snapped")).document
    wait_for_state(volume["id"], "AVAILABLE")
    image = cimi.post(collection_href("volumeImages"), {
        "resourceURI": CIMI + "VolumeImage", "name": "job-snap",
        "volume": {"href": volume["id"]}}).document
    wait_for_state(image["id"], "AVAILABLE")
    job = wait_for_job(job_uri(cimi.delete(image["id"])))
    assert (job["state"], job["targetResource"]) == ("SUCCESS", {"href": image["id"]})
    wait_for_state(volume["id"], "AVAILABLE")
    assert wait_for_job(job_uri(cimi.delete(volume["id"])))["state"] == "SUCCESS"
