"""The ResourceMetadata resource: what the server supports for one resource type. The server
writes it from the type's own declaration (`app.services.resource_metadata`); a client never
sends one.

In XML, DSP0263 writes each attribute, capability and action as one element whose entries
are XML attributes: `<capability name=".." uri=".." description="..">value</capability>`,
`<attribute name=".." ...><constraint>..</constraint></attribute>`, `<action name=".." .../>`.
"""
from marshmallow import Schema, fields

from app.protocol.model import Resource, described, listed, shown
from schemas.common import Attributes


class AttributeEntry(Schema):
    name = fields.String(metadata=described("The attribute's name."))
    description = fields.String(metadata=described("What it holds."))
    namespace = fields.String(metadata=described("The namespace of its name."))
    type = fields.String(metadata=described("Its type: string, integer, boolean, double, "
                                            "dateTime, map, array or ref."))
    required = fields.Boolean(metadata=described("Whether a client must give it."))
    constraints = listed(fields.String(), "constraint",
                         "What a value a client sends must satisfy (minimum=1, values=a,b, ...).")


class CapabilityEntry(Schema):
    name = fields.String(metadata=described("The capability's name."))
    uri = fields.String(metadata=described("The capability's URI."))
    description = fields.String(metadata=described("What it means."))
    value = fields.String(metadata=described("Its value here."))


class ActionEntry(Schema):
    name = fields.String(metadata=described("The action's name."))
    uri = fields.String(metadata=described("The action's URI, an operation's rel."))
    description = fields.String(metadata=described("What it does."))
    method = fields.String(metadata=described("The HTTP method that performs it."))
    inputMessage = fields.String(metadata=described("The media type of its request."))
    outputMessage = fields.String(metadata=described("The media type of its answer."))


class ResourceMetadataAttributes(Attributes):
    typeUri = shown(description="The URI of the resource type described.")
    attributes = listed(fields.Nested(AttributeEntry), "attribute",
                        "Every attribute of the type.", shown=True,
                        xml_attributes=("name", "description", "namespace", "type", "required"))
    capabilities = listed(fields.Nested(CapabilityEntry), "capability",
                          "What this server does for the type.", shown=True,
                          xml_attributes=("name", "uri", "description"))
    actions = listed(fields.Nested(ActionEntry), "action",
                     "The CIMI actions resources of the type accept.", shown=True,
                     xml_attributes=("name", "uri", "description", "method", "inputMessage",
                                     "outputMessage"))


RESOURCE_METADATA = Resource(
    "ResourceMetadata", ResourceMetadataAttributes,
    "What this server supports for one resource type.", collection="resourceMetadata")
