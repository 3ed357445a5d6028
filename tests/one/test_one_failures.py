"""Error translation: oned's failure envelopes and transport failures -> domain errors.

Driven through a real XML-RPC server on loopback answering real-shaped envelopes (the
messages and codes of the recorded oned transcripts where there are some).
"""
import threading

import pytest

import app.one
from app.errors import (
    BackendError, BackendTimeout, BackendUnavailable, BadRequest, CapacityExhausted, Conflict,
    Forbidden, NotFound, Unauthenticated,
)
from app.one import failures
from onefake import SESSION, make_app, transcript_envelope

CASES = [
    (0x100, "[one.vm.info] User couldn't be authenticated, aborting call.", Unauthenticated),
    (0x400, "[one.vm.info] Error getting virtual machine [99999].", NotFound),
    (0x800, '[one.vm.action] Error performing action "resume": This action is not available'
            " for state RUNNING", Conflict),
    (0x1000, "[one.vmpool.info] Incorrect state filter", BadRequest),
    (0x2000, "[one.vm.allocate] Parse error: XML Template malformed.", BadRequest),
    (0x2000, "[one.vm.allocate] Parse error: syntax error, unexpected $end, expecting "
             "VARIABLE at line 1, columns 1:2", BadRequest),
    (0x2000, "[one.vm.info] Cannot get VM from DB", BackendError),
    # State refusals oned 7.0.2 answers with INTERNAL (messages as it sent them).
    (0x2000, "[one.vm.allocate] DISK 0: Cannot acquire image 152, it is persistent and "
             "already in use", Conflict),
    (0x2000, "[one.image.delete] Image locked, use --force flag to remove the image. Force "
             "delete may leave some files on Datastore", Conflict),
    (0x2000, "[one.vm.disksaveas] VM has to be RUNNING, POWEROFF or SUSPENDED to save disks.",
     Conflict),
    (0x4000, "[one.image.clone] Error allocating a new image. Cannot clone image in state: "
             "USED", Conflict),
    (0x2000, "[one.image.persistent] Could not make image non-persistent: Image cannot be in "
             "state USED.", Conflict),
    # Names and values oned refuses (messages of a real oned 7.0.2).
    (0x2000, "[one.template.allocate] Invalid NAME, char ':' is not allowed", BadRequest),
    (0x2000, "[one.vm.allocate] Invalid NAME, max length is 128 chars", BadRequest),
    (0x2000, "[one.document.allocate] NAME is too long; max length is 128 chars.", BadRequest),
    (0x2000, "[one.vm.allocate] Error transforming the VM to XML.", BadRequest),
    (0x2000, "[one.document.allocate] Error transforming the Document to XML.", BadRequest),
    (0x4000, "[one.image.allocate] Error allocating a new image. Error transforming the "
             "Image to XML.", BadRequest),
    (0x800, "[one.document.rename] Invalid NAME, char '<' is not allowed", BadRequest),
    (0x800, "[one.image.rename] Invalid NAME, max length is 128 chars", BadRequest),
    (0x4000, "[one.image.allocate] Error allocating a new image. NAME is already taken by "
             "IMAGE 3.", Conflict),
    (0x4000, "[one.image.allocate] Error allocating a new image. Wrong number or missing "
             "SIZE attribute.", BadRequest),
    (0x4000, "[one.image.allocate] New images can only be allocated in a files or image "
             "datastore.", BadRequest),
    (0x8000, "[one.image.delete] The resource image is locked. [3].", Conflict),
    (0x10000, "[one.vm.update] Error replicating log entry", BackendUnavailable),
    (0x40000, "[one.vm.info] something new", BackendError),
]


@pytest.mark.parametrize("code, message, error", CASES)
def test_failure_envelopes_map_through_the_table(gateway, fake_oned, code, message, error):
    fake_oned.fail("one.vm.info", code, message)
    with pytest.raises(error) as raised:
        gateway.vm(1)
    assert raised.type is error
    expected = message.split("] ", 1)[1] if code != 0x100 else failures.NOT_AUTHENTICATED
    assert raised.value.message == expected


# A network with no free address, as a real oned 7.0.2 answers each call that leases one.
NO_FREE_LEASE = [
    (0x2000, "[one.vm.allocate] Cannot get IP/MAC lease from virtual network 1."),
    (0x4000, "[one.template.instantiate] Error allocating a new virtual machine template. "
             "Cannot get IP/MAC lease from virtual network 1."),
    (0x800, "[one.vm.attachnic] Cannot get IP/MAC lease from virtual network 1."),
]


@pytest.mark.parametrize("code, message", NO_FREE_LEASE)
def test_a_network_without_free_addresses_is_exhausted_capacity(gateway, fake_oned, code,
                                                                message):
    fake_oned.fail("one.vm.info", code, message)
    with pytest.raises(CapacityExhausted) as raised:
        gateway.vm(1)
    assert raised.value.message.startswith("Capacity exhausted: the network has no free "
                                           "address")
    assert message.split("] ", 1)[1] in raised.value.message


@pytest.mark.parametrize("operation", ["USE", "MANAGE"])
def test_a_refusal_about_an_object_the_caller_cannot_see_is_its_absence(
        gateway, fake_oned, operation):
    fake_oned.fail("one.vm.action", 0x200,
                   f"[one.vm.action] User [4] : Not authorized to perform {operation} VM [3].")
    fake_oned.fail("one.vm.info", 0x200,
                   "[one.vm.info] User [4] : Not authorized to perform USE VM [3].")
    with pytest.raises(NotFound) as raised:
        gateway.vm_action("poweroff", 3)
    assert raised.value.message == "Error getting virtual machine [3]."


def test_a_refusal_about_a_visible_object_stands_without_the_callers_id(gateway, fake_oned):
    fake_oned.fail("one.image.delete", 0x200,
                   "[one.image.delete] User [4] : Not authorized to perform MANAGE IMAGE [0].")
    fake_oned.succeed("one.image.info", "<IMAGE><ID>0</ID></IMAGE>")
    with pytest.raises(Forbidden) as raised:
        gateway.image_delete(0)
    assert raised.type is Forbidden
    assert raised.value.message == (
        "You are not allowed to change or delete image (a machine image or volume) 0: its "
        "owner has not given you that right (OpenNebula's MANAGE permission).")


@pytest.mark.parametrize("message, expected", [
    ("User [4] : Quota exceeded.", "Quota exceeded."),
    ("User [4] User [4] limit of 2 reached for VMS quota. Group [1] also.",
     "Your user limit of 2 reached for VMS quota. your group also."),
    ("User [4] : Not authorized to perform CREATE VM.", "Not authorized to perform CREATE VM."),
])
def test_refusals_never_name_the_callers_ids(gateway, fake_oned, message, expected):
    fake_oned.fail("one.vm.allocate", 0x200, "[one.vm.allocate] " + message)
    with pytest.raises(Forbidden) as raised:
        gateway.call("vm.allocate", "NAME=x", False)
    assert raised.value.message == expected


@pytest.mark.parametrize("prefix, error", [
    ("054", Conflict), ("079", NotFound), ("080", NotFound), ("081", NotFound),
    ("082", Unauthenticated)])
def test_recorded_oned_failures(gateway, fake_oned, prefix, error):
    fake_oned.answers["one.vm.info"] = transcript_envelope(prefix)
    with pytest.raises(error) as raised:
        gateway.vm(1)
    assert not raised.value.message.startswith("[one.")


def test_every_code_row_ends_with_a_catch_all():
    for rows in failures.ERRORS_BY_CODE.values():
        assert rows[-1][0] is None


def test_the_session_never_appears_in_a_message(gateway, fake_oned):
    fake_oned.fail("one.vm.info", 0x100, f"[one.vm.info] bad session {SESSION} (s3cret-pass)")
    with pytest.raises(Unauthenticated) as raised:
        gateway.vm(1)
    assert "s3cret-pass" not in raised.value.message
    assert "alice:" not in raised.value.message


def test_an_empty_message_still_says_something(gateway, fake_oned):
    fake_oned.fail("one.vm.info", 0x2000, "")
    with pytest.raises(BackendError) as raised:
        gateway.vm(1)
    assert "0x2000" in raised.value.message


def test_xml_rpc_fault_is_a_backend_error_and_logged(gateway, fake_oned, caplog):
    with pytest.raises(BackendError) as raised:
        gateway.vm(1)      # the fake has no answer for one.vm.info: it raises a Fault
    assert fake_oned.url not in raised.value.message
    assert any(record.levelname == "ERROR" and "one.vm.info" in record.getMessage()
               for record in caplog.records)


def test_http_error_is_a_backend_error(fake_oned):
    application = make_app(fake_oned.url.replace("/RPC2", "/not-rpc"))
    with application.app_context(), pytest.raises(BackendError) as raised:
        app.one.gateway_for(SESSION).whoami()
    assert "not-rpc" not in raised.value.message
    assert type(raised.value) is BackendError


def test_unreadable_answer_is_a_backend_error(gateway, fake_oned):
    fake_oned.succeed("one.vm.info", "<VM><ID>1</ID>")
    with pytest.raises(BackendError):
        gateway.vm(1)


def test_connection_refused_is_backend_unavailable(free_port):
    application = make_app(f"http://127.0.0.1:{free_port}/RPC2")
    with application.app_context(), pytest.raises(BackendUnavailable) as raised:
        app.one.gateway_for(SESSION).whoami()
    assert str(free_port) not in raised.value.message


def test_read_timeout_is_backend_timeout(fake_oned):
    release = threading.Event()
    fake_oned.answers["one.user.info"] = lambda *params: release.wait(10) and [True, "", 0]
    application = make_app(fake_oned.url, ONE_READ_TIMEOUT=0.2)
    try:
        with application.app_context(), pytest.raises(BackendTimeout):
            app.one.gateway_for(SESSION).whoami()
    finally:
        release.set()
