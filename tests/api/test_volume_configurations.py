"""VolumeConfigurations over the API, in JSON and XML: CRUD as OpenNebula documents, use by
reference in a VolumeCreate, and bad input."""
import pytest

from api_support import CIMI
from volume_support import (  # noqa: F401 (fixtures)
    GIB_KIB, MIB_KIB, create_document, other_user, volumes,
)

CONFIGURATIONS = "/cimi/volumeConfigs"


def configuration(name="small-disk", capacity=GIB_KIB, **attributes):
    return {"resourceURI": CIMI + "VolumeConfiguration", "name": name, "capacity": capacity,
            **attributes}


@pytest.fixture
def configurations(create_document):
    return lambda body: create_document(CONFIGURATIONS, body)


def test_create_read_list_update_delete(cimi, configurations):
    created = configurations(configuration("cfg", 2 * GIB_KIB, format="qcow2",
                                           description="two", properties={"k": "v"}))
    assert created["resourceURI"] == CIMI + "VolumeConfiguration"
    assert (created["capacity"], created["format"], created["type"]) == (
        2 * GIB_KIB, "qcow2", CIMI + "mapped")
    assert (created["description"], created["properties"]) == ("two", {"k": "v"})
    assert created["created"] and created["owner"] == cimi.user
    assert cimi.get(created["id"]).document == created
    listed = cimi.get(CONFIGURATIONS).document
    assert created["id"] in [member["id"] for member in listed["volumeConfigurations"]]
    updated = cimi.put(created["id"], configuration("cfg2", 3 * GIB_KIB))
    assert updated.status == 200
    assert (updated.document["name"], updated.document["capacity"],
            updated.document["format"]) == ("cfg2", 3 * GIB_KIB, "raw")
    assert "description" not in updated.document
    assert cimi.delete(created["id"]).status == 200
    assert cimi.get(created["id"]).status == 404


def test_a_volume_from_a_configuration_by_reference_with_an_override(cimi, configurations,
                                                                     volumes):
    created = configurations(configuration("sized", 4 * MIB_KIB, format="qcow2"))
    volume = volumes({"resourceURI": CIMI + "VolumeCreate", "name": "from-config",
                      "volumeTemplate": {"volumeConfig": {"href": created["id"]}}})
    assert (volume["capacity"], volume["format"]) == (4 * MIB_KIB, "qcow2")
    bigger = volumes({"resourceURI": CIMI + "VolumeCreate", "name": "from-config-bigger",
                      "volumeTemplate": {"volumeConfig": {"href": created["id"],
                                                          "capacity": 8 * MIB_KIB}}})
    assert (bigger["capacity"], bigger["format"]) == (8 * MIB_KIB, "qcow2")


def test_a_file_system_format_and_a_capacity_in_decimal_units(cimi, configurations, volumes):
    """A file system (ext3: OpenNebula's FS, on a raw volume) is a volume format, as CIMI's
    free-text format allows; a capacity that is not whole MiB is rounded up, never down."""
    created = configurations(configuration("ext3-disk", 1_000_000, format="ext3"))
    assert (created["capacity"], created["format"]) == (977 * MIB_KIB, "ext3")
    volume = volumes({"resourceURI": CIMI + "VolumeCreate", "name": "formatted",
                      "volumeTemplate": {"volumeConfig": {"href": created["id"]}}})
    assert (volume["capacity"], volume["format"]) == (977 * MIB_KIB, "ext3")
    assert cimi.get(volume["id"]).document["format"] == "ext3"


@pytest.mark.parametrize("body, message", [
    (configuration(capacity=0), "more than 0"),
    (configuration(capacity=-5), "more than 0"),
    (configuration(capacity=10**20), "at most"),
    (configuration(format="vdi"), "format must be one of"),
    (configuration(type="http://schemas.dmtf.org/cimi/1/unmapped"), "type must be"),
    ({"resourceURI": CIMI + "VolumeConfiguration", "capacity": MIB_KIB}, "name"),
])
def test_bad_configurations_are_refused(cimi, unchanged_backend, body, message):
    result = cimi.post(CONFIGURATIONS, body)
    assert result.status == 400
    assert message in result.document["message"]


def test_someone_elses_private_configuration_is_not_usable(cimi, configurations, other_user,
                                                          unchanged_backend):
    created = configurations(configuration("private-cfg"))
    stranger = cimi.as_user(other_user)
    result = stranger.post("/cimi/volumes", {
        "resourceURI": CIMI + "VolumeCreate", "name": "borrowed",
        "volumeTemplate": {"volumeConfig": {"href": created["id"]}}})
    assert result.status == 400
    assert "names no volume configuration you can use" in result.document["message"]
    assert stranger.delete(created["id"]).status == 404
