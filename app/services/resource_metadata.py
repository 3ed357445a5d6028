"""ResourceMetadata: what this server supports for each resource type it serves.

One entry per collection the Cloud Entry Point lists, named by the collection's key, written
from the type's declaration (`app.protocol.model`, the declarations in `schemas/`): its type
URI, its capabilities, the CIMI actions its resources accept, and every attribute with its
type, whether a client must give it, its description and the constraints on what a client
sends, read from the marshmallow fields that validate it, so what is advertised is what is
enforced.
"""
from marshmallow import fields, validate

from app.protocol.model import of_collection
from app.protocol.names import ACTION_URI, CIMI_NAMESPACE
from schemas.resource_metadata import RESOURCE_METADATA

TYPE_NAME = RESOURCE_METADATA.name
SEGMENT = RESOURCE_METADATA.collection
CAPABILITY_URI = CIMI_NAMESPACE + "/capability/"
_FIELD_TYPES = ((fields.Boolean, "boolean"), (fields.Integer, "integer"),
                (fields.Float, "double"), (fields.Dict, "map"), (fields.List, "array"),
                (fields.Nested, "ref"), (fields.DateTime, "dateTime"))


def metadata(links, entry_point_key):
    """The entry of the collection the Cloud Entry Point lists under `entry_point_key`."""
    resource = of_collection(entry_point_key)
    return RESOURCE_METADATA.document({
        "id": links.href(SEGMENT, entry_point_key),
        "name": resource.name,
        "typeUri": resource.uri,
        "attributes": [_attribute(name, declared) for name, declared in resource.fields.items()],
        "capabilities": [_capability(resource.name, capability)
                         for capability in resource.capabilities],
        "actions": [_action(name, description)
                    for name, description in resource.actions.items()],
    })


def _capability(type_name, capability):
    return {"uri": f"{CAPABILITY_URI}{type_name}/{capability.name}", "name": capability.name,
            "description": capability.description, "value": capability.value}


def _action(name, description):
    return {"uri": ACTION_URI + name, "name": name, "description": description,
            "method": "POST", "inputMessage": "application/json",
            "outputMessage": "application/json"}


def _attribute(name, declared):
    return {
        "name": name,
        "description": _description(declared),
        "namespace": CIMI_NAMESPACE,
        "type": next((type_name for kind, type_name in _FIELD_TYPES
                      if isinstance(declared, kind)), "string"),
        "required": bool(declared.required),
        "constraints": [constraint for validator in _validators(declared)
                        for constraint in _constraints(validator)],
    }


def _description(declared):
    """The field's description, saying so when only the server sets the attribute."""
    text = declared.metadata.get("description", "")
    units = declared.metadata.get("units")
    text = f"{text} Units: {units}." if units and units not in text else text
    return f"{text} Read-only." if declared.dump_only else text


def _validators(declared):
    return declared.validators if isinstance(declared.validators, list) else [declared.validators]


def _constraints(validator):
    """Constraint texts of one marshmallow validator; validators that say nothing a client
    could check beforehand (custom functions) give none."""
    if isinstance(validator, validate.Range):
        return [f"{bound}={value}" for bound, value in
                (("minimum", validator.min), ("maximum", validator.max)) if value is not None]
    if isinstance(validator, validate.Length):
        return [f"{bound}={value}" for bound, value in
                (("minLength", validator.min), ("maxLength", validator.max))
                if value is not None]
    if isinstance(validator, validate.OneOf):
        return ["values=" + ",".join(str(choice) for choice in validator.choices)]
    if isinstance(validator, validate.Regexp):
        return ["pattern=" + validator.regex.pattern]
    return []
