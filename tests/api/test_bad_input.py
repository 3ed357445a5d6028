"""Bad requests get their CIMI error and leave nothing behind in OpenNebula.

Every test that sends something wrong uses `unchanged_backend`, which lists OpenNebula's
VMs, images, templates and configuration documents as oneadmin before and after.
"""
import socket

import pytest

from app import create_app
from cimiclient import CimiTestClient
from api_support import ACTION, CIMI

MEDIA_TYPES = {"json": "application/json", "xml": "application/xml"}
MALFORMED = {"json": b'{"name": "x", "machineTemplate": {', "xml": b"<MachineCreate><name>x</nam>"}
XML_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<MachineCreate xmlns="http://schemas.dmtf.org/cimi/1"><name>&lol3;</name></MachineCreate>"""


def assert_error(result, status, *words):
    assert result.status == status, result.document
    assert result.document["resourceURI"] == CIMI + "Error"
    assert result.document["status"] == status
    for word in words:
        assert word in result.document["message"]


def test_malformed_body(cimi, fmt, collection_href, unchanged_backend):
    result = cimi.post(collection_href("machines"), MALFORMED[fmt])
    assert_error(result, 400, "malformed" if fmt == "json" else "not well-formed")


def test_empty_body(cimi, collection_href, unchanged_backend):
    assert_error(cimi.post(collection_href("machines"), b""), 400, "empty")


def test_xml_bomb(cimi, collection_href, unchanged_backend):
    result = cimi.post(collection_href("machines"), XML_BOMB,
                       headers={"Content-Type": "application/xml"})
    assert_error(result, 400, "DTD")


def test_oversized_body(cimi, fmt, collection_href, unchanged_backend):
    padding = "x" * (1024 * 1024 + 1)
    body = {"resourceURI": CIMI + "MachineCreate", "description": padding,
            "machineTemplate": {"machineImage": {"href": "machineImages/0"}}}
    assert cimi.post(collection_href("machines"), body).status == 413


def test_unsupported_content_type(cimi, collection_href, unchanged_backend):
    result = cimi.post(collection_href("machines"), b"name=x",
                       headers={"Content-Type": "text/plain"})
    assert result.status == 415


@pytest.mark.parametrize("href, words", [
    ("http://elsewhere.example/cimi/machineImages/0", ["machineImage.href", "this server"]),
    ("/cimi/machineImages/0", ["machineImage.href", "this server"]),
    ("http://localhost/cimi/machineConfigs/1", ["machineImage.href", "machineImages/<id>"]),
    ("http://localhost/cimi/machineImages/abc", ["machineImage.href"]),
    ("http://localhost/cimi/machineImages/0/disks", ["machineImage.href"]),
    ("http://localhost/cimi/machineImages/99999", ["machineImage.href", "no machine image"]),
    ("", ["machineImage.href"]),
])
def test_foreign_unknown_or_malformed_image_hrefs(cimi, collection_href, machine_create,
                                                  unchanged_backend, href, words):
    body = machine_create()
    body["machineTemplate"]["machineImage"] = {"href": href}
    assert_error(cimi.post(collection_href("machines"), body), 400, *words)


def test_relative_hrefs_are_resolved_against_the_base_uri(cimi, collection_href, machine_create,
                                                          launched):
    body = machine_create()
    body["machineTemplate"]["machineImage"] = {"href": "machineImages/0"}
    assert launched(body).document["machineImage"]["href"].endswith("/cimi/machineImages/0")


@pytest.mark.parametrize("href", [
    "http://localhost/cimi/machineImages/0",
    "http://elsewhere.example/cimi/machineConfigs/1",
    "http://localhost/cimi/machineConfigs/99999",
])
def test_bad_configuration_hrefs(cimi, collection_href, machine_create, unchanged_backend, href):
    body = machine_create(machineConfig={"href": href})
    assert_error(cimi.post(collection_href("machines"), body), 400, "machineConfig.href")


@pytest.mark.parametrize("config, field", [
    ({"cpu": 0, "memory": 131072}, "cpu"),
    ({"cpu": -1, "memory": 131072}, "cpu"),
    ({"cpu": "two", "memory": 131072}, "cpu"),
    ({"cpu": 1000000, "memory": 131072}, "cpu"),
    ({"cpu": 1, "memory": 0}, "memory"),
    ({"cpu": 1, "memory": -131072}, "memory"),
    ({"cpu": 1, "memory": 2 ** 62}, "memory"),
    ({"cpu": 1, "memory": 1000}, "memory"),
    ({"cpu": 1}, "memory"),
    ({"cpu": 1, "memory": 131072, "disks": [{"capacity": -1, "format": "swap"}]}, "disks[0].capacity"),
])
def test_invalid_sizes(cimi, collection_href, machine_create, unchanged_backend, config, field):
    result = cimi.post(collection_href("machines"), machine_create(machineConfig=config))
    assert_error(result, 400, "machineTemplate.machineConfig." + field)


def test_invalid_override_next_to_an_href(cimi, collection_href, machine_create,
                                          configuration_href, unchanged_backend):
    config = {"href": configuration_href("m1.small"), "cpu": -4}
    result = cimi.post(collection_href("machines"), machine_create(machineConfig=config))
    assert_error(result, 400, "machineTemplate.machineConfig.cpu")


@pytest.mark.parametrize("change, field", [
    ({"machineTemplate": "http://localhost/cimi/machineTemplates/1"}, "machineTemplate"),
    ({"machineTemplate": {"machineConfig": {"href": "machineConfigs/1"}}}, "machineImage"),
    ({"initialState": "RUNNING"}, "initialState"),
    ({"name": "x" * 500}, "name"),
])
def test_wrong_values(cimi, collection_href, machine_create, unchanged_backend, change,
                      field):
    body = machine_create()
    if "initialState" in change:
        body["machineTemplate"].update(change)
    else:
        body.update(change)
    assert_error(cimi.post(collection_href("machines"), body), 400, field)


def test_wrong_json_types(cimi, collection_href, unchanged_backend):
    """JSON bodies (XML has no value types), answered in the format under test."""
    json_body = {"Content-Type": "application/json"}
    body = b'{"name": 5, "properties": ["a"], "machineTemplate": {"machineImage": {"href": 0}}}'
    result = cimi.post(collection_href("machines"), body, headers=json_body)
    assert_error(result, 400, "name", "properties", "machineTemplate.machineImage.href")
    control = b'{"name": "bad\\u0001name", "machineTemplate": {"machineImage": {"href": "x"}}}'
    result = cimi.post(collection_href("machines"), control, headers=json_body)
    assert_error(result, 400, "name", "control")


def test_missing_machine_template(cimi, collection_href, unchanged_backend):
    result = cimi.post(collection_href("machines"), {"resourceURI": CIMI + "MachineCreate"})
    assert_error(result, 400, "machineTemplate")


def test_invalid_action_bodies(cimi, unchanged_backend, launched):
    href = launched().document["id"]
    assert_error(cimi.post(href, {"resourceURI": CIMI + "Action"}), 400, "action")
    assert_error(cimi.post(href, {"resourceURI": CIMI + "Action", "action": ACTION + "stop",
                                  "force": "maybe"}), 400, "force")


def test_wrong_credentials(cimi, collection_href, unchanged_backend):
    for credentials in ("demo:wrong", "nobody:demo", None, "demo\x00:demo", "demo:de\x1bmo",
                        "demo:\U0001F600"):
        result = cimi.as_user(credentials).get(collection_href("machines"))
        assert_error(result, 401)
        assert result.headers["WWW-Authenticate"].startswith("Basic")


def test_wrong_credentials_on_creation(cimi, collection_href, machine_create, unchanged_backend):
    assert_error(cimi.as_user("demo:wrong").post(collection_href("machines"), machine_create()), 401)


def test_a_machine_that_fails_halfway_is_terminated(cimi, collection_href, machine_create,
                                                    onesim_server, unchanged_backend):
    onesim_server.fail_next("one.vm.info")
    result = cimi.post(collection_href("machines"), machine_create())
    assert_error(result, 502)


def test_a_failed_allocation_is_reported(cimi, collection_href, machine_create, onesim_server,
                                         unchanged_backend):
    onesim_server.fail_next("one.vm.allocate", code=0x0200, message="Quota exceeded.")
    assert_error(cimi.post(collection_href("machines"), machine_create()), 403, "Quota")


def other_app_client(fmt, endpoint, credentials, **settings):
    application = create_app({"ONE_XMLRPC": endpoint, "TESTING": True, **settings})
    return CimiTestClient(application.test_client(), fmt, credentials)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_opennebula_down(fmt, cimi_credentials):
    down = other_app_client(fmt, f"http://127.0.0.1:{free_port()}/RPC2", cimi_credentials)
    assert_error(down.get("/cimi/machines"), 503)
    assert down.get("/cimi/cloudEntryPoint").status == 200


def test_opennebula_never_answers(fmt, cimi_credentials):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        stuck = other_app_client(fmt, f"http://127.0.0.1:{port}/RPC2", cimi_credentials,
                                 ONE_READ_TIMEOUT=0.5)
        assert_error(stuck.get("/cimi/machineImages"), 504)


def test_opennebula_too_slow(fmt, onesim_server, cimi_credentials, unchanged_backend):
    slow = other_app_client(fmt, onesim_server.endpoint, cimi_credentials, ONE_READ_TIMEOUT=0.5)
    onesim_server.delay("one.vmpool.infoextended", 3)
    assert_error(slow.get("/cimi/machines"), 504)


def test_a_first_beyond_opennebulas_integers_is_refused_on_every_collection(cimi, entry_point):
    """$first becomes a pool offset, an XML-RPC <int> (32 bits): beyond it is a 400, never
    xmlrpc.client's OverflowError."""
    collections = [value["href"] for value in entry_point.values()
                   if isinstance(value, dict) and "href" in value]
    for href in collections:
        result = cimi.get(href, params={"$first": str(2**31 + 1)})
        assert result.status in (200, 400), (href, result.document)
        if result.status == 400:
            assert "out of the range" in result.document["message"]


@pytest.mark.parametrize("digits", [31, 5000])
def test_integers_longer_than_any_value_are_refused(cimi, fmt, collection_href, unchanged_backend,
                                                     digits):
    """Python refuses to convert more than 4,300 digits; no CIMI value needs more than 30."""
    number = "9" * digits
    if fmt == "json":
        body = ('{"resourceURI": "%sMachineConfigurationCreate", "name": "huge", "cpu": %s, '
                '"memory": 1024, "disks": []}' % (CIMI, number)).encode()
    else:
        body = (f'<MachineConfiguration xmlns="http://schemas.dmtf.org/cimi/1"><name>huge</name>'
                f'<cpu>{number}</cpu><memory>1024</memory></MachineConfiguration>').encode()
    headers = {"Content-Type": f"application/{fmt}"}
    result = cimi.post(collection_href("machineConfigs"), body, headers=headers)
    assert_error(result, 400, "30 digits")
