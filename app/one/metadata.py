"""Where CIMI's own metadata lives inside OpenNebula objects.

A machine keeps it in its USER_TEMPLATE, an image, a template or a document in its TEMPLATE,
always under the same two keys: `CIMI_DESCRIPTION` (the text as is) and `CIMI_PROPERTIES`
(the CIMI properties map as one compact JSON string, so any key and value survive).
"""
import json

from app.errors import BadRequest

DESCRIPTION = "CIMI_DESCRIPTION"
PROPERTIES = "CIMI_PROPERTIES"


def encode_metadata(description=None, properties=None):
    """Template attributes for a description and/or properties map; None leaves one out."""
    attributes = {}
    if description is not None:
        attributes[DESCRIPTION] = description
    if properties is not None:
        attributes[PROPERTIES] = encode_properties(properties)
    return attributes


def encode_properties(properties):
    if not isinstance(properties, dict) or not all(
            isinstance(key, str) and isinstance(value, str)
            for key, value in properties.items()):
        raise BadRequest("properties must map strings to strings.")
    return json.dumps(properties, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def description_of(template):
    """The CIMI description kept in a (USER_)TEMPLATE dict, or ''."""
    value = template.get(DESCRIPTION, "")
    return value if isinstance(value, str) else ""


def properties_of(template):
    """The CIMI properties kept in a (USER_)TEMPLATE dict, or {}.

    A value edited by hand in OpenNebula into something that is not a JSON object of
    strings is ignored rather than failing every read of the object.
    """
    raw = template.get(PROPERTIES)
    if not isinstance(raw, str):
        return {}
    try:
        properties = json.loads(raw)
    except ValueError:
        return {}
    if not isinstance(properties, dict):
        return {}
    return {key: value for key, value in properties.items() if isinstance(value, str)}
