"""XML and JSON request bodies: safe parsing, the JSON dict shape, schema loading, messages."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import Schema, fields

from app.errors import BadRequest
from app.protocol import CIMI_NAMESPACE, resource_uri
from app.protocol.bodies import describe, parse_json
from app.protocol.model import listed, shape_of
from app.protocol.xmlparse import parse_xml
from protocol_app import ThingSchema

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Thing xmlns="http://schemas.dmtf.org/cimi/1"><name>&lol9;</name></Thing>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE Thing [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Thing xmlns="http://schemas.dmtf.org/cimi/1"><name>&secret;</name></Thing>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE Thing SYSTEM "http://127.0.0.1:9/evil.dtd">
<Thing xmlns="http://schemas.dmtf.org/cimi/1"><name>x</name></Thing>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE Thing [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x"> %remote;]>
<Thing><name>x</name></Thing>"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD, PARAMETER_ENTITY],
                         ids=["billion-laughs", "external-entity", "external-dtd", "parameter-entity"])
def test_dtds_and_entities_are_refused(body):
    with pytest.raises(BadRequest, match="DTD"):
        parse_xml(body)


@pytest.mark.parametrize("body", [b"<Thing><name>x</Thing>", b"not xml", b"<Thing>", b"<a/><b/>"])
def test_malformed_xml_is_a_bad_request(body):
    with pytest.raises(BadRequest, match="not well-formed"):
        parse_xml(body)


def test_the_namespace_is_optional():
    with_namespace = parse_xml(f'<Thing xmlns="{CIMI_NAMESPACE}"><name>x</name></Thing>'.encode())
    without = parse_xml(b"<Thing><name>x</name></Thing>")
    prefixed = parse_xml(f'<c:Thing xmlns:c="{CIMI_NAMESPACE}"><c:name>x</c:name></c:Thing>'.encode())
    assert with_namespace == without == prefixed == {"resourceURI": resource_uri("Thing"), "name": "x"}


def test_elements_and_attributes_of_other_namespaces_are_skipped():
    body = (b'<Thing xmlns:x="urn:vendor" x:flag="1"><name x:lang="en">n</name>'
            b'<x:secret>s</x:secret></Thing>')
    assert parse_xml(body) == {"resourceURI": resource_uri("Thing"), "name": "n"}


def test_a_root_in_another_namespace_is_refused():
    with pytest.raises(BadRequest, match="namespace"):
        parse_xml(b'<Thing xmlns="urn:other"><name>x</name></Thing>')


def test_properties_references_and_operations():
    body = (b'<Thing><property key="a">1</property><property key="b"/>'
            b'<image href="http://h/cimi/machineImages/3"/>'
            b'<operation rel="edit" href="http://h/x"/></Thing>')
    assert parse_xml(body) == {
        "resourceURI": resource_uri("Thing"),
        "properties": {"a": "1", "b": ""},
        "image": {"href": "http://h/cimi/machineImages/3"},
        "operations": [{"rel": "edit", "href": "http://h/x"}],
    }


def test_a_property_needs_a_key():
    with pytest.raises(BadRequest, match="key attribute"):
        parse_xml(b"<Thing><property>v</property></Thing>")


def test_text_mixed_with_elements_is_refused():
    with pytest.raises(BadRequest, match="<image> mixes text"):
        parse_xml(b'<Thing><image href="h">text</image></Thing>')


def test_the_schema_says_which_elements_are_lists():
    body = (b'<Thing><name>n</name><volume href="v1"><initialLocation>vdb</initialLocation>'
            b'</volume><tags>only</tags></Thing>')
    parsed = parse_xml(body, shape_of(ThingSchema()))
    assert parsed["volumes"] == [{"href": "v1", "initialLocation": "vdb"}]
    assert parsed["tags"] == ["only"]


def test_without_a_schema_the_root_types_declaration_says_which_elements_are_lists():
    body = b"<Thing><volume href='a'/><tag>x</tag><tag>y</tag><tag>z</tag><name>n</name></Thing>"
    parsed = parse_xml(body)
    assert parsed["volumes"] == [{"href": "a"}]
    assert parsed["tags"] == ["x", "y", "z"]
    assert parsed["name"] == "n"


def test_undeclared_elements_that_repeat_become_lists():
    parsed = parse_xml(b"<Undeclared><tag>x</tag><tag>y</tag><name>n</name></Undeclared>")
    assert parsed["tag"] == ["x", "y"]
    assert parsed["name"] == "n"


def test_a_machine_volume_keeps_its_single_volume_reference():
    body = b'<MachineVolume><initialLocation>vdb</initialLocation><volume href="v"/></MachineVolume>'
    assert parse_xml(body)["volume"] == {"href": "v"}
    collection = (b'<Collection resourceURI="http://schemas.dmtf.org/cimi/1/MachineVolumeCollection">'
                  b'<MachineVolume><volume href="v"/></MachineVolume></Collection>')
    assert parse_xml(collection)["machineVolumes"][0]["volume"] == {"href": "v"}
    assert parse_xml(b'<MachineTemplate><volume href="v"/></MachineTemplate>')["volumes"] == [
        {"href": "v"}]


def test_an_empty_element_for_a_nested_field_is_an_empty_object():
    assert parse_xml(b"<Thing><image/></Thing>", shape_of(ThingSchema()))["image"] == {}


def test_self_referencing_schemas_are_shaped_without_recursing_forever():
    class Node(Schema):
        name = fields.String()
        volumes = listed(fields.Nested(lambda: Node()), "volume")

    shape = shape_of(Node())
    assert (shape["volume"].attribute, shape["volume"].item) == ("volumes", "volume")
    parsed = parse_xml(b"<Node><volume><volume><name>leaf</name></volume></volume></Node>", shape)
    assert parsed["volumes"] == [{"volumes": [{"name": "leaf"}]}]


def test_deeply_nested_xml_is_a_bad_request():
    body = b"<a>" * 5000 + b"</a>" * 5000
    with pytest.raises(BadRequest, match="too deeply"):
        parse_xml(body)


@pytest.mark.parametrize("body, message", [
    (b'{"name": ', "malformed"),
    (b"[1, 2]", "must be an object"),
    (b'"text"', "must be an object"),
    (b'{"cpu": NaN}', "NaN"),
    (b'{"name": "\\ud800"}', "unpaired surrogate"),
    (b"\xff\xfe\xfa", "UTF-8"),
    (b"[" * 100000 + b"]" * 100000, "too deeply"),
])
def test_bad_json_bodies(body, message):
    with pytest.raises(BadRequest, match=message):
        parse_json(body)


def test_validation_messages_name_the_field_path():
    messages = {"name": ["Missing data for required field."],
                "machineTemplate": {"machineImage": {"href": ["Not a valid string."]},
                                    "_schema": ["Give an href."]},
                "volumes": {0: {"volume": ["Missing data for required field."]}}}
    assert describe(messages) == (
        "name: Missing data for required field.; "
        "machineTemplate.machineImage.href: Not a valid string.; "
        "machineTemplate: Give an href.; "
        "volumes[0].volume: Missing data for required field.")


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=200),
                 st.text(alphabet="<>/=\"' &;#xabc:!?[]-", max_size=120).map(str.encode)))
def test_any_bytes_give_a_document_or_a_bad_request(data):
    for parse in (parse_xml, parse_json):
        try:
            assert isinstance(parse(data), dict)
        except BadRequest as error:
            assert error.message
