"""A small application exercising app.protocol on its own, without a backend.

It registers `app.protocol` on a bare Flask app and serves a `Thing` resource through a
flask-restx Namespace (errors left to the application's handlers, as app.cimi does), plus a
few plain Flask routes that raise each kind of failure.
"""
import flask_restx
from flask import Flask
from marshmallow import EXCLUDE, Schema, fields

from app import errors, protocol
from app.protocol import ACTION_URI, collection, href, operation, read_body, resource_uri, respond
from app.protocol.model import Operation, Resource, listed, shown

DEMO_CREDENTIALS = "demo:demo"
THING_TYPE = "Thing"


class ReferenceSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    href = fields.String(required=True)


class VolumeSchema(Schema):
    href = fields.String(required=True)
    initialLocation = fields.String()


class ThingSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    name = fields.String(required=True)
    description = fields.String()
    properties = fields.Dict(keys=fields.String(), values=fields.String())
    cpu = fields.Integer()
    enabled = fields.Boolean()
    image = fields.Nested(ReferenceSchema)
    volumes = listed(fields.Nested(VolumeSchema), "volume")
    tags = listed(fields.String(), "tag")


class ThingAttributes(ThingSchema):
    resourceURI = shown()
    id = shown()
    operations = listed(fields.Nested(Operation), "operation", shown=True)


# Declared, as every resource type is: its lists' XML items are named by the declaration.
THING = Resource(THING_TYPE, ThingAttributes, "A resource of the protocol's tests.")


def thing_document(number, body):
    uri = href("things", number)
    document = {"resourceURI": resource_uri(THING_TYPE), "id": uri}
    document.update(body)
    document["operations"] = [operation("edit", uri), operation("delete", uri),
                              operation(ACTION_URI + "start", uri)]
    return document


class RoutingOnlyApi(flask_restx.Api):
    def error_router(self, original_handler, e):
        return original_handler(e)


def build_app(config=None):
    application = Flask(__name__)
    application.config.update({"TESTING": True, "CIMI_BASE_PATH": "/cimi",
                               "MAX_CONTENT_LENGTH": 64 * 1024})
    application.config.update(config or {})
    protocol.init_app(application)
    api = RoutingOnlyApi(application, prefix="/cimi", doc=False, add_specs=False)
    things = flask_restx.Namespace("things", path="/things")

    @things.route("")
    class Things(flask_restx.Resource):
        def get(self):
            members = [thing_document(n, {"name": f"thing {n}"}) for n in range(3)]
            return respond(collection(THING_TYPE, "things", members, href("things")))

        def post(self):
            protocol.session_string()
            body = read_body(ThingSchema)
            uri = href("things", 7)
            return respond(thing_document(7, body), 201, {"Location": uri})

    @things.route("/<int:number>")
    class Thing(flask_restx.Resource):
        def get(self, number):
            if number != 7:
                raise errors.NotFound(f"No Thing {number}.")
            return respond(thing_document(7, {"name": "seven"}))

        def delete(self, number):
            return respond(None)

    api.add_namespace(things)

    @application.route("/cimi/whoami")
    def whoami():
        return respond({"resourceURI": resource_uri("Session"), "name": protocol.session_string()})

    @application.route("/cimi/fail/<kind>")
    def fail(kind):
        if kind == "unexpected":
            raise RuntimeError("secret stack detail /etc/one/oned.conf")
        raise getattr(errors, kind)(f"{kind} happened")

    @application.route("/cimi/echo", methods=["POST"])
    def echo():
        return respond(read_body(ThingSchema))

    @application.route("/cimi/base")
    def base():
        return respond({"resourceURI": resource_uri("Base"), "baseURI": protocol.base_uri(),
                        "id": href("things", "a b/c")})

    return application
