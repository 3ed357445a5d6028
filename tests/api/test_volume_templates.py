"""VolumeTemplates over the API, in JSON and XML: CRUD as OpenNebula documents (a
configuration by reference or by value, an optional volume image), use by reference in a
VolumeCreate, and bad input."""
import pytest

from api_support import CIMI
from volume_support import MIB_KIB, create_document, volumes  # noqa: F401 (fixtures)

TEMPLATES = "/cimi/volumeTemplates"


def template(name="tpl", **attributes):
    return {"resourceURI": CIMI + "VolumeTemplate", "name": name, **attributes}


@pytest.fixture
def templates(create_document):
    return lambda body: create_document(TEMPLATES, body)


def test_create_read_list_update_delete(cimi, templates):
    created = templates(template("by-value", description="d",
                                 volumeConfig={"capacity": 2 * MIB_KIB, "format": "qcow2"}))
    assert created["resourceURI"] == CIMI + "VolumeTemplate"
    assert created["volumeConfig"] == {"capacity": 2 * MIB_KIB, "format": "qcow2"}
    assert cimi.get(created["id"]).document == created
    listed = cimi.get(TEMPLATES).document["volumeTemplates"]
    assert created["id"] in [member["id"] for member in listed]
    updated = cimi.put(created["id"], template("renamed", volumeConfig={"capacity": MIB_KIB}))
    assert updated.status == 200
    assert (updated.document["name"], updated.document["volumeConfig"]) == (
        "renamed", {"capacity": MIB_KIB})
    assert cimi.delete(created["id"]).status == 200
    assert cimi.get(created["id"]).status == 404


def test_a_volume_from_a_template_by_reference(templates, create_document, volumes):
    configuration = create_document("/cimi/volumeConfigs", {
        "resourceURI": CIMI + "VolumeConfiguration", "name": "tpl-config",
        "capacity": 3 * MIB_KIB})
    created = templates(template("by-reference", volumeConfig={"href": configuration["id"]}))
    assert created["volumeConfig"] == {"href": configuration["id"]}
    volume = volumes({"resourceURI": CIMI + "VolumeCreate", "name": "from-template",
                      "volumeTemplate": {"href": created["id"]}})
    assert (volume["capacity"], volume["format"]) == (3 * MIB_KIB, "raw")


@pytest.mark.parametrize("body, message", [
    (template(), "volumeConfig or a volumeImage"),
    (template(volumeConfig={"capacity": 0}), "more than 0"),
    (template(volumeConfig={"capacity": MIB_KIB, "format": "iso"}), "format must be one of"),
    (template(volumeConfig={"href": "http://localhost/cimi/volumeConfigs/999999"}),
     "names no volume configuration"),
    (template(volumeImage={"href": "http://localhost/cimi/volumes/0"}), "volumeImages/<id>"),
])
def test_bad_templates_are_refused(cimi, unchanged_backend, body, message):
    result = cimi.post(TEMPLATES, body)
    assert result.status == 400
    assert message in result.document["message"]
