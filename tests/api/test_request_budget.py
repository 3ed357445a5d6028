"""Each request's budget, against a slowed OpenNebula: one deadline over all its calls (504,
and what it did is undone), and a bounded number of requests calling OpenNebula at once per
process (503 with Retry-After for the others; requests that need no call are not held up).
Those that slow a method of the emulator (fault injection) run on the emulator lane only."""
import threading
import time

from api_support import CIMI
from app import create_app
from cimiclient import CimiTestClient


def app_client(fmt, backend, credentials, **settings):
    application = create_app({"ONE_XMLRPC": backend.endpoint, "TESTING": True, **settings})
    return CimiTestClient(application.test_client(), fmt, credentials)


def assert_error(result, status):
    assert result.status == status, result.document
    assert result.document["resourceURI"] == CIMI + "Error"
    assert result.document["status"] == status


def test_no_call_starts_once_the_deadline_has_passed(fmt, opennebula, cimi_credentials,
                                                     collection_href, unchanged_backend):
    late = app_client(fmt, opennebula, cimi_credentials, CIMI_REQUEST_DEADLINE_SECONDS=0)
    for href in (collection_href("machines"), collection_href("machineImages")):
        result = late.get(href)
        assert_error(result, 504)
        assert "deadline of 0 s" in result.document["message"]
    assert late.get("/cimi/cloudEntryPoint").status == 200


def test_a_request_ends_at_its_deadline_and_undoes_what_it_did(
        fmt, onesim_server, cimi_credentials, machine_create, unchanged_backend):
    """The MachineCreate's vm.allocate is quick; the vm.info after it is slower than the time
    left, and is cut at the deadline rather than at its own 30 s timeout."""
    hurried = app_client(fmt, onesim_server, cimi_credentials,
                         CIMI_REQUEST_DEADLINE_SECONDS=1.0, ONE_READ_TIMEOUT=30.0)
    onesim_server.delay("one.vm.info", 3)
    started = time.monotonic()
    result = hurried.post("/cimi/machines", machine_create())
    assert time.monotonic() - started < 2.5
    assert_error(result, 504)
    assert "deadline of 1 s" in result.document["message"]


def test_requests_beyond_the_concurrent_ones_are_told_to_retry(fmt, onesim_server,
                                                               cimi_credentials):
    slow = app_client(fmt, onesim_server, cimi_credentials, ONE_CONCURRENT_REQUESTS=1,
                      ONE_SLOT_WAIT_SECONDS=0.05)
    other = CimiTestClient(slow.client.application.test_client(), fmt, cimi_credentials)
    onesim_server.delay("one.vmpool.infoextended", 1.5)
    answers = []
    listing = threading.Thread(target=lambda: answers.append(slow.get("/cimi/machines")))
    listing.start()
    time.sleep(0.5)
    busy = other.get("/cimi/machineImages")
    assert_error(busy, 503)
    assert int(busy.headers["Retry-After"]) >= 1
    started = time.monotonic()
    assert other.get("/cimi/cloudEntryPoint").status == 200
    assert other.as_user(None).get("/cimi/resourceMetadata").status == 200
    assert time.monotonic() - started < 0.5
    listing.join()
    assert answers[0].status == 200, answers[0].document
    assert other.get("/cimi/machineImages").status == 200
