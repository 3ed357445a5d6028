"""Bodies, users and waits the volume tests share."""
import itertools
import time

import pytest

from api_support import CIMI

MIB_KIB = 1024
GIB_KIB = 1024 * 1024
_users = itertools.count()


def volume_create(name="test-volume", capacity=MIB_KIB, visibility=None, **attributes):
    body = {"resourceURI": CIMI + "VolumeCreate", "name": name, **attributes,
            "volumeTemplate": {"volumeConfig": {"capacity": capacity, "format": "raw"}}}
    if visibility is not None:
        body["visibility"] = visibility
    return body


@pytest.fixture
def volumes(cimi, backend):
    """Create volumes through the API; every one left is deleted at the end of the test."""
    created = []

    def create(body=None, client=None):
        result = (client or cimi).post("/cimi/volumes", body or volume_create())
        assert result.status == 201, result.document
        created.append(int(result.document["id"].rsplit("/", 1)[1]))
        return result.document

    yield create
    gateway = backend.gateway
    existing = {image.id for image in gateway.image_page().items}
    for image_id in created:
        if image_id in existing:
            gateway.image_delete(image_id)


@pytest.fixture(scope="session")
def other_user(onesim_server):
    """A second OpenNebula user in the users group, created by oneadmin; its session."""
    from app import create_app
    from app.one import gateway

    name = f"other{next(_users)}-{int(time.time())}"
    with create_app({"ONE_XMLRPC": onesim_server.endpoint}).app_context():
        gateway(onesim_server.admin_session).call("user.allocate", name, "secret", "", [])
    return f"{name}:secret"
