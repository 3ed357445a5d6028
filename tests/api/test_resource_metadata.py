"""ResourceMetadata, in JSON and XML: one entry per collection of the Cloud Entry Point with
the type its members have, and the Machine capabilities, actions and attribute constraints
that MachineCreate and the machines themselves honour."""
import base64
from xml.etree import ElementTree

import pytest

from api_support import CIMI

CAPABILITY = CIMI + "capability/Machine/"
XML = "{" + CIMI.rstrip("/") + "}"
MACHINE_STATES = ("CREATING", "STARTING", "STARTED", "STOPPING", "STOPPED", "PAUSING",
                  "PAUSED", "SUSPENDING", "SUSPENDED", "CAPTURING", "RESTORING", "DELETING",
                  "DELETED", "ERROR", "FAILED")


@pytest.fixture
def all_metadata(cimi, entry_point):
    result = cimi.get(entry_point["resourceMetadata"]["href"])
    assert result.status == 200
    return {entry["id"].rsplit("/", 1)[1]: entry for entry in result.document["resourceMetadata"]}


@pytest.fixture
def machine_metadata(all_metadata):
    return all_metadata["machines"]


def capability(metadata, name):
    (found,) = [entry for entry in metadata["capabilities"] if entry["uri"] == CAPABILITY + name]
    assert found["name"] == name
    return found["value"]


def constraint(metadata, attribute, bound):
    (found,) = [entry for entry in metadata["attributes"] if entry["name"] == attribute]
    (value,) = [text.partition("=")[2] for text in found["constraints"]
                if text.startswith(bound + "=")]
    return int(value)


def collection_keys(entry_point):
    return [key for key, value in entry_point.items()
            if isinstance(value, dict) and "href" in value]


def test_one_entry_per_collection_with_the_type_of_its_members(cimi, entry_point, all_metadata):
    keys = collection_keys(entry_point)
    assert "resourceMetadata" in keys
    assert set(all_metadata) == set(keys)
    for key in keys:
        listing = cimi.get(entry_point[key]["href"])
        assert listing.status == 200, key
        member_type = listing.document["resourceURI"].removesuffix("Collection")
        assert all_metadata[key]["typeUri"] == member_type, key
        assert all_metadata[key]["name"] == member_type.rsplit("/", 1)[1]


def test_an_entry_is_readable_alone_and_an_unknown_one_is_404(cimi, all_metadata):
    for entry in all_metadata.values():
        alone = cimi.get(entry["id"])
        assert alone.status == 200
        assert alone.document["typeUri"] == entry["typeUri"]
    missing = cimi.get(all_metadata["machines"]["id"].rsplit("/", 1)[0] + "/nothing")
    assert missing.status == 404


def test_machine_initial_states_are_the_ones_machine_create_accepts(
        cimi, machine_metadata, launched, machine_create, wait_for_state):
    initial_states = capability(machine_metadata, "InitialStates").split(",")
    assert set(initial_states) == {"STARTED", "STOPPED"}
    for state in initial_states:
        created = launched(machine_create(initialState=state))
        wait_for_state(created.document["id"], state)


def test_machine_default_initial_state_is_where_a_new_machine_goes(
        cimi, machine_metadata, launched, machine_create, wait_for_state):
    default = capability(machine_metadata, "DefaultInitialState")
    assert default in capability(machine_metadata, "InitialStates").split(",")
    created = launched(machine_create())
    wait_for_state(created.document["id"], default)


def test_an_initial_state_outside_the_capability_is_400_and_creates_nothing(
        cimi, machine_metadata, collection_href, machine_create, unchanged_backend):
    initial_states = set(capability(machine_metadata, "InitialStates").split(","))
    for state in set(MACHINE_STATES) - initial_states | {"started", ""}:
        result = cimi.post(collection_href("machines"), machine_create(initialState=state))
        assert result.status == 400, state
        assert "initialState" in result.document["message"]


def test_cpu_and_memory_bounds_are_the_ones_machine_create_enforces(
        cimi, machine_metadata, collection_href, machine_create, unchanged_backend):
    cpu_max = constraint(machine_metadata, "cpu", "maximum")
    memory_min = constraint(machine_metadata, "memory", "minimum")
    too_many = machine_create(machineConfig={"cpu": cpu_max + 1, "memory": 131072})
    too_little = machine_create(machineConfig={"cpu": 1, "memory": memory_min - 1})
    for body in (too_many, too_little):
        result = cimi.post(collection_href("machines"), body)
        assert result.status == 400, body


def test_every_action_a_machine_offers_is_declared(cimi, machine_metadata, launched,
                                                   machine_create):
    declared = {action["uri"] for action in machine_metadata["actions"]}
    assert all(action["method"] == "POST" for action in machine_metadata["actions"])
    for state in ("STARTED", "STOPPED"):
        machine = launched(machine_create(initialState=state)).document
        offered = {operation["rel"] for operation in machine["operations"]
                   if operation["rel"].startswith(CIMI + "action/")}
        assert offered <= declared


def test_metadata_answers_query_parameters(cimi, entry_point):
    href = entry_point["resourceMetadata"]["href"]
    result = cimi.get(href, params={"$filter": "name='Machine'", "$select": "typeUri"})
    assert result.status == 200
    assert result.document["count"] == 1
    (entry,) = result.document["resourceMetadata"]
    assert set(entry) == {"resourceURI", "id", "typeUri"}


def test_every_entry_is_well_formed(all_metadata):
    for key, entry in all_metadata.items():
        attributes = entry.get("attributes", [])     # XML has no element for an empty list
        names = [attribute["name"] for attribute in attributes]
        assert len(names) == len(set(names)), key
        for attribute in attributes:
            assert attribute["type"] in {"string", "integer", "double", "boolean", "map",
                                         "array", "ref", "dateTime"}, (key, attribute)
            assert all("=" in text for text in attribute.get("constraints", [])), key
        for action in entry.get("actions", []):
            assert action["uri"] == CIMI + "action/" + action["name"]


def test_volume_capacity_bound_is_the_one_volume_configurations_enforce(
        cimi, all_metadata, collection_href, unchanged_backend):
    maximum = constraint(all_metadata["volumeConfigs"], "capacity", "maximum")
    body = {"resourceURI": CIMI + "VolumeConfiguration", "name": "too-big", "format": "raw",
            "capacity": maximum + 1}
    assert cimi.post(collection_href("volumeConfigs"), body).status == 400


def test_capabilities_attributes_and_actions_say_what_they_are(all_metadata):
    for key, entry in all_metadata.items():
        for kind in ("capabilities", "attributes", "actions"):
            for item in entry.get(kind, []):
                assert item["description"].strip(), (key, kind, item["name"])


def test_xml_writes_their_items_as_dsp0263_does(cimi, entry_point, machine_metadata):
    """DSP0263's XML for ResourceMetadata: `<capability name uri description>value
    </capability>`, `<attribute name description namespace type required>` holding its
    `<constraint>`s, `<action name uri description method inputMessage outputMessage/>`."""
    token = base64.b64encode(cimi.credentials.encode()).decode()
    response = cimi.client.get(machine_metadata["id"], headers={
        "Accept": "application/xml", "Authorization": f"Basic {token}"})
    root = ElementTree.fromstring(response.get_data())
    assert root.tag == XML + "ResourceMetadata"
    assert root.findtext(XML + "typeUri") == CIMI + "Machine"
    capabilities = root.findall(XML + "capability")
    assert {element.get("name"): element.text for element in capabilities} == {
        entry["name"]: entry["value"] for entry in machine_metadata["capabilities"]}
    assert all(element.get("uri") and element.get("description") and not len(element)
               for element in capabilities)
    (cpu,) = [element for element in root.findall(XML + "attribute")
              if element.get("name") == "cpu"]
    assert (cpu.get("type"), cpu.get("required")) == ("integer", "false")
    assert [constraint.text for constraint in cpu] == ["minimum=1", "maximum=256"]
    for action in root.findall(XML + "action"):
        assert action.get("uri") == CIMI + "action/" + action.get("name")
        assert (action.get("method"), action.get("description")) != ("", None)
        assert not len(action) and not (action.text or "").strip()
