"""The XML-RPC surface: envelopes byte for byte, faults, argument checking, authentication."""
import xmlrpc.client
from pathlib import Path

import pytest
import requests

from onesim import wire

TRANSCRIPTS = Path(__file__).parent / "data" / "transcripts"


def test_failure_envelope_is_byte_identical_to_oned():
    body = wire.encode_response(wire.failure("[one.vm.info] Error getting virtual machine [99999].", 1024, 99999))
    assert body == (TRANSCRIPTS / "079_vm.info-nonexistent-expected-error-__one.vm.info.response.xml").read_bytes()


def test_success_envelope_is_byte_identical_to_oned():
    body = wire.encode_response(wire.success("7.0.2"))
    assert body == (TRANSCRIPTS / "001_system.version__one.system.version.response.xml").read_bytes()


def test_system_version_over_http_matches_the_transcript(sim):
    request = (TRANSCRIPTS / "001_system.version__one.system.version.request.xml").read_bytes()
    request = request.replace(b"oneadmin:password", sim.admin_session.encode())
    answer = requests.post(sim.endpoint, data=request, headers={"Content-Type": "text/xml"}, timeout=30)
    assert answer.status_code == 200
    assert answer.content == (TRANSCRIPTS / "001_system.version__one.system.version.response.xml").read_bytes()


def test_bad_password_gets_the_authentication_envelope(raw):
    envelope = raw("demo:wrong").system.version()
    assert envelope == [False, "[one.system.version] User couldn't be authenticated, aborting call.", 256, -1, -1]


def test_unknown_user_and_malformed_session_are_not_authenticated(raw):
    assert raw("nobody:x").user.info(-1)[2] == 0x100
    assert raw("no-colon").user.info(-1)[2] == 0x100


def test_wrong_argument_type_is_a_fault(raw, sim):
    with pytest.raises(xmlrpc.client.Fault) as fault:
        raw(sim.demo_session).image.info("3")
    assert fault.value.faultCode == -501


def test_boolean_where_an_int_is_expected_is_a_fault(raw, sim):
    with pytest.raises(xmlrpc.client.Fault):
        raw(sim.demo_session).image.update(0, "A=1", True)


def test_missing_required_argument_is_a_fault(raw, sim):
    with pytest.raises(xmlrpc.client.Fault):
        raw(sim.demo_session).imagepool.info(-2)


def test_unknown_method_is_a_fault(raw, sim):
    with pytest.raises(xmlrpc.client.Fault) as fault:
        raw(sim.demo_session).image.frobnicate(1)
    assert fault.value.faultCode == -506


def test_optional_arguments_take_their_defaults(raw, sim):
    assert raw(sim.demo_session).image.info(0)[0] is True
    assert raw(sim.demo_session).image.info(0, False)[0] is True


def test_a_body_that_is_not_xml_rpc_is_a_fault(sim):
    answer = requests.post(sim.endpoint, data=b"<nonsense/>", timeout=30)
    with pytest.raises(xmlrpc.client.Fault):
        xmlrpc.client.loads(answer.content)


def test_other_paths_are_not_served(sim):
    assert requests.post(sim.endpoint.replace("/RPC2", "/other"), data=b"x", timeout=30).status_code == 404


def test_system_version_answers_7_0_2(demo):
    assert demo.system.version() == "7.0.2"


def test_the_session_is_checked_before_the_arguments(raw):
    assert raw("demo:wrong").image.info("not an int")[2] == 0x100
