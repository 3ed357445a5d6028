"""ResourceMetadata: `<base>/resourceMetadata` and `<base>/resourceMetadata/<collection key>`.

Like the Cloud Entry Point, it describes the server rather than any user's resources, so it
answers without an OpenNebula call.
"""
from flask import current_app
from flask_restx import Resource

from app.cimi import declarations as declare
from app.cimi.cloud_entry_point import EXTENSION
from app.cimi.inputs import request_query
from app.cimi.api import CollectionNamespace, registered_collections
from app.errors import NotFound
from app.protocol import base_uri, respond
from app.protocol.query import SELECT
from app.services import resource_metadata
from app.services.links import Links
from app.services.listing import Listing, listed

namespace = CollectionNamespace("resourceMetadata", resource_metadata.SEGMENT,
                                "What this server supports for each resource type")


def _collection_keys():
    return [key for key, _ in registered_collections(current_app.extensions[EXTENSION])]


@namespace.route("")
class ResourceMetadataCollection(Resource):
    @declare.declared(declare.lists("List what the server supports for each resource type",
                                    resource_metadata.TYPE_NAME, needs_credentials=False))
    def get(self):
        links = Links(base_uri())
        listing = Listing(resource_metadata.TYPE_NAME, "resourceMetadata",
                          links.href(resource_metadata.SEGMENT), add=False)
        entries = [resource_metadata.metadata(links, key) for key in _collection_keys()]
        return respond(listed(request_query(), listing, entries))


@namespace.route("/<string:key>")
class ResourceMetadata(Resource):
    @declare.declared(declare.Declaration(
        "Read what the server supports for one resource type",
        (declare.READ, declare.NOT_MODIFIED), query=(SELECT,),
        resource=resource_metadata.TYPE_NAME, needs_credentials=False))
    def get(self, key):
        if key not in _collection_keys():
            raise NotFound(f"There is no resource metadata {key!r}.")
        entry = resource_metadata.metadata(Links(base_uri()), key)
        return respond(request_query().select_resource(entry))
