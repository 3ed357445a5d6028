"""Document dicts rendered as JSON and XML, and XML read back into the same dicts."""
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from app.protocol import ACTION_URI, CIMI_NAMESPACE, collection, operation, resource_uri
from app.protocol.names import member_key
from app.protocol.render import to_json, to_xml
from app.protocol.xmlparse import parse_xml
from schemas.machine_templates import MACHINE_TEMPLATE

NS = {"c": CIMI_NAMESPACE}
BASE = "http://example.com/cimi/"


def machine(number):
    uri = f"{BASE}machines/{number}"
    return {
        "resourceURI": resource_uri("Machine"),
        "id": uri,
        "name": f"web-{number}",
        "description": "front end",
        "created": "2024-01-01T10:00:00Z",
        "properties": {"owner": "alice", "tier": "web"},
        "state": "STARTED",
        "cpu": 2,
        "memory": 2097152,
        "disks": {"href": f"{uri}/disks"},
        "operations": [operation("edit", uri), operation(ACTION_URI + "stop", uri)],
    }


def xml_tree(document):
    return etree.fromstring(to_xml(document))


def test_json_is_the_document_itself():
    document = machine(1)
    assert json.loads(to_json(document)) == document


def test_xml_root_is_named_by_the_resource_type_in_the_cimi_namespace():
    root = xml_tree(machine(1))
    assert root.tag == f"{{{CIMI_NAMESPACE}}}Machine"
    assert root.find("c:resourceURI", NS) is None
    assert root.findtext("c:name", namespaces=NS) == "web-1"
    assert root.findtext("c:cpu", namespaces=NS) == "2"


def test_xml_keeps_the_attribute_order_of_the_document():
    names = [etree.QName(child).localname for child in xml_tree(machine(1))]
    assert names == ["id", "name", "description", "created", "property", "property", "state",
                     "cpu", "memory", "disks", "operation", "operation"]


def test_xml_properties_operations_and_references():
    root = xml_tree(machine(1))
    assert {p.get("key"): p.text for p in root.findall("c:property", NS)} == {
        "owner": "alice", "tier": "web"}
    assert [(o.get("rel"), o.get("href")) for o in root.findall("c:operation", NS)] == [
        ("edit", f"{BASE}machines/1"), (ACTION_URI + "stop", f"{BASE}machines/1")]
    disks = root.find("c:disks", NS)
    assert disks.get("href") == f"{BASE}machines/1/disks" and len(disks) == 0


def test_xml_reference_given_by_value_has_href_attribute_and_children():
    document = {"resourceURI": resource_uri("MachineTemplate"),
                "machineImage": {"href": f"{BASE}machineImages/7", "name": "ubuntu"}}
    image = xml_tree(document).find("c:machineImage", NS)
    assert image.get("href") == f"{BASE}machineImages/7"
    assert image.findtext("c:name", namespaces=NS) == "ubuntu"


def test_xml_lists_repeat_the_item_element_their_type_declares():
    document = {"resourceURI": MACHINE_TEMPLATE.uri,
                "volumes": [{"href": f"{BASE}volumes/1"}, {"href": f"{BASE}volumes/2"}],
                "sizes": [1, 2]}
    root = xml_tree(document)
    assert [v.get("href") for v in root.findall("c:volume", NS)] == [
        f"{BASE}volumes/1", f"{BASE}volumes/2"]
    assert root.find("c:volumes", NS) is None
    assert [s.text for s in root.findall("c:sizes", NS)] == ["1", "2"]


def test_xml_writes_booleans_as_xml_schema_booleans_and_leaves_out_none():
    root = xml_tree({"resourceURI": resource_uri("Volume"), "bootable": True,
                     "shared": False, "description": None})
    assert root.findtext("c:bootable", namespaces=NS) == "true"
    assert root.findtext("c:shared", namespaces=NS) == "false"
    assert root.find("c:description", NS) is None


def test_xml_collection_root_members_and_add_operation():
    href = f"{BASE}machines"
    document = collection("Machine", "machines", [machine(1), machine(2)], href)
    root = xml_tree(document)
    assert root.tag == f"{{{CIMI_NAMESPACE}}}Collection"
    assert root.get("resourceURI") == resource_uri("MachineCollection")
    assert root.findtext("c:count", namespaces=NS) == "2"
    members = root.findall("c:Machine", NS)
    assert [m.findtext("c:name", namespaces=NS) for m in members] == ["web-1", "web-2"]
    assert root.find("c:machines", NS) is None
    assert [(o.get("rel"), o.get("href")) for o in root.findall("c:operation", NS)] == [("add", href)]


def test_collection_document_shape():
    document = collection("MachineImage", "machineImages", iter([{"name": "a"}]),
                          f"{BASE}machineImages", add=False, count=40)
    assert document == {"resourceURI": resource_uri("MachineImageCollection"),
                        "id": f"{BASE}machineImages", "count": 40,
                        "machineImages": [{"name": "a"}]}


def test_collection_refuses_a_member_key_xml_readers_could_not_rebuild():
    with pytest.raises(ValueError, match="machineImages"):
        collection("MachineImage", "images", [], f"{BASE}machineImages")


@pytest.mark.parametrize("type_name, key", [
    ("Machine", "machines"), ("MachineConfiguration", "machineConfigurations"),
    ("Address", "addresses"), ("Disk", "disks"), ("MachineVolume", "machineVolumes"),
    ("EventLog", "eventLogs"), ("ResourceMetadata", "resourceMetadata"), ("Policy", "policies"),
])
def test_member_keys(type_name, key):
    assert member_key(type_name) == key


def test_documents_without_resource_uri_need_a_root_name():
    with pytest.raises(ValueError):
        to_xml({"name": "x"})
    assert etree.fromstring(to_xml({"name": "x"}, root="Action")).tag == f"{{{CIMI_NAMESPACE}}}Action"


def test_values_of_other_types_are_refused_rather_than_guessed():
    with pytest.raises(TypeError):
        to_xml({"resourceURI": resource_uri("Machine"), "created": object()})


NASTY = ['a & b < c > d', '"quoted" \'single\'', "]]> <![CDATA[x]]>", "<script>x</script>",
         "line1\nline2\r\nline3\ttab", "ünïcødé 日本語 🚀", "&amp; literally", "  padded  ", ""]


@pytest.mark.parametrize("text", NASTY)
def test_special_characters_survive_xml_in_text_attributes_and_keys(text):
    document = {"resourceURI": resource_uri("Machine"), "name": text,
                "properties": {text or "k": text}, "image": {"href": text}}
    root = xml_tree(document)
    assert root.findtext("c:name", namespaces=NS) == text
    assert root.find("c:property", NS).get("key") == (text or "k")
    assert root.find("c:image", NS).get("href") == text
    assert parse_xml(to_xml(document)) == document


def test_characters_xml_cannot_carry_become_replacement_characters():
    root = xml_tree({"resourceURI": resource_uri("Machine"), "name": "a\x00b\x1bc\ud800d"})
    assert root.findtext("c:name", namespaces=NS) == "a\ufffdb\ufffdc\ufffdd"


def test_json_output_is_utf8_even_with_unpaired_surrogates():
    assert json.loads(to_json({"name": "ok \ud800"})) == {"name": "ok ?"}
    assert to_json({"name": "日本"}).decode("utf-8") == '{"name":"日本"}'


def standard_json(document):
    """The reference encoding of a JSON answer: the standard library's, compact, UTF-8."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8", "replace")


@pytest.mark.parametrize("value", [
    1e-05, -4.823040373928001e-06, 9.999e-05, 1e-4, 1e16, 1.5e300, 5e-324, 0.1, -0.0, 12.5,
    float("nan"), float("inf"), -float("inf"), None, 2**63, -2**64, 2**200, "ok \ud800",
    "\x00\x1f\x7f\u2028 \"\\/ 日本 🚀", "null", "0.00001", "1e-5", True, (1, "a"), [],
])
def test_json_is_the_standard_librarys_encoding_byte_for_byte(value):
    document = {"resourceURI": resource_uri("Machine"), "value": value, "list": [value]}
    assert to_json(document) == standard_json(document)


def test_json_keys_that_are_not_text_are_written_as_the_standard_library_writes_them():
    document = {1: "a", 2.5: "b", None: "c", False: "d"}
    assert to_json(document) == standard_json(document) == (
        b'{"1":"a","2.5":"b","null":"c","false":"d"}')


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children,
                                                                       max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(document=st.dictionaries(st.text(), json_values, max_size=6))
def test_any_document_encodes_as_the_standard_library_encodes_it(document):
    assert to_json(document) == standard_json(document)


xml_text = st.text(st.characters(blacklist_categories=("Cs",),
                                 blacklist_characters="\x00\x01\x02\x03\x04\x05\x06\x07\x08"
                                 "\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19"
                                 "\x1a\x1b\x1c\x1d\x1e\x1f\ufffe\uffff"))


@settings(max_examples=200, deadline=None)
@given(name=xml_text, description=xml_text,
       properties=st.dictionaries(xml_text, xml_text, min_size=1, max_size=4), reference=xml_text)
def test_any_text_round_trips_through_xml(name, description, properties, reference):
    document = {"resourceURI": resource_uri("Machine"), "name": name, "description": description,
                "properties": properties, "machineImage": {"href": reference}}
    assert parse_xml(to_xml(document)) == document


def test_collections_round_trip_through_xml_including_empty_ones():
    full = collection("Machine", "machines", [machine(1), machine(2)], f"{BASE}machines")
    empty = collection("Machine", "machines", [], f"{BASE}machines")
    for document in (full, empty):
        parsed = parse_xml(to_xml(document))
        assert parsed["machines"] == [
            {**m, "cpu": str(m["cpu"]), "memory": str(m["memory"])} for m in document["machines"]]
        assert parsed["resourceURI"] == document["resourceURI"]
        assert parsed["operations"] == document["operations"]


def test_nested_collections_name_their_members_by_type():
    document = {"resourceURI": resource_uri("Machine"),
                "disks": {"resourceURI": resource_uri("DiskCollection"), "href": f"{BASE}d",
                          "count": 1, "disks": [{"capacity": 1024}]}}
    disks = xml_tree(document).find("c:disks", NS)
    assert disks.get("resourceURI") == resource_uri("DiskCollection")
    assert disks.find("c:Disk/c:capacity", NS).text == "1024"
    assert parse_xml(to_xml(document))["disks"]["disks"] == [
        {"resourceURI": resource_uri("Disk"), "capacity": "1024"}]
