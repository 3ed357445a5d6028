"""The Cloud Entry Point: the base URI and one reference per collection this server serves."""
from schemas.cloud_entry_point import CLOUD_ENTRY_POINT

TYPE_NAME = CLOUD_ENTRY_POINT.name
SEGMENT = "cloudEntryPoint"
NAME = "cimi-one"

# The collections of a CloudEntryPoint in the order DSP0263 gives its attributes (Sirocco's
# CloudEntryPoint and Deltacloud's CIMI tests keep it too), so that clients see the usual order.
SPECIFICATION_ORDER = (
    "resourceMetadata", "systems", "systemTemplates", "machines", "machineTemplates",
    "machineConfigs", "machineImages", "credentials", "credentialTemplates", "volumes",
    "volumeTemplates", "volumeConfigs", "volumeImages", "networks", "networkTemplates",
    "networkConfigs", "networkPorts", "networkPortTemplates", "networkPortConfigs", "addresses",
    "addressTemplates", "forwardingGroups", "forwardingGroupTemplates", "jobs", "meters",
    "meterTemplates", "meterConfigs", "eventLogs", "eventLogTemplates",
)
_POSITIONS = {key: position for position, key in enumerate(SPECIFICATION_ORDER)}


def listing_order(entry_point_key):
    """Sort key of a collection: the specification's order, then any other collection by key."""
    return (_POSITIONS.get(entry_point_key, len(_POSITIONS)), entry_point_key)


def entry_point(links, collections):
    """`collections` are (entry point key, path segment) pairs of the registered collections, in
    the order to list them (`listing_order`)."""
    return CLOUD_ENTRY_POINT.document({
        "id": links.href(SEGMENT),
        "name": NAME,
        "baseURI": links.base_uri,
        **{key: links.reference(segment) for key, segment in collections},
    })
