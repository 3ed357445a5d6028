"""A MachineCreate asking for a context or networks it cannot have is a 400 naming the attribute,
and leaves nothing behind in OpenNebula."""
import base64

import pytest

from credential_keys import ED25519_KEY, credential_create, other_user  # noqa: F401 (fixture)
from schemas.machine_context import MAX_USER_DATA_BYTES


def assert_refused(result, *fragments):
    assert result.status == 400, result.document
    for fragment in fragments:
        assert fragment in result.document["message"]


@pytest.mark.parametrize("user_data, fragment", [
    ("not base64!", "Not valid base64"),
    ("YWJj=", "Not valid base64"),
    ("YWJjZA", "Not valid base64"),
    (base64.b64encode(b"x" * (MAX_USER_DATA_BYTES + 1)).decode(), "At most 65536 bytes"),
])
def test_invalid_user_data(cimi, collection_href, machine_create, unchanged_backend,
                           user_data, fragment):
    result = cimi.post(collection_href("machines"), machine_create(userData=user_data))
    assert_refused(result, "machineTemplate.userData", fragment)


@pytest.mark.parametrize("key, fragment", [
    ("ssh-rsa AAAA", "truncated"),
    ("ssh-ed25519 !!!", "not valid base64"),
    ("hello", "not a supported key type"),
])
def test_malformed_key_by_value(cimi, collection_href, machine_create, unchanged_backend,
                                key, fragment):
    result = cimi.post(collection_href("machines"),
                       machine_create(credential={"publicKey": key}))
    assert_refused(result, "machineTemplate.credential.publicKey", fragment)


def test_a_credential_needs_an_href_or_a_key(cimi, collection_href, machine_create,
                                             unchanged_backend):
    result = cimi.post(collection_href("machines"), machine_create(credential={"name": "x"}))
    assert_refused(result, "machineTemplate.credential", "href or a publicKey")


@pytest.mark.parametrize("href, fragment", [
    ("networks/987654", "names no network you can use"),
    ("machines/0", "must be an href like"),
    ("http://elsewhere.example/cimi/networks/0", "must name a resource of this server"),
    ("networks/zero", "must be an href like"),
])
def test_unknown_or_foreign_network(cimi, collection_href, machine_create, unchanged_backend,
                                    href, fragment):
    base = collection_href("networks").rsplit("networks", 1)[0]
    absolute = href if "://" in href else base + href
    body = machine_create(networkInterfaces=[{"network": {"href": base + "networks/0"}},
                                             {"network": {"href": absolute}}])
    result = cimi.post(collection_href("machines"), body)
    assert_refused(result, "machineTemplate.networkInterfaces[1].network.href", fragment)


def test_an_interface_needs_a_network(cimi, collection_href, machine_create,
                                      unchanged_backend):
    result = cimi.post(collection_href("machines"),
                       machine_create(networkInterfaces=[{"network": {}}]))
    assert_refused(result, "networkInterfaces", "href")


@pytest.mark.parametrize("href, fragment", [
    ("credentials/987654", "names no credential you can use"),
    ("machineImages/0", "must be an href like"),
])
def test_unknown_credential(cimi, collection_href, machine_create, unchanged_backend,
                            href, fragment):
    base = collection_href("credentials").rsplit("credentials", 1)[0]
    result = cimi.post(collection_href("machines"),
                       machine_create(credential={"href": base + href}))
    assert_refused(result, "machineTemplate.credential.href", fragment)


def test_another_users_credential_cannot_be_used(cimi, collection_href, machine_create,
                                                 backend, other_user):
    created = cimi.post(collection_href("credentials"), credential_create(ED25519_KEY))
    assert created.status == 201
    href = created.document["id"]
    try:
        alice = cimi.as_user(other_user)
        vms_before = backend.owned_ids(backend.gateway.vm_page().items)
        result = alice.post(collection_href("machines"), machine_create(credential={"href": href}))
        assert_refused(result, "machineTemplate.credential.href", "no credential you can use")
        assert backend.owned_ids(backend.gateway.vm_page().items) == vms_before
    finally:
        assert cimi.delete(href).status == 200


def test_a_template_href_with_a_bad_override_leaves_nothing(cimi, collection_href, image_href,
                                                            backend):
    created = cimi.post(collection_href("machineTemplates"),
                        {"resourceURI": "http://schemas.dmtf.org/cimi/1/MachineTemplate",
                         "name": "override-me", "machineImage": {"href": image_href}})
    assert created.status == 201
    href = created.document["id"]
    try:
        vms_before = backend.owned_ids(backend.gateway.vm_page().items)
        base = collection_href("networks")
        result = cimi.post(collection_href("machines"), {
            "resourceURI": "http://schemas.dmtf.org/cimi/1/MachineCreate",
            "machineTemplate": {"href": href,
                                "networkInterfaces": [{"network": {"href": base + "/987654"}}]}})
        assert_refused(result, "machineTemplate.networkInterfaces[0].network.href")
        assert backend.owned_ids(backend.gateway.vm_page().items) == vms_before
    finally:
        assert cimi.delete(href).status == 200
