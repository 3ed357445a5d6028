"""Helpers of the query tests: the collections of the Cloud Entry Point, and reading them."""
from app import create_app
from app.cimi.cloud_entry_point import EXTENSION
from app.cimi.api import registered_collections


def collection_keys():
    """The Cloud Entry Point keys of every collection the application registers."""
    application = create_app({"TESTING": True})
    return [key for key, _ in registered_collections(application.extensions[EXTENSION])]


def parametrize_collections(metafunc):
    """A `pytest_generate_tests` running a test once per collection (`collection_key`)."""
    if "collection_key" in metafunc.fixturenames:
        metafunc.parametrize("collection_key", collection_keys())


def read(cimi, href, **params):
    result = cimi.get(href, params=params)
    assert result.status == 200, (href, params, result.document)
    return result.document


def members_of(document):
    """A collection document's members, whichever key holds them."""
    keys = [key for key, value in document.items()
            if isinstance(value, list) and key != "operations"]
    return document[keys[0]] if keys else []


def ids(document):
    return [member["id"] for member in members_of(document)]


def sub_collections(machine):
    """The hrefs of a machine document's sub-collections (disks, networkInterfaces, ...)."""
    prefix = machine["id"] + "/"
    return [value["href"] for value in machine.values()
            if isinstance(value, dict) and str(value.get("href", "")).startswith(prefix)]
