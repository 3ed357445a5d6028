"""CIMI metadata kept in OpenNebula templates: encoded and decoded the same way everywhere."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import BadRequest
from app.one.metadata import (
    DESCRIPTION, PROPERTIES, description_of, encode_metadata, properties_of,
)


def test_encode_only_what_is_given():
    assert encode_metadata() == {}
    assert encode_metadata(description="d") == {DESCRIPTION: "d"}
    assert encode_metadata(properties={"b": "2", "a": "1"}) == {PROPERTIES: '{"a":"1","b":"2"}'}


@given(description=st.text(), properties=st.dictionaries(st.text(), st.text()))
def test_round_trip(description, properties):
    template = encode_metadata(description=description, properties=properties)
    assert description_of(template) == description
    assert properties_of(template) == properties


def test_properties_must_map_strings_to_strings():
    for bad in ({"a": 1}, {1: "a"}, ["a"], "a"):
        with pytest.raises(BadRequest):
            encode_metadata(properties=bad)


@pytest.mark.parametrize("raw", ["not json", "[1, 2]", '"text"', {"VECTOR": "x"}])
def test_hand_edited_properties_are_ignored(raw):
    assert properties_of({PROPERTIES: raw}) == {}


def test_non_string_property_values_are_dropped():
    assert properties_of({PROPERTIES: '{"a": "1", "b": 2}'}) == {"a": "1"}


def test_missing_metadata():
    assert description_of({}) == ""
    assert properties_of({}) == {}
    assert description_of({DESCRIPTION: {"VECTOR": "x"}}) == ""
