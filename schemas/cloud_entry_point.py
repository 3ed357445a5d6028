"""The Cloud Entry Point: the server's base URI, and a reference to each collection it serves
(under the collection's key, one per declared resource type with a collection)."""
from app.protocol.model import Resource, shown
from schemas.common import Attributes


class CloudEntryPointAttributes(Attributes):
    baseURI = shown(description="The URI every href of this server starts with.")


CLOUD_ENTRY_POINT = Resource(
    "CloudEntryPoint", CloudEntryPointAttributes,
    "Where a client starts: the collections this server serves.", lists_collections=True)
