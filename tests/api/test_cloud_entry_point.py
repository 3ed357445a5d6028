"""The Cloud Entry Point lists exactly the collections this server serves."""
import pytest

from api_support import CIMI

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


def test_every_listed_collection_answers(cimi):
    document = cimi.get("/cimi/cloudEntryPoint").document
    for key in SERVED:
        assert cimi.get(document[key]["href"]).status == 200


def test_base_path_answers_with_the_entry_point(cimi, client):
    assert cimi.get("/cimi/").document == cimi.get("/cimi/cloudEntryPoint").document
    redirect = client.get("/cimi")
    assert redirect.status_code == 308
    assert redirect.headers["Location"].endswith("/cimi/")


@pytest.mark.parametrize("url", ["/cimi/swagger.json", "/swaggerui/droid-sans.css", "/cimi/systems"])
def test_no_restx_description_outside_docs_and_no_unimplemented_collections(cimi, url):
    """restx's swagger.json is off and its Swagger UI files are under <base>/docs only."""
    result = cimi.get(url)
    assert result.status == 404
    assert result.document["resourceURI"] == CIMI + "Error"
