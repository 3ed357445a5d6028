"""A resource type added the way the architecture says (docs/architecture.md, "One declaration
per resource type"): its declaration, the service calls that differ and its routes, all in
this file, and nothing else touched. It must then be served in JSON and XML, listed by the
Cloud Entry Point, described by ResourceMetadata and by the OpenAPI document, and read back
from an XML body with the shape its declaration gives.

A Gadget is kept in memory here: what its service does is beside the point.
"""
import base64

import pytest
from flask_restx import Resource as Route
from marshmallow import fields, validate

from app import create_app
from app.cimi.api import CollectionNamespace
from app.cimi.declarations import READ, Declaration, declared, lists, updates
from app.cimi.inputs import request_caller, request_query, shaped
from app.protocol import respond
from app.protocol import model
from app.protocol.model import Capability, Resource, listed, reference, shown
from app.services.listing import Listing, listed as listed_collection
from schemas.common import Attributes

SEGMENT = "gadgets"
FINISHES = ("matte", "glossy")


class GadgetAttributes(Attributes):
    finish = fields.String(validate=validate.OneOf(FINISHES), metadata={
        "description": "How the gadget's surface is treated."})
    parts = listed(fields.String(validate=validate.Length(max=20)), "part",
                   "What the gadget is made of.")
    weight = shown(fields.Integer, "How heavy the gadget is.", units="grams")
    machine = reference("Machine", "The machine the gadget sits on.")


GADGET = Resource("Gadget", GadgetAttributes, "A gadget of this test.", collection=SEGMENT,
                  actions={"polish": "Make the gadget shine."},
                  capabilities=(Capability("MaxParts", "20", "Parts a gadget may have."),))

_GADGETS = {}


def _gadget(caller, number):
    href = caller.links.href(SEGMENT, number)
    stored = _GADGETS.setdefault(number, {"name": f"gadget {number}", "finish": "matte",
                                          "parts": ["lid", "base"]})
    return GADGET.document({"id": href, **stored, "weight": 250 * number,
                            "machine": caller.links.reference("machines", 7),
                            "operations": [{"rel": "edit", "href": href}]})


namespace = CollectionNamespace(SEGMENT, SEGMENT, "Gadgets, a type added by a test")


@namespace.route("")
class Gadgets(Route):
    @declared(lists("List the gadgets", GADGET.name))
    def get(self):
        caller = request_caller()
        listing = Listing(GADGET.name, SEGMENT, caller.links.href(SEGMENT), add=False)
        return respond(listed_collection(request_query(), listing,
                                         [_gadget(caller, number) for number in (1, 2)]))


@namespace.route("/<int:number>")
class Gadget(Route):
    @declared(Declaration("Read one gadget", (READ,), resource=GADGET.name))
    def get(self, number):
        caller = request_caller()
        return respond(shaped(caller, request_query(), _gadget(caller, number)))

    @declared(updates("Replace one gadget", GadgetAttributes, GADGET.name, partial=False))
    def put(self, number, body):
        caller = request_caller()
        _GADGETS[number] = body()
        return respond(_gadget(caller, number))


@pytest.fixture
def app(opennebula):
    application = create_app({"ONE_XMLRPC": opennebula.endpoint, "TESTING": True})
    # What app.cimi.init_app does for each module of app/cimi that defines a namespace.
    base = application.config["CIMI_BASE_PATH"]
    application.extensions["cimi"].add_namespace(namespace, path=base + namespace.path)
    return application


DECLARED = ["resourceURI", "id", "name", "description", "created", "updated", "properties",
            "finish", "parts", "weight", "machine", "operations"]
SHOWN = ["resourceURI", "id", "name", "finish", "parts", "weight", "machine", "operations"]


def test_a_member_has_exactly_its_declared_attributes_in_order(cimi):
    gadget = cimi.get(f"/cimi/{SEGMENT}/2")
    assert gadget.status == 200
    assert list(gadget.document) == SHOWN
    assert gadget.document["parts"] == ["lid", "base"]
    assert gadget.document["weight"] == 500
    assert gadget.document["machine"]["href"].endswith("/machines/7")


def test_xml_names_each_item_as_declared(client, cimi_credentials):
    answer = client.get(f"/cimi/{SEGMENT}/1", headers={"Accept": "application/xml",
                                                        **_basic(cimi_credentials)})
    text = answer.get_data(as_text=True)
    assert "<part>lid</part><part>base</part>" in text
    assert '<machine href="' in text
    assert "<parts>" not in text


def test_the_collection_lists_members_of_the_type(cimi):
    listing = cimi.get(f"/cimi/{SEGMENT}")
    assert listing.status == 200
    assert listing.document["count"] == 2
    assert [list(member) for member in listing.document["gadgets"]] == [SHOWN, SHOWN]


def test_an_xml_body_is_read_with_the_declared_shape(cimi):
    body = {"resourceURI": GADGET.uri, "name": "renamed", "finish": "glossy", "parts": ["knob"]}
    answer = cimi.put(f"/cimi/{SEGMENT}/3", body)
    assert answer.status == 200
    assert answer.document["parts"] == ["knob"]
    assert answer.document["finish"] == "glossy"
    refused = cimi.put(f"/cimi/{SEGMENT}/3", {**body, "finish": "rough"})
    assert refused.status == 400


def test_the_cloud_entry_point_lists_the_collection(cimi):
    entry_point = cimi.get("/cimi/cloudEntryPoint").document
    assert entry_point[SEGMENT]["href"].endswith(f"/{SEGMENT}")


def test_resource_metadata_describes_the_declaration(cimi):
    metadata = cimi.get(f"/cimi/resourceMetadata/{SEGMENT}").document
    assert metadata["typeUri"] == GADGET.uri
    attributes = {entry["name"]: entry for entry in metadata["attributes"]}
    assert list(attributes) == DECLARED
    assert attributes["finish"]["constraints"] == ["values=matte,glossy"]
    assert attributes["weight"]["type"] == "integer"
    assert "grams" in attributes["weight"]["description"]
    assert [action["name"] for action in metadata["actions"]] == ["polish"]
    assert [capability["name"] for capability in metadata["capabilities"]] == ["MaxParts"]


def test_the_openapi_document_describes_the_type_and_its_routes(client):
    document = client.get("/cimi/openapi.json").get_json()
    schema = document["components"]["schemas"]["Gadget"]
    assert set(schema["properties"]) == set(DECLARED)
    assert schema["properties"]["weight"]["readOnly"] is True
    assert "readOnly" not in schema["properties"]["finish"]
    assert {f"/{SEGMENT}", f"/{SEGMENT}/{{number}}"} <= set(document["paths"])
    entry_point = document["components"]["schemas"]["CloudEntryPoint"]
    assert SEGMENT in entry_point["properties"]


def _basic(credentials):
    return {"Authorization": "Basic " + base64.b64encode(credentials.encode()).decode()}


def test_every_collection_the_api_serves_is_declared(app):
    keys = [namespace.entry_point_key for namespace in app.extensions["cimi"].namespaces
            if isinstance(namespace, CollectionNamespace)]
    assert SEGMENT in keys and len(keys) > 10
    assert all(model.of_collection(key) is not None for key in keys)
