"""CIMI names: namespace, resource and action URIs, and the XML element names of lists.

JSON names a list attribute in the plural (`volumes`), XML repeats one element per item under
the singular name (`<volume>`). `SINGULAR_ELEMENTS` is the one table of those names; the
renderer writes them and the XML parser reads them back into lists. A list attribute missing
from the table is written as repeated elements carrying the attribute's own name.

A collection's members are XML elements named by the member type (`<Machine>`); in JSON they
sit under the type's name in lower camel case and plural (`machines`), see `member_key`.
"""

CIMI_NAMESPACE = "http://schemas.dmtf.org/cimi/1"
# The header naming the Job that follows an accepted (202) or timed-out (504) operation.
JOB_URI_HEADER = "CIMI-Job-URI"
ACTION_URI = CIMI_NAMESPACE + "/action/"
COLLECTION_SUFFIX = "Collection"

SINGULAR_ELEMENTS = {
    "properties": "property",
    "operations": "operation",
    "actions": "action",
    "attributes": "attribute",
    "capabilities": "capability",
    "constraints": "constraint",
    "eventLogTemplates": "eventLogTemplate",
    "meters": "meter",
    "meterTemplates": "meterTemplate",
    "networkInterfaceTemplates": "networkInterfaceTemplate",
    "sshKeys": "sshKey",
    "volumeTemplates": "volumeTemplate",
}
PLURAL_ATTRIBUTES = {element: attribute for attribute, element in SINGULAR_ELEMENTS.items()}
# Types with a single-valued attribute named like another type's list item (a MachineVolume's,
# MachineDisk's or VolumeImage's `volume` reference, a MachineTemplate's `<volume>` items):
# read without a schema, such an element inside these types stays single.
SINGLE_VALUED_ELEMENTS = {
    "Action": {"action"},
    "MachineDisk": {"volume"},
    "MachineVolume": {"volume"},
    "VolumeImage": {"volume"},
}
# Lists whose items XML writes as attributes of one element per item, as DSP0263 renders
# ResourceMetadata: `<capability name=".." uri=".." description="..">value</capability>`,
# `<attribute name=".." ...><constraint>..</constraint></attribute>`, `<action name=".." .../>`.
# The item's `value` (ITEM_TEXT) is the element's text; its other entries are child elements.
ATTRIBUTE_ITEMS = {
    "ResourceMetadata": {
        "attributes": ("name", "description", "namespace", "type", "required"),
        "capabilities": ("name", "uri", "description"),
        "actions": ("name", "uri", "description", "method", "inputMessage", "outputMessage"),
    },
}
ITEM_TEXT = "value"
TEXT_VALUED_ELEMENTS = {"capability"}


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


def singular(attribute):
    return SINGULAR_ELEMENTS.get(attribute, attribute)


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


_IRREGULAR_TYPES = {"machineConfigs": "MachineConfiguration",
                    "volumeConfigs": "VolumeConfiguration",
                    "networkConfigs": "NetworkConfiguration",
                    "resourceMetadata": "ResourceMetadata"}


def type_name_of(entry_point_key):
    """TRANSITION"""
    if entry_point_key in _IRREGULAR_TYPES:
        return _IRREGULAR_TYPES[entry_point_key]
    if entry_point_key.endswith("sses"):
        singular = entry_point_key[:-2]
    elif entry_point_key.endswith("s"):
        singular = entry_point_key[:-1]
    else:
        singular = entry_point_key
    return singular[:1].upper() + singular[1:]
