"""CIMI names: namespace, resource and action URIs, collections' member keys.

JSON names a list attribute in the plural (`volumes`), XML repeats one element per item under
the name the resource type declares (`<volume>`, `app.protocol.model`).

A collection's members are XML elements named by the member type (`<Machine>`); in JSON they
sit under the type's name in lower camel case and plural (`machines`), see `member_key`.
"""

CIMI_NAMESPACE = "http://schemas.dmtf.org/cimi/1"
# The header naming the Job that follows an accepted (202) or timed-out (504) operation.
JOB_URI_HEADER = "CIMI-Job-URI"
ACTION_URI = CIMI_NAMESPACE + "/action/"
COLLECTION_SUFFIX = "Collection"

# An item whose entries are XML attributes (`app.protocol.model`, `xml_attributes`) keeps its
# `value` entry as the element's text: `<capability name=".." uri="..">value</capability>`.
ITEM_TEXT = "value"


def resource_uri(type_name):
    """`resource_uri("Machine")` -> `http://schemas.dmtf.org/cimi/1/Machine`."""
    return f"{CIMI_NAMESPACE}/{type_name}"


def type_name(uri):
    """The type a resourceURI names: its last path segment."""
    return uri.rstrip("/").rpartition("/")[2]


def is_collection_uri(uri):
    return uri.endswith(COLLECTION_SUFFIX)


def member_type(collection_type):
    """`MachineCollection` -> `Machine`."""
    return collection_type[: -len(COLLECTION_SUFFIX)]



def member_key(member_type_name):
    """The JSON attribute holding a collection's members: `MachineImage` -> `machineImages`."""
    camel = member_type_name[:1].lower() + member_type_name[1:]
    if camel.endswith("Metadata"):
        return camel    # uncountable: ResourceMetadata entries sit under `resourceMetadata`
    if camel.endswith(("s", "x", "sh", "ch")):
        return camel + "es"
    if camel.endswith("y") and camel[-2:-1] not in "aeiou":
        return camel[:-1] + "ies"
    return camel + "s"

