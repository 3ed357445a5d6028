"""The Cloud Entry Point: the base URI and one reference per collection this server serves."""
from app.protocol.names import resource_uri

TYPE_NAME = "CloudEntryPoint"
SEGMENT = "cloudEntryPoint"
NAME = "cimi-one"


def entry_point(links, collections):
    """`collections` are (entry point key, path segment) pairs of the registered collections."""
    document = {
        "resourceURI": resource_uri(TYPE_NAME),
        "id": links.href(SEGMENT),
        "name": NAME,
        "baseURI": links.base_uri,
    }
    for key, segment in collections:
        document[key] = links.reference(segment)
    return document
