"""The Cloud Entry Point lists exactly the collections this server serves."""
import pytest

from api_support import CIMI

from app.services.cloud_entry_point import listing_order

SERVED = {"machines", "machineTemplates", "machineConfigs", "machineImages", "credentials",
          "networks", "addresses", "jobs", "eventLogs", "volumes", "volumeTemplates",
          "volumeConfigs", "volumeImages", "resourceMetadata"}


def test_entry_point_lists_the_registered_collections(cimi):
    result = cimi.get("/cimi/cloudEntryPoint")
    assert result.status == 200
    document = result.document
    assert document["resourceURI"] == CIMI + "CloudEntryPoint"
    assert document["id"] == "http://localhost/cimi/cloudEntryPoint"
    assert document["baseURI"] == "http://localhost/cimi/"
    references = {key for key, value in document.items() if isinstance(value, dict)}
    assert references == SERVED
    for key in SERVED:
        assert document[key]["href"].startswith(document["baseURI"])

# DSP0263's CloudEntryPoint order, whatever the order in which the resource modules are found.
IN_SPECIFICATION_ORDER = ["resourceMetadata", "machines", "machineTemplates", "machineConfigs",
                          "machineImages", "credentials", "volumes", "volumeTemplates",
                          "volumeConfigs", "volumeImages", "networks", "addresses", "jobs",
                          "eventLogs"]


def test_collections_are_listed_in_the_specification_order(cimi):
    document = cimi.get("/cimi/cloudEntryPoint").document
    assert [key for key, value in document.items() if isinstance(value, dict)] == \
        IN_SPECIFICATION_ORDER
    metadata = cimi.get("/cimi/resourceMetadata").document["resourceMetadata"]
    assert [entry["id"].rsplit("/", 1)[1] for entry in metadata] == IN_SPECIFICATION_ORDER


def test_collections_the_specification_does_not_name_come_last_by_key():
    keys = ["zones", "jobs", "accounts", "machines"]
    assert sorted(keys, key=listing_order) == ["machines", "jobs", "accounts", "zones"]


def test_every_listed_collection_answers(cimi):
    document = cimi.get("/cimi/cloudEntryPoint").document
    for key in SERVED:
        assert cimi.get(document[key]["href"]).status == 200


def test_base_path_answers_with_the_entry_point(cimi, client):
    assert cimi.get("/cimi/").document == cimi.get("/cimi/cloudEntryPoint").document
    redirect = client.get("/cimi")
    assert redirect.status_code == 308
    assert redirect.headers["Location"].endswith("/cimi/")


@pytest.mark.parametrize("url", ["/cimi/swagger.json", "/swaggerui/swagger.json", "/cimi/systems"])
def test_no_restx_description_outside_docs_and_no_unimplemented_collections(cimi, url):
    """restx's swagger.json is off, and it serves no file its Swagger UI lacks."""
    result = cimi.get(url)
    assert result.status == 404
    assert result.document["resourceURI"] == CIMI + "Error"
