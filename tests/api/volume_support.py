"""Bodies, users and fixtures the volume tests share."""
import contextlib

import pytest

from api_support import CIMI, delete_images, terminate_all
from app.errors import DomainError

MIB_KIB = 1024
GIB_KIB = 1024 * 1024


def volume_create(name="test-volume", capacity=MIB_KIB, visibility=None, **attributes):
    body = {"resourceURI": CIMI + "VolumeCreate", "name": name, **attributes,
            "volumeTemplate": {"volumeConfig": {"capacity": capacity, "format": "raw"}}}
    if visibility is not None:
        body["visibility"] = visibility
    return body


@pytest.fixture
def volumes(cimi, backend):
    """Create volumes through the API; every one left is deleted at the end of the test,
    after the machines still using it."""
    created = []

    def create(body=None, client=None):
        result = (client or cimi).post("/cimi/volumes", body or volume_create())
        assert result.status == 201, result.document
        created.append(int(result.document["id"].rsplit("/", 1)[1]))
        return result.document

    yield create
    gateway = backend.gateway
    left = [image for image in gateway.image_page().items if image.id in created]
    terminate_all(gateway, {vm_id for image in left for vm_id in image.vm_ids})
    delete_images(gateway, {image.id for image in left})


@pytest.fixture
def create_document(cimi, backend):
    """POST a document-backed resource (configuration, template) to `collection`; each one
    created is deleted at the end of the test."""
    created = []

    def create(collection, body):
        result = cimi.post(collection, body)
        assert result.status == 201, result.document
        assert result.headers["Location"] == result.document["id"]
        created.append(int(result.document["id"].rsplit("/", 1)[1]))
        return result.document

    yield create
    for document_id in created:
        with contextlib.suppress(DomainError):
            backend.gateway.document_delete(document_id)


@pytest.fixture(scope="session")
def other_user(opennebula):
    """A second OpenNebula user in the users group, created by oneadmin; its session."""
    return opennebula.user_session("volumes-other")
