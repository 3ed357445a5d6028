"""The storage types show exactly what they declare (`app.protocol.model`), in JSON and XML: a
GET of a real Volume, VolumeConfiguration, VolumeTemplate, VolumeImage, MachineImage,
MachineVolume and MachineDisk has every declared attribute (but those the resource has no
value for) in the declared order and no other, and the ResourceMetadata entry of each
collection lists the declared attributes."""
import itertools
import time

import pytest

from api_support import CIMI, delete_images
from volume_support import MIB_KIB, create_document, volume_create, volumes  # noqa: F401
from schemas.machine_images import MACHINE_IMAGE
from schemas.volumes import (
    MACHINE_DISK, MACHINE_VOLUME, VOLUME, VOLUME_CONFIGURATION, VOLUME_IMAGE, VOLUME_TEMPLATE,
)

# What a client gives: every resource made here has a description and properties.
DESCRIBED = {"description": "declared", "properties": {"declared": "yes"}}
# Images carry their registration time only.
NEVER_UPDATED = {"updated"}
# A machine's parts have a name only, of the common attributes a client may give.
PART = {"description", "created", "updated", "properties"}
_names = itertools.count()


def unique(prefix):
    return f"{prefix}-{next(_names)}-{time.monotonic_ns()}"


def assert_declared(document, resource, absent=frozenset()):
    """`document` shows the attributes `resource` declares, in order, all but `absent`."""
    assert list(document) == [name for name in resource.fields if name not in absent]


def read(cimi, href):
    result = cimi.get(href)
    assert result.status == 200, result.document
    return result.document


@pytest.fixture
def volume(volumes, wait_for_state):
    created = volumes(volume_create(unique("declared"), **DESCRIBED))
    return wait_for_state(created["id"], "AVAILABLE")


@pytest.fixture
def volume_image(cimi, collection_href, volume, backend, wait_for_state):
    result = cimi.post(collection_href("volumeImages"), {
        "resourceURI": CIMI + "VolumeImage", "name": unique("declared-snapshot"),
        "volume": {"href": volume["id"]}, **DESCRIBED})
    assert result.status == 201, result.document
    yield wait_for_state(result.document["id"], "AVAILABLE")
    delete_images(backend.gateway, {int(result.document["id"].rsplit("/", 1)[1])})


@pytest.fixture
def volume_configuration(create_document, collection_href):
    return create_document(collection_href("volumeConfigs"), {
        "resourceURI": CIMI + "VolumeConfiguration", "name": unique("declared-config"),
        "capacity": MIB_KIB, "format": "raw", **DESCRIBED})


@pytest.fixture
def machine_image(cimi, collection_href, backend, wait_for_state):
    result = cimi.post(collection_href("machineImages"), {
        "resourceURI": CIMI + "MachineImage", "name": unique("declared-image"),
        "imageLocation": "https://images.example.org/declared.qcow2", **DESCRIBED})
    assert result.status == 201, result.document
    yield wait_for_state(result.document["id"], "AVAILABLE")
    delete_images(backend.gateway, {int(result.document["id"].rsplit("/", 1)[1])})


@pytest.fixture
def machine_with_volume(launched, machine_create, volume, wait_for_state):
    machine = launched(machine_create(volumes=[{"volume": {"href": volume["id"]}}])).document
    return wait_for_state(machine["id"], "STARTED")


def test_a_volume_shows_what_it_declares(cimi, volume):
    assert_declared(read(cimi, volume["id"]), VOLUME, NEVER_UPDATED)


def test_a_volume_configuration_shows_what_it_declares(cimi, volume_configuration):
    assert_declared(read(cimi, volume_configuration["id"]), VOLUME_CONFIGURATION)


def test_a_volume_template_shows_what_it_declares(cimi, create_document, collection_href,
                                                  volume_configuration, volume_image):
    template = create_document(collection_href("volumeTemplates"), {
        "resourceURI": CIMI + "VolumeTemplate", "name": unique("declared-template"),
        "volumeConfig": {"href": volume_configuration["id"]},
        "volumeImage": {"href": volume_image["id"]}, **DESCRIBED})
    assert_declared(read(cimi, template["id"]), VOLUME_TEMPLATE)


def test_a_volume_image_shows_what_it_declares(cimi, volume_image):
    assert_declared(read(cimi, volume_image["id"]), VOLUME_IMAGE, NEVER_UPDATED)


def test_a_machine_image_shows_what_it_declares(cimi, machine_image):
    # Only a captured image has a relatedImage: the image its machine was launched from.
    assert_declared(read(cimi, machine_image["id"]), MACHINE_IMAGE,
                    NEVER_UPDATED | {"relatedImage"})


def test_a_machine_volume_shows_what_it_declares(cimi, machine_with_volume):
    (attached,) = read(cimi, machine_with_volume["volumes"]["href"])["machineVolumes"]
    assert_declared(read(cimi, attached["id"]), MACHINE_VOLUME, PART)


def test_machine_disks_show_what_they_declare(cimi, machine_with_volume, volume):
    disks = read(cimi, machine_with_volume["disks"]["href"])["machineDisks"]
    (boot,) = [disk for disk in disks if "machineImage" in disk]
    (attached,) = [disk for disk in disks if "volume" in disk]
    assert attached["volume"]["href"] == volume["id"]
    # A disk is read-only: it offers no operation.
    assert_declared(read(cimi, boot["id"]), MACHINE_DISK, PART | {"operations", "volume"})
    assert_declared(read(cimi, attached["id"]), MACHINE_DISK,
                    PART | {"operations", "machineImage"})


@pytest.mark.parametrize("key, resource", [
    ("volumes", VOLUME), ("volumeConfigs", VOLUME_CONFIGURATION),
    ("volumeTemplates", VOLUME_TEMPLATE), ("volumeImages", VOLUME_IMAGE),
    ("machineImages", MACHINE_IMAGE),
])
def test_resource_metadata_lists_the_declared_attributes(cimi, entry_point, key, resource):
    entry = read(cimi, f"{entry_point['resourceMetadata']['href']}/{key}")
    assert entry["typeUri"] == resource.uri
    assert [attribute["name"] for attribute in entry["attributes"]] == list(resource.fields)
    writable = {attribute["name"] for attribute in entry["attributes"]
                if not attribute["description"].endswith("Read-only.")}
    assert writable == {name for name, declared in resource.fields.items()
                        if not declared.dump_only}
