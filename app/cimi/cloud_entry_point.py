"""Cloud Entry Point: `<base>/cloudEntryPoint`, also served at the base path itself."""
from flask import current_app
from flask_restx import Namespace, Resource

from app.cimi import declarations as declare
from app.cimi.api import registered_collections
from app.protocol import base_uri, respond
from app.services import cloud_entry_point
from app.services.links import Links

EXTENSION = "cimi"

namespace = Namespace("cloudEntryPoint", description="Cloud Entry Point", path="/")


@namespace.route("/" + cloud_entry_point.SEGMENT, "/")
class CloudEntryPoint(Resource):
    @declare.declared(declare.Declaration(
        "Read the Cloud Entry Point", (declare.READ, declare.NOT_MODIFIED),
        resource=cloud_entry_point.TYPE_NAME, needs_credentials=False))
    def get(self):
        """The entry point needs no OpenNebula call, so it answers without credentials too:
        it tells nothing about any user."""
        collections = registered_collections(current_app.extensions[EXTENSION])
        return respond(cloud_entry_point.entry_point(Links(base_uri()), collections))
