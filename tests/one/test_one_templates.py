"""The template builder: exact output, validation, and no injection whatever the values.

`oned_attributes` reads a built template the way oned does (`Template::from_xml` and
`rebuild_attributes` in `src/template/Template.cc`): libxml2 parses it (lxml is libxml2),
each child of the root is a single attribute when its only child is one text or CDATA node,
a vector when it has element children (each with a text child), and is dropped otherwise;
names are upper-cased and prefixed with ONE_ when they do not start with a letter or `_`
or start with XML; a repeated vector member replaces the earlier one; NAME is right-trimmed.
"""
import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml import etree

from app.errors import BadRequest
from app.one.metadata import encode_metadata
from app.one.storable import is_own_attribute, read_value, unstorable_part
from app.one.templates import build_template
from onefake import XML_CHARS, nasty_text, xml_text

def _oned_name(name):
    name = name.upper()
    if not (name[:1].isalpha() or name[:1] == "_") or name.startswith("XML"):
        return "ONE_" + name
    return name


def _only_text(element):
    """The content of an element whose only child node is one text node, else None."""
    if len(element) or element.text is None:
        return None
    return element.text


def oned_attributes(template_text):
    """{NAME: [value, ...]} as oned would store the template; vectors as dicts."""
    assert template_text.startswith("<"), "oned takes the XML branch only for a leading '<'"
    root = etree.fromstring(template_text.encode("utf-8"), etree.XMLParser())
    attributes = {}
    for node in root:
        if not isinstance(node.tag, str):
            continue
        text = _only_text(node)
        if text is not None:
            value = text
        elif len(node):
            value = {}
            for member in node:
                member_text = _only_text(member)
                if isinstance(member.tag, str) and member_text is not None:
                    value[member.tag] = member_text
        else:
            continue
        attributes.setdefault(_oned_name(node.tag), []).append(value)
    if "NAME" in attributes and isinstance(attributes["NAME"][0], str):
        attributes["NAME"] = [attributes["NAME"][0].rstrip(" \f\n\r\t\v")]
    return attributes


def stored_as_read(stored):
    """oned's stored attributes as the gateway reads them back: own attributes decoded."""
    return {name: [read_value(value) if is_own_attribute(name) else value for value in values]
            for name, values in stored.items()}


@settings(max_examples=300, deadline=None)
@given(value=nasty_text, key=xml_text)
@example(value='x"]]><EVIL>1</EVIL><![CDATA[', key="k")
@example(value='a\\"\nDISK=[IMAGE_ID=0]', key='"]')
@example(value="\r\n\r", key="\r")
@example(value="%cimi%]]>\U0001F600%41", key="]]>")
def test_no_value_can_add_or_change_attributes(value, key):
    """Whatever a user writes as name, description, property or user data, oned stores
    exactly these attributes, values it can keep, and the gateway reads back exactly these
    values. A value oned cannot store is encoded in the server's own attributes (and
    refused in the others, see below)."""
    plain = value if unstorable_part(value) is None else "plain"
    attributes = {
        "NAME": "m-" + plain,
        "MEMORY": 64,
        **encode_metadata(description=value, properties={key: value, "k2": value}),
        "CONTEXT": {"USER_DATA": plain, "SSH_PUBLIC_KEY": plain, "NETWORK": True},
    }
    stored = oned_attributes(build_template(attributes))
    assert all(unstorable_part(text) is None for values in stored.values() for item in values
               for text in (item.values() if isinstance(item, dict) else (item,)))
    expected_context = {"NETWORK": "YES"}
    if plain:
        expected_context.update(USER_DATA=plain, SSH_PUBLIC_KEY=plain)
    expected = {
        "NAME": [("m-" + plain).rstrip(" \f\n\r\t\v")],
        "MEMORY": ["64"],
        "CIMI_PROPERTIES": [attributes["CIMI_PROPERTIES"]],
        "CONTEXT": [expected_context],
    }
    if value:
        expected["CIMI_DESCRIPTION"] = [value]
    read = stored_as_read(stored)
    assert read == expected
    assert json.loads(read["CIMI_PROPERTIES"][0]) == {key: value, "k2": value}


@pytest.mark.parametrize("value", ["a]]>b", "]]>", "rocket \U0001F680"])
def test_values_oned_cannot_store_are_refused_outside_own_attributes(value):
    for attributes in ({"NAME": value}, {"SSH_PUBLIC_KEY": value},
                       {"CONTEXT": {"SSH_PUBLIC_KEY": value}}):
        with pytest.raises(BadRequest, match="OpenNebula cannot store"):
            build_template(attributes)


def test_own_values_oned_cannot_store_are_encoded():
    text = build_template({"CIMI_DESCRIPTION": "50% ]]> \U0001F680", "CIMI_X": "%cimi%x",
                           "CIMI_PLAIN": "50% ]] >"})
    assert text == ("<TEMPLATE><CIMI_DESCRIPTION>%cimi%50%25 ]]%3E %F0%9F%9A%80"
                    "</CIMI_DESCRIPTION><CIMI_X>%cimi%%25cimi%25x</CIMI_X>"
                    "<CIMI_PLAIN>50% ]] &gt;</CIMI_PLAIN></TEMPLATE>")


@settings(max_examples=200, deadline=None)
@given(value=st.text(max_size=20).filter(lambda text: XML_CHARS.match(text) is None))
def test_values_xml_cannot_carry_are_refused(value):
    with pytest.raises(BadRequest):
        build_template({"CIMI_DESCRIPTION": value})


def test_exact_output():
    text = build_template({
        "NAME": 'a "b" <c> & d]]\n',
        "CPU": 0.5,
        "VCPU": 2,
        "PERSISTENT": False,
        "DISK": [{"IMAGE_ID": 3, "READONLY": True}, {"TYPE": "fs", "SIZE": 1024}],
        "GRAPHICS": {"TYPE": "VNC"},
    })
    assert text == (
        "<TEMPLATE><NAME>a \"b\" &lt;c&gt; &amp; d]]\n</NAME><CPU>0.5</CPU>"
        "<VCPU>2</VCPU><PERSISTENT>NO</PERSISTENT>"
        "<DISK><IMAGE_ID>3</IMAGE_ID><READONLY>YES</READONLY></DISK>"
        "<DISK><TYPE>fs</TYPE><SIZE>1024</SIZE></DISK>"
        "<GRAPHICS><TYPE>VNC</TYPE></GRAPHICS></TEMPLATE>")


def test_empty_template():
    assert build_template({}) == "<TEMPLATE></TEMPLATE>"


@pytest.mark.parametrize("name", [
    "name", "1ABC", "A-B", "A B", "A.B", "XMLRPC", "", "A" * 129, "<A>", "Ä", 5, None])
def test_invalid_attribute_names_are_refused(name):
    with pytest.raises(BadRequest):
        build_template({name: "x"})
    with pytest.raises(BadRequest):
        build_template({"DISK": {name: "x"}})


@pytest.mark.parametrize("value", [
    None, b"bytes", float("nan"), float("inf"), {"NESTED": {"DEEP": "x"}}, [[1]], {},
    {"LIST": [1, 2]}, object()])
def test_unsupported_values_are_refused(value):
    with pytest.raises(BadRequest):
        build_template({"A": value})


def test_only_dicts_make_templates():
    with pytest.raises(TypeError):
        build_template([("NAME", "x")])
