"""The declarations (`app.protocol.model`) of MachineTemplate, MachineConfiguration,
Credential, Network, Address, MachineNetworkInterface, Job, EventLog and Event are what the
server answers: a real resource of each type, read in JSON and XML, has only declared
attributes, in the declared order, and all of them but those its state leaves empty; its
ResourceMetadata entry lists exactly the declared attributes, read-only where only the server
sets them."""
import base64

import pytest

from api_support import ACTION, CIMI
from credential_keys import credential_create, fresh_key
from schemas.credentials import CREDENTIAL
from schemas.event_logs import EVENT, EVENT_LOG
from schemas.jobs import JOB
from schemas.machine_configurations import MACHINE_CONFIGURATION
from schemas.machine_templates import MACHINE_TEMPLATE
from schemas.networks import ADDRESS, MACHINE_NETWORK_INTERFACE, NETWORK

READ_ONLY = "Read-only."


def assert_declared(document, resource, may_be_empty=()):
    """`document` holds the declared attributes in order: every one but those `may_be_empty`
    names (left out when they have no value), and no other."""
    assert document["resourceURI"] == resource.uri
    declared = list(resource.fields)
    shown = list(document)
    assert set(shown) <= set(declared), f"undeclared: {set(shown) - set(declared)}"
    assert shown == [name for name in declared if name in shown]
    assert set(declared) - set(may_be_empty) <= set(shown), set(declared) - set(shown)


def assert_metadata(cimi, entry_point, resource):
    """The type's ResourceMetadata entry lists its declared attributes, those only the server
    sets read-only."""
    entry = cimi.get(f"{entry_point['resourceMetadata']['href']}/{resource.collection}")
    assert entry.status == 200
    attributes = entry.document["attributes"]
    assert [attribute["name"] for attribute in attributes] == list(resource.fields)
    for attribute in attributes:
        read_only = resource.fields[attribute["name"]].dump_only
        assert attribute["description"].endswith(READ_ONLY) == read_only, attribute["name"]


@pytest.fixture
def made(cimi):
    """POST bodies to collections; what was made is deleted at the end, newest first."""
    hrefs = []

    def make(collection, body):
        result = cimi.post(collection, body)
        assert result.status == 201, result.document
        hrefs.append(result.document["id"])
        return result.document["id"]

    yield make
    for href in reversed(hrefs):
        assert cimi.delete(href).status == 200


@pytest.fixture
def network(cimi, collection_href):
    (first, *_) = cimi.get(collection_href("networks")).document["networks"]
    return first


def common(name):
    return {"name": name, "description": f"{name}, described", "properties": {"made": "here"}}


@pytest.fixture
def machine(cimi, started):
    return cimi.get(started()).document


def test_a_machine_template(cimi, entry_point, collection_href, made, image_href,
                            configuration_href, network):
    credential = made(collection_href("credentials"), credential_create(fresh_key()))
    href = made(collection_href("machineTemplates"), {
        "resourceURI": CIMI + "MachineTemplate", **common("declared-template"),
        "machineConfig": {"href": configuration_href("m1.small")},
        "machineImage": {"href": image_href},
        "credential": {"href": credential},
        "userData": base64.b64encode(b"#cloud-config\n").decode(),
        "networkInterfaces": [{"network": {"href": network["id"]}}]})
    # Only a template with volumes besides its image lists them.
    assert_declared(cimi.get(href).document, MACHINE_TEMPLATE, may_be_empty={"volumes"})
    assert_metadata(cimi, entry_point, MACHINE_TEMPLATE)


def test_a_machine_configuration(cimi, entry_point, collection_href, made):
    href = made(collection_href("machineConfigs"), {
        "resourceURI": CIMI + "MachineConfiguration", **common("declared-configuration"),
        "cpu": 1, "memory": 131072, "disks": [{"capacity": 1048576, "format": "swap"}]})
    assert_declared(cimi.get(href).document, MACHINE_CONFIGURATION)
    assert_metadata(cimi, entry_point, MACHINE_CONFIGURATION)


def test_a_credential(cimi, entry_point, collection_href, made):
    href = made(collection_href("credentials"),
                credential_create(fresh_key(), **common("declared-credential")))
    assert_declared(cimi.get(href).document, CREDENTIAL)
    assert_metadata(cimi, entry_point, CREDENTIAL)


def test_a_network(cimi, entry_point, network):
    # What OpenNebula's network holds besides its name is the site's.
    assert_declared(cimi.get(network["id"]).document, NETWORK,
                    may_be_empty={"description", "properties"})
    assert_metadata(cimi, entry_point, NETWORK)


def test_an_address(cimi, entry_point, collection_href, machine):
    addresses = cimi.get(collection_href("addresses")).document["addresses"]
    (address,) = [address for address in addresses
                  if address.get("resource") == {"href": machine["id"]}]
    # The network's gateway, DNS and mask are shown when its template has them.
    assert_declared(cimi.get(address["id"]).document, ADDRESS,
                    may_be_empty={"defaultGateway", "dns", "mask"})
    assert_metadata(cimi, entry_point, ADDRESS)


def test_a_machine_network_interface(cimi, machine):
    listed = cimi.get(machine["networkInterfaces"]["href"]).document
    (interface,) = listed["machineNetworkInterfaces"]
    assert_declared(cimi.get(interface["id"]).document, MACHINE_NETWORK_INTERFACE)


def test_a_job(cimi, entry_point, machine, wait_for_job):
    stop = cimi.post(machine["id"], {"resourceURI": CIMI + "Action", "action": ACTION + "stop"})
    assert stop.status == 202, stop.document
    wait_for_job(stop.headers["CIMI-Job-URI"])
    assert_declared(cimi.get(stop.headers["CIMI-Job-URI"]).document, JOB)
    assert_metadata(cimi, entry_point, JOB)


def test_an_event_log_and_its_events(cimi, entry_point, machine):
    log = cimi.get(machine["eventLog"]["href"]).document
    assert_declared(log, EVENT_LOG)
    assert_metadata(cimi, entry_point, EVENT_LOG)
    creation, running = cimi.get(log["events"]["href"]).document["events"][:2]
    # The creation happened on no host yet.
    assert_declared(cimi.get(creation["id"]).document, EVENT, may_be_empty={"contact"})
    assert_declared(cimi.get(running["id"]).document, EVENT)
