"""The resource model (app/protocol/model.py) and every declaration made with it (schemas/)."""
import importlib
import pkgutil

import pytest
from marshmallow import Schema, fields

import schemas
from app.protocol import model
from app.protocol.model import Element, Resource, listed, reference, shape_of, shown
from schemas.common import Attributes


def _declarations():
    """The server's own declarations (others made by tests are left out)."""
    for module in pkgutil.iter_modules(schemas.__path__):
        importlib.import_module(f"schemas.{module.name}")
    return [resource for resource in model.declared()
            if resource.attributes.__module__.startswith("schemas.")]


class WidgetAttributes(Attributes):
    size = shown(fields.Integer, "How big.", units="KiB")
    parts = listed(fields.String(), "part", "What it is made of.", shown=True)


WIDGET = Resource("Widget", WidgetAttributes, "A widget of the model's tests.",
                  collection="widgets")


def test_a_document_is_in_declared_order_without_empty_values():
    document = WIDGET.document({"parts": ["a"], "id": "w/1", "size": 0, "name": "",
                                "properties": {}, "operations": []})
    assert list(document) == ["resourceURI", "id", "size", "parts"]
    assert document["resourceURI"] == WIDGET.uri
    assert document["size"] == 0


def test_an_undeclared_attribute_is_refused():
    with pytest.raises(ValueError, match="Widget declares no attribute \\['colour'\\]"):
        WIDGET.document({"id": "w/1", "colour": "red"})


def test_a_type_is_declared_once():
    with pytest.raises(ValueError, match="declared twice"):
        Resource("Widget", WidgetAttributes, "Again.")


def test_the_registry_finds_a_type_by_name_uri_and_collection():
    assert model.of_name("Widget") is WIDGET
    assert model.of_uri(WIDGET.uri) is WIDGET
    assert model.of_collection("widgets") is WIDGET
    assert model.of_collection("gizmos") is None


def test_only_the_attributes_a_client_may_set_are_loaded():
    writable = {name for name, declared in WIDGET.fields.items() if not declared.dump_only}
    assert writable == {"name", "description", "properties"}


def test_a_shape_names_list_items_and_references_their_target():
    class Holder(Schema):
        parts = listed(fields.String(), "part")
        machine = reference("Machine", "Where it is.")

    shape = shape_of(Holder)
    assert shape["part"] is shape["parts"]
    assert shape["parts"] == Element("parts", "part")
    assert shape["machine"].target == "Machine"
    assert shape["machine"].value_shape is model.of_name("Machine").shape


def _collisions(shape, seen):
    """List items named like a single-valued attribute of the same element."""
    if id(shape) in seen:
        return []
    seen.add(id(shape))
    found = [name for name, element in shape.items()
             if element.item is not None and name == element.item and
             shape.get(name) is not element]
    for element in shape.values():
        if element.shape:
            found += _collisions(element.shape, seen)
    return found


@pytest.mark.parametrize("resource", _declarations(), ids=lambda resource: resource.name)
def test_every_declaration_reads_back_unambiguously(resource):
    assert _collisions(resource.shape, set()) == []
    for name, declared in resource.fields.items():
        assert declared.metadata.get("description"), f"{resource.name}.{name} is not described"
        if isinstance(declared, fields.List):
            assert declared.metadata.get("item"), f"{resource.name}.{name} names no XML item"

