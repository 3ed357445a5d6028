"""Idempotency-Key on POSTs: a retry answers the first request's outcome, on any server
process, after a timeout in which OpenNebula acted too; misuse of a key is refused."""
import threading
import time
import uuid

import pytest

from api_support import CIMI, delete_images, terminate_all
from app.one.documents import IDEMPOTENCY_RECORD, JOB
from app.services.idempotency import MARK
from credential_keys import credential_create, fresh_key, other_user  # noqa: F401 (fixture)
from test_bad_input import assert_error, other_app_client
from test_capture import image_cleanup  # noqa: F401 (fixture)
from test_credentials import credential_ids
from test_machine_volumes import (  # noqa: F401 (fixtures)
    available_volume, running_machine, volume_attachment,
)
from volume_support import volume_create, volumes  # noqa: F401 (fixture)

HEADER = "Idempotency-Key"


def new_key():
    return f'"{uuid.uuid4()}"'


def keyed(key):
    return {HEADER: key}


def member_id(href):
    return int(href.rsplit("/", 1)[1])


class Named:
    """The ids of the live objects of a pool with a name, among those this worker's users
    own, as oneadmin sees them; remembered for the clean-up."""

    def __init__(self, backend, items):
        self.backend, self.items, self.seen = backend, items, set()

    def __call__(self, name):
        found = {item.id for item in self.backend.owned(self.items()) if item.name == name}
        self.seen.update(found)
        return found


@pytest.fixture
def machines_named(backend):
    named = Named(backend, lambda: backend.gateway.vm_page().items)
    yield named
    terminate_all(backend.gateway, named.seen)


@pytest.fixture
def images_named(backend):
    named = Named(backend, lambda: backend.gateway.image_page().items)
    yield named
    delete_images(backend.gateway, named.seen)


@pytest.fixture
def credentials_made(backend):
    """Credential documents created by the test (by id), deleted at the end."""
    made = []
    yield made
    for document_id in made:
        try:
            backend.gateway.document_delete(document_id)
        except Exception:   # noqa: BLE001 (already gone)
            pass


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_a_retried_machine_create_answers_the_first_machine(cimi, machine_create, machines_named):
    key, name = new_key(), unique("idem")
    first = cimi.post("/cimi/machines", machine_create(name), headers=keyed(key))
    assert first.status == 201, first.document
    retried = cimi.post("/cimi/machines", machine_create(name), headers=keyed(key))
    assert retried.status == 201, retried.document
    assert retried.headers["Location"] == first.headers["Location"] == first.document["id"]
    assert retried.document["id"] == first.document["id"]
    assert retried.document["name"] == name
    assert machines_named(name) == {member_id(first.document["id"])}


def test_a_retry_on_another_server_process_answers_the_first_volume(
        cimi, fmt, opennebula, cimi_credentials, images_named):
    key, name = new_key(), unique("idem-volume")
    first = cimi.post("/cimi/volumes", volume_create(name), headers=keyed(key))
    assert first.status == 201, first.document
    other_server = other_app_client(fmt, opennebula.endpoint, cimi_credentials)
    retried = other_server.post("/cimi/volumes", volume_create(name), headers=keyed(key))
    assert retried.status == 201, retried.document
    assert retried.headers["Location"] == first.headers["Location"]
    assert retried.document["id"] == first.document["id"]
    assert images_named(name) == {member_id(first.document["id"])}


def test_a_retried_action_answers_the_first_job(cimi, launched, machine_create, backend):
    held = launched(machine_create(unique("idem-held"), initialState="STOPPED")).document["id"]
    start = {"resourceURI": CIMI + "Action", "action": CIMI + "action/start"}
    jobs_before = backend.owned_ids(backend.gateway.document_page(JOB).items)
    key = new_key()
    first = cimi.post(held, start, headers=keyed(key))
    assert first.status == 202, first.document
    retried = cimi.post(held, start, headers=keyed(key))
    assert retried.status == 202, retried.document
    assert retried.headers["CIMI-Job-URI"] == first.headers["CIMI-Job-URI"]
    assert "Location" not in retried.headers
    new_jobs = backend.owned_ids(backend.gateway.document_page(JOB).items) - jobs_before
    assert new_jobs == {member_id(first.headers["CIMI-Job-URI"])}


def test_a_retried_attach_answers_the_first_attachment_and_job(
        cimi, running_machine, available_volume, wait_for_job):
    machine = running_machine()
    volume = available_volume(unique("idem-attach"))
    key = new_key()
    href = machine["volumes"]["href"]
    first = cimi.post(href, volume_attachment(volume["id"]), headers=keyed(key))
    assert first.status == 202, first.document
    wait_for_job(first.headers["CIMI-Job-URI"])
    retried = cimi.post(href, volume_attachment(volume["id"]), headers=keyed(key))
    assert retried.status == 202, retried.document
    assert retried.headers["Location"] == first.headers["Location"] == first.document["id"]
    assert retried.headers["CIMI-Job-URI"] == first.headers["CIMI-Job-URI"]
    assert retried.document["id"] == first.document["id"]
    assert retried.document["volume"]["href"] == volume["id"]
    assert len(cimi.get(href).document["machineVolumes"]) == 1


def test_a_retried_capture_answers_the_first_image_and_job(
        image_cleanup, cimi, started_machine, wait_for_state, backend):
    capture = {"resourceURI": CIMI + "MachineImage", "imageLocation": {"href": started_machine}}
    images_before = backend.owned_ids(backend.gateway.image_page().items)
    key = new_key()
    first = cimi.post("/cimi/machineImages", capture, headers=keyed(key))
    assert first.status == 202, first.document
    image_cleanup.append(first.headers["Location"])
    retried = cimi.post("/cimi/machineImages", capture, headers=keyed(key))
    assert retried.status == 202, retried.document
    assert retried.headers["Location"] == first.headers["Location"]
    assert retried.headers["CIMI-Job-URI"] == first.headers["CIMI-Job-URI"]
    assert retried.document["id"] == first.document["id"] == first.headers["Location"]
    new_images = backend.owned_ids(backend.gateway.image_page().items) - images_before
    assert new_images == {member_id(first.headers["Location"])}
    saved = backend.gateway.image(member_id(first.headers["Location"]))
    assert saved.template.get(MARK), "a saved disk is marked like any other new image"
    wait_for_state(first.headers["Location"], "AVAILABLE")


def test_a_retried_volume_image_answers_the_first_clone(
        cimi, volumes, images_named, wait_for_state, backend):
    volume = wait_for_state(volumes(volume_create(unique("idem-source")))["id"], "AVAILABLE")
    name = unique("idem-clone")
    clone = {"resourceURI": CIMI + "VolumeImage", "name": name, "volume": {"href": volume["id"]}}
    key = new_key()
    first = cimi.post("/cimi/volumeImages", clone, headers=keyed(key))
    assert first.status == 201, first.document
    retried = cimi.post("/cimi/volumeImages", clone, headers=keyed(key))
    assert retried.status == 201, retried.document
    assert retried.headers["Location"] == first.headers["Location"] == retried.document["id"]
    assert images_named(name) == {member_id(first.headers["Location"])}
    cloned = backend.gateway.image(member_id(first.headers["Location"]))
    assert cloned.template.get(MARK), "a clone is marked like any other new image"
    wait_for_state(first.headers["Location"], "AVAILABLE")


def test_a_retried_error_answers_the_same_error(cimi, launched, machine_create):
    held = launched(machine_create(unique("idem-held"), initialState="STOPPED")).document["id"]
    restart = {"resourceURI": CIMI + "Action", "action": CIMI + "action/restart"}
    key = new_key()
    first = cimi.post(held, restart, headers=keyed(key))
    assert_error(first, 409, "cannot restart")
    retried = cimi.post(held, restart, headers=keyed(key))
    assert_error(retried, 409)
    assert retried.document["message"] == first.document["message"]


def test_the_same_key_for_another_request_is_refused(cimi, fmt, machine_create, machines_named):
    key, name = new_key(), unique("idem")
    first = cimi.post("/cimi/machines", machine_create(name), headers=keyed(key))
    assert first.status == 201, first.document
    other_name = unique("idem-other")
    changed = cimi.post("/cimi/machines", machine_create(other_name), headers=keyed(key))
    assert_error(changed, 422, "Idempotency-Key", "different request")
    elsewhere = cimi.post("/cimi/volumes", volume_create(name), headers=keyed(key))
    assert_error(elsewhere, 422, "Idempotency-Key")
    queried = cimi.post("/cimi/machines", machine_create(name), params={"$format": fmt},
                        headers=keyed(key))
    assert_error(queried, 422, "Idempotency-Key")
    assert machines_named(other_name) == set()
    assert machines_named(name) == {member_id(first.document["id"])}


def test_another_user_with_the_same_key_gets_an_outcome_of_its_own(
        cimi, other_user, credentials_made):
    key = new_key()
    mine = cimi.post("/cimi/credentials", credential_create(fresh_key()), headers=keyed(key))
    assert mine.status == 201, mine.document
    credentials_made.append(member_id(mine.headers["Location"]))
    stranger = cimi.as_user(other_user)
    theirs = stranger.post("/cimi/credentials", credential_create(fresh_key()),
                           headers=keyed(key))
    assert theirs.status == 201, theirs.document
    credentials_made.append(member_id(theirs.headers["Location"]))
    assert theirs.headers["Location"] != mine.headers["Location"]
    assert theirs.document["owner"] == stranger.user
    again = stranger.post("/cimi/credentials", credential_create(fresh_key()),
                          headers=keyed(key))
    assert_error(again, 422)


@pytest.mark.parametrize("value", [
    "", '""', "a" * 256, '"' + "a" * 256 + '"', "not a token", '"unterminated', '"a"b',
    '"bad \\n escape"', '"caf\u00e9"', "caf\u00e9",
])
def test_a_malformed_key_is_a_bad_request(cimi, value, unchanged_backend, credentials_made):
    result = cimi.post("/cimi/credentials", credential_create(fresh_key()),
                       headers=keyed(value.encode("utf-8").decode("latin-1")))
    assert_error(result, 400, "Idempotency-Key")


def test_a_key_given_twice_is_a_bad_request(cimi, unchanged_backend):
    result = cimi.client.post("/cimi/credentials", headers=[(HEADER, "a"), (HEADER, "b")],
                              data=b"{}", content_type="application/json")
    assert result.status_code == 400


def test_a_bare_and_a_quoted_key_are_the_same_key(cimi, credentials_made):
    body, key = credential_create(fresh_key()), "key-" + uuid.uuid4().hex
    bare = cimi.post("/cimi/credentials", body, headers=keyed(key))
    assert bare.status == 201, bare.document
    credentials_made.append(member_id(bare.headers["Location"]))
    quoted = cimi.post("/cimi/credentials", body, headers=keyed(f'"{key}"'))
    assert quoted.status == 201, quoted.document
    assert quoted.headers["Location"] == bare.headers["Location"]


def test_an_expired_key_is_a_new_request(cimi, fmt, opennebula, cimi_credentials, backend,
                                         credentials_made):
    short = other_app_client(fmt, opennebula.endpoint, cimi_credentials,
                             CIMI_IDEMPOTENCY_SECONDS=1)
    key, body = new_key(), credential_create(fresh_key())
    first = short.post("/cimi/credentials", body, headers=keyed(key))
    assert first.status == 201, first.document
    credentials_made.append(member_id(first.headers["Location"]))
    records_before = record_ids(backend)
    time.sleep(1.1)
    second = short.post("/cimi/credentials", body, headers=keyed(key))
    assert second.status == 201, second.document
    credentials_made.append(member_id(second.headers["Location"]))
    assert second.headers["Location"] != first.headers["Location"]
    # The expired record was deleted by the second request, which left one of its own.
    assert len(record_ids(backend) - records_before) == 1
    assert len(records_before - record_ids(backend)) >= 1


def record_ids(backend):
    return backend.owned_ids(backend.gateway.document_page(IDEMPOTENCY_RECORD).items)


def test_concurrent_first_requests_on_several_servers_act_once(
        fmt, opennebula, cimi_credentials, backend, credentials_made):
    """Requests with one key started together on three server instances: one creates the
    credential, every other answers it (201, same Location) or that it is in progress (409)."""
    servers = [other_app_client(fmt, opennebula.endpoint, cimi_credentials) for _ in range(3)]
    key, body = new_key(), credential_create(fresh_key())
    before = credential_ids(backend)
    start = threading.Barrier(6)
    answers = []

    def post(server):
        start.wait()
        answers.append(server.post("/cimi/credentials", body, headers=keyed(key)))

    threads = [threading.Thread(target=post, args=(servers[n % 3],)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    created = credential_ids(backend) - before
    credentials_made.extend(created)
    assert len(created) == 1
    (created_id,) = created
    for answer in answers:
        assert answer.status in (201, 409), answer.document
        if answer.status == 201:
            assert member_id(answer.headers["Location"]) == created_id
    assert any(answer.status == 201 for answer in answers)


def test_a_retry_while_the_first_request_is_in_progress_is_a_conflict(
        fmt, onesim_server, opennebula, cimi_credentials, machine_create, machines_named):
    key, name = new_key(), unique("idem-slow")
    first_server = other_app_client(fmt, opennebula.endpoint, cimi_credentials)
    second_server = other_app_client(fmt, opennebula.endpoint, cimi_credentials)
    onesim_server.delay("one.vm.allocate", 1.5)
    answers = {}
    first = threading.Thread(target=lambda: answers.setdefault("first", first_server.post(
        "/cimi/machines", machine_create(name), headers=keyed(key))))
    first.start()
    time.sleep(0.5)
    concurrent = second_server.post("/cimi/machines", machine_create(name), headers=keyed(key))
    first.join()
    onesim_server.delay("one.vm.allocate", 0)
    assert_error(concurrent, 409, "in progress")
    assert answers["first"].status == 201, answers["first"].document
    later = second_server.post("/cimi/machines", machine_create(name), headers=keyed(key))
    assert later.headers["Location"] == answers["first"].headers["Location"]
    assert machines_named(name) == {member_id(answers["first"].headers["Location"])}


def test_a_create_that_timed_out_after_opennebula_acted_is_found_by_its_retry(
        fmt, onesim_server, opennebula, cimi_credentials, machine_create, machines_named,
        backend):
    key, name = new_key(), unique("idem-timeout")
    impatient = other_app_client(fmt, opennebula.endpoint, cimi_credentials,
                                 ONE_READ_TIMEOUT=0.5)
    onesim_server.delay("one.vm.allocate", 1.5)
    timed_out = impatient.post("/cimi/machines", machine_create(name), headers=keyed(key))
    assert_error(timed_out, 504)
    time.sleep(1.2)
    onesim_server.delay("one.vm.allocate", 0)
    (vm_id,) = machines_named(name)
    assert backend.gateway.vm(vm_id).user_template.get(MARK)
    retried = impatient.post("/cimi/machines", machine_create(name), headers=keyed(key))
    assert retried.status == 201, retried.document
    assert retried.headers["Location"].endswith(f"/machines/{vm_id}")
    assert retried.document["id"] == retried.headers["Location"]
    assert machines_named(name) == {vm_id}


def test_an_action_that_timed_out_keeps_its_job_and_its_retry_answers_it(
        fmt, onesim_server, opennebula, cimi_credentials, launched, machine_create, backend):
    held = launched(machine_create(unique("idem-held"), initialState="STOPPED")).document["id"]
    start = {"resourceURI": CIMI + "Action", "action": CIMI + "action/start"}
    jobs_before = backend.owned_ids(backend.gateway.document_page(JOB).items)
    impatient = other_app_client(fmt, opennebula.endpoint, cimi_credentials,
                                 ONE_READ_TIMEOUT=0.5)
    onesim_server.delay("one.vm.action", 1.5)
    key = new_key()
    timed_out = impatient.post(held, start, headers=keyed(key))
    assert_error(timed_out, 504)
    time.sleep(1.2)
    onesim_server.delay("one.vm.action", 0)
    (job_id,) = backend.owned_ids(backend.gateway.document_page(JOB).items) - jobs_before
    # The 504 names the Job it kept, which tells whether OpenNebula acted.
    assert timed_out.headers["CIMI-Job-URI"].endswith(f"/jobs/{job_id}")
    assert timed_out.headers["CIMI-Job-URI"] in timed_out.document["message"]
    retried = impatient.post(held, start, headers=keyed(key))
    assert retried.status == 202, retried.document
    assert retried.headers["CIMI-Job-URI"].endswith(f"/jobs/{job_id}")
    job = impatient.get(retried.headers["CIMI-Job-URI"]).document
    assert job["action"] == CIMI + "action/start"
    assert job["state"] in ("QUEUED", "RUNNING", "SUCCESS")


def test_an_attempt_that_ended_unrecorded_and_left_nothing_is_retried_once_its_time_is_over(
        fmt, onesim_server, opennebula, cimi_credentials, machine_create, machines_named):
    """The first attempt fails (502) and its record cannot be written either: the record
    stays in progress. A retry in its time is a conflict; after it, as nothing carries the
    attempt's mark, the retry carries the request out itself."""
    key, name = new_key(), unique("idem-abandoned")
    server = other_app_client(fmt, opennebula.endpoint, cimi_credentials,
                              CIMI_IDEMPOTENCY_PENDING_SECONDS=1)
    onesim_server.fail_next("one.vm.allocate")
    onesim_server.fail_next("one.document.update")
    assert_error(server.post("/cimi/machines", machine_create(name), headers=keyed(key)), 502)
    assert_error(server.post("/cimi/machines", machine_create(name), headers=keyed(key)),
                 409, "in progress")
    time.sleep(1.1)
    retried = server.post("/cimi/machines", machine_create(name), headers=keyed(key))
    assert retried.status == 201, retried.document
    assert machines_named(name) == {member_id(retried.headers["Location"])}
    again = server.post("/cimi/machines", machine_create(name), headers=keyed(key))
    assert again.headers["Location"] == retried.headers["Location"]


def test_a_success_whose_record_could_not_be_written_is_found_by_its_mark(
        fmt, onesim_server, opennebula, cimi_credentials, machine_create, machines_named):
    key, name = new_key(), unique("idem-unrecorded")
    server = other_app_client(fmt, opennebula.endpoint, cimi_credentials,
                              CIMI_IDEMPOTENCY_PENDING_SECONDS=1)
    onesim_server.fail_next("one.document.update")
    first = server.post("/cimi/machines", machine_create(name), headers=keyed(key))
    assert first.status == 201, first.document
    time.sleep(1.1)
    retried = server.post("/cimi/machines", machine_create(name), headers=keyed(key))
    assert retried.status == 201, retried.document
    assert retried.headers["Location"] == first.headers["Location"]
    assert machines_named(name) == {member_id(first.headers["Location"])}


def test_an_attempt_that_failed_before_changing_anything_is_carried_out_by_its_retry(
        fmt, onesim_server, opennebula, cimi_credentials, launched, machine_create, backend):
    held = launched(machine_create(unique("idem-held"), initialState="STOPPED")).document["id"]
    start = {"resourceURI": CIMI + "Action", "action": CIMI + "action/start"}
    jobs_before = backend.owned_ids(backend.gateway.document_page(JOB).items)
    impatient = other_app_client(fmt, opennebula.endpoint, cimi_credentials,
                                 ONE_READ_TIMEOUT=0.5)
    onesim_server.delay("one.vm.info", 1)
    key = new_key()
    assert_error(impatient.post(held, start, headers=keyed(key)), 504)
    onesim_server.delay("one.vm.info", 0)
    assert backend.owned_ids(backend.gateway.document_page(JOB).items) == jobs_before
    retried = impatient.post(held, start, headers=keyed(key))
    assert retried.status == 202, retried.document
    new_jobs = backend.owned_ids(backend.gateway.document_page(JOB).items) - jobs_before
    assert new_jobs == {member_id(retried.headers["CIMI-Job-URI"])}


@pytest.mark.parametrize("collection, slow_method", [
    ("/cimi/volumes", "one.image.allocate"), ("/cimi/credentials", "one.document.allocate")])
def test_a_volume_or_credential_create_that_timed_out_is_answered_by_its_retry(
        fmt, onesim_server, opennebula, cimi_credentials, backend, collection, slow_method,
        images_named, credentials_made):
    """A slow document.allocate also times out the allocation of the request's own record:
    that record is deleted again, and the retry is not kept waiting for it."""
    key, name = new_key(), unique("idem-slow")
    body = (volume_create(name) if "volumes" in collection
            else credential_create(fresh_key(), name=name))
    impatient = other_app_client(fmt, opennebula.endpoint, cimi_credentials,
                                 ONE_READ_TIMEOUT=0.5)
    records_before = record_ids(backend)
    onesim_server.delay(slow_method, 1.5)
    assert_error(impatient.post(collection, body, headers=keyed(key)), 504)
    time.sleep(1.2)
    onesim_server.delay(slow_method, 0)
    retried = impatient.post(collection, body, headers=keyed(key))
    assert retried.status == 201, retried.document
    created = member_id(retried.headers["Location"])
    if "volumes" in collection:
        assert images_named(name) == {created}
    else:
        credentials_made.append(created)
        assert retried.document["name"] == name
    assert len(record_ids(backend) - records_before) == 1
