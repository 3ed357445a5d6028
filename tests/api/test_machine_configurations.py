"""MachineConfigurations: the installed instance types and users' own configurations."""
import pytest

from api_support import CIMI

INSTANCE_TYPES = {
    # name: (cpu, memory KiB, swap KiB)
    "t1.micro": (1, 128 * 1024, 512 * 1024),
    "m1.small": (1, 128 * 1024, 1024 * 1024),
    "c1.medium": (1, 256 * 1024, 1024 * 1024),
    "m1.large": (2, 512 * 1024, 1024 * 1024),
    "m1.xlarge": (2, 1024 * 1024, 1024 * 1024),
    "c1.xlarge": (4, 2048 * 1024, 2048 * 1024),
}


def configuration(name="my-config", cpu=2, memory=262144, disks=None, **extra):
    body = {"resourceURI": CIMI + "MachineConfiguration", "name": name, "cpu": cpu,
            "memory": memory, **extra}
    if disks is not None:
        body["disks"] = disks
    return body


@pytest.fixture
def own_configuration(cimi, collection_href, backend):
    """Create a configuration through the API; deleted (as admin) at the end of the test."""
    created = []

    def create(body=None):
        result = cimi.post(collection_href("machineConfigs"), body or configuration())
        assert result.status == 201, result.document
        created.append(int(result.document["id"].rsplit("/", 1)[1]))
        return result

    yield create
    for document_id in created:
        if document_id in backend.objects()["configurations"]:
            backend.gateway.document_delete(document_id)


def test_instance_types_are_listed(cimi, collection_href):
    result = cimi.get(collection_href("machineConfigs"))
    assert result.status == 200
    assert result.document["resourceURI"] == CIMI + "MachineConfigurationCollection"
    listed = {member["name"]: member for member in result.document["machineConfigurations"]}
    for name, (cpu, memory, swap) in INSTANCE_TYPES.items():
        member = listed[name]
        assert (member["cpu"], member["memory"]) == (cpu, memory)
        assert member["disks"] == [{"capacity": swap, "format": "swap"}]
        assert member["owner"] == "oneadmin"
        assert "operations" not in member     # oneadmin's: others may use, not edit


def test_m1_small_is_marked_default(cimi, collection_href):
    result = cimi.get(collection_href("machineConfigs"),
                      params={"$filter": "property['default']='true'"})
    assert [member["name"] for member in result.document["machineConfigurations"]] == ["m1.small"]


def test_installing_again_changes_nothing(onesim_server, backend, instance_types):
    from app.services.machine_configurations import install_instance_types

    before = backend.objects()["configurations"]
    assert install_instance_types(backend.gateway) == []
    assert backend.objects()["configurations"] == before


def test_create_read_update_delete(cimi, own_configuration):
    disks = [{"capacity": 2048, "format": "swap"},
             {"capacity": 10240, "format": "qcow2", "initialLocation": "vdc"}]
    created = own_configuration(configuration(
        description="two CPUs", properties={"team": "a"}, disks=disks))
    href = created.document["id"]
    assert created.headers["Location"] == href
    document = cimi.get(href).document
    assert document["name"] == "my-config"
    assert (document["cpu"], document["memory"]) == (2, 262144)
    assert document["disks"] == disks
    assert document["description"] == "two CPUs"
    assert document["properties"] == {"team": "a"}
    assert document["owner"] == cimi.user
    assert {operation["rel"] for operation in document["operations"]} == {"edit", "delete"}

    updated = cimi.put(href, configuration(name="renamed", cpu=4, memory=1048576))
    assert updated.status == 200
    assert (updated.document["name"], updated.document["cpu"]) == ("renamed", 4)
    assert "disks" not in updated.document and "description" not in updated.document
    assert updated.document["created"] == document["created"]

    assert cimi.delete(href).status == 200
    assert cimi.get(href).status == 404


def test_others_cannot_edit_the_instance_types(cimi, configuration_href, unchanged_backend):
    href = configuration_href("m1.small")
    assert cimi.put(href, configuration(name="m1.small", cpu=64)).status == 403
    assert cimi.delete(href).status == 403
    assert cimi.get(href).document["cpu"] == 1


@pytest.mark.parametrize("body, field", [
    (configuration(cpu=0), "cpu"),
    (configuration(cpu=-2), "cpu"),
    (configuration(cpu=1.5), "cpu"),
    (configuration(cpu="many"), "cpu"),
    (configuration(cpu=100000), "cpu"),
    (configuration(memory=0), "memory"),
    (configuration(memory=-1024), "memory"),
    (configuration(memory=1000), "memory"),
    (configuration(memory=2**60), "memory"),
    (configuration(disks=[{"capacity": 1024, "format": "vmdk"}]), "disks[0].format"),
    (configuration(disks=[{"format": "raw"}]), "disks[0].capacity"),
    (configuration(name=""), "name"),
    ({"resourceURI": CIMI + "MachineConfiguration", "cpu": 1, "memory": 1024}, "name"),
])
def test_invalid_configurations_are_refused(cimi, collection_href, unchanged_backend, body, field):
    result = cimi.post(collection_href("machineConfigs"), body)
    assert result.status == 400
    assert field in result.document["message"]


def test_unknown_configuration_is_404(cimi, collection_href):
    assert cimi.get(collection_href("machineConfigs") + "/99999").status == 404
    assert cimi.get(collection_href("machineConfigs") + "/m1.small").status == 404


def test_a_configuration_that_fails_halfway_is_removed(cimi, collection_href, onesim_server,
                                                       unchanged_backend):
    onesim_server.fail_next("one.document.info")
    result = cimi.post(collection_href("machineConfigs"), configuration())
    assert result.status == 502
