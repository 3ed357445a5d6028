"""Credentials: users' SSH public keys, private to their owner, with a default key."""
import base64

import pytest
from hypothesis import given, settings, strategies

from app.one import parse
from app.one.documents import CREDENTIAL
from api_support import CIMI
from credential_keys import (ECDSA_KEY, ED25519_KEY, RSA_KEY, credential_create, fresh_key,
                             other_user)  # noqa: F401 (fixture)


@pytest.fixture
def own_credential(cimi, collection_href, backend):
    """Create credentials through the API; deleted (as admin) at the end of the test, with the
    demo user's SSH_PUBLIC_KEY put back as it was."""
    created = []
    key_before = demo_user_key(backend)

    def create(body):
        result = cimi.post(collection_href("credentials"), body)
        assert result.status == 201, result.document
        created.append(int(result.document["id"].rsplit("/", 1)[1]))
        return result

    yield create
    for document_id in created:
        if document_id in credential_ids(backend):
            backend.gateway.document_delete(document_id)
    backend.gateway.user_update(demo_user(backend).id, {"SSH_PUBLIC_KEY": key_before})


def credential_ids(backend):
    return backend.owned_ids(backend.gateway.document_page(CREDENTIAL).items)


def demo_user(backend):
    (demo,) = [user for user in parse.pool(backend.gateway.call("userpool.info"), parse.user)
               if user.name == backend.demo_name]
    return demo


def demo_user_key(backend):
    return demo_user(backend).template.get("SSH_PUBLIC_KEY")


def test_the_entry_point_lists_credentials(entry_point):
    assert entry_point["credentials"]["href"].endswith("/credentials")


@pytest.mark.parametrize("key", [ED25519_KEY, RSA_KEY, ECDSA_KEY])
def test_create_read_update_delete(cimi, own_credential, backend, key):
    created = own_credential(credential_create(key, name="laptop", description="my key",
                                               properties={"where": "home"}))
    href = created.document["id"]
    assert created.headers["Location"] == href
    document = cimi.get(href).document
    assert document["resourceURI"] == CIMI + "Credential"
    assert (document["name"], document["description"]) == ("laptop", "my key")
    assert document["properties"] == {"where": "home"}
    assert document["publicKey"] == key
    assert document["owner"] == cimi.user
    assert {operation["rel"] for operation in document["operations"]} == {"edit", "delete"}
    assert "created" in document and "updated" in document

    listed = cimi.get(cimi_collection(href)).document
    assert href in [member["id"] for member in listed["credentials"]]

    replacement = fresh_key("other@host")
    result = cimi.put(href, {"resourceURI": CIMI + "Credential", "publicKey": replacement})
    assert result.status == 200, result.document
    assert result.document["publicKey"] == replacement
    assert result.document["name"] == "laptop"                  # left out, so kept
    assert result.document["properties"] == {"where": "home"}

    assert cimi.delete(href).status == 200
    assert cimi.get(href).status == 404
    assert int(href.rsplit("/", 1)[1]) not in credential_ids(backend)


def cimi_collection(href):
    return href.rsplit("/", 1)[0]


def test_the_template_name_and_then_the_key_comment_name_a_credential(cimi, own_credential):
    body = credential_create(ED25519_KEY)
    body["credentialTemplate"]["name"] = "from-template"
    assert own_credential(body).document["name"] == "from-template"
    assert own_credential(credential_create(ED25519_KEY)).document["name"] == "alice@laptop"
    assert own_credential(credential_create(ECDSA_KEY)).document["name"] == "ssh-key"


def test_several_keys_one_per_line(cimi, own_credential):
    keys = f"{ED25519_KEY}\n\n{RSA_KEY}\n"
    created = own_credential(credential_create(keys))
    assert created.document["publicKey"] == f"{ED25519_KEY}\n{RSA_KEY}"


@pytest.mark.parametrize("key, message", [
    ("", "at least one"),
    ("ssh-dss AAAAB3NzaC1kc3MAAACBAP", "not a supported key type"),
    ("ssh-ed25519", "no base64 key data"),
    ("ssh-ed25519 AAAA%%%%", "not valid base64"),
    ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIM6YS7PiP", "not valid base64"),
    (ED25519_KEY.replace("ssh-ed25519", "ssh-rsa", 1), "is for 'ssh-ed25519', not ssh-rsa"),
    ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIM6YS7PiP/ny8Gs13vXpGJauxda6GuDzrVSv5CTN+rgvAAAA",
     "truncated"),
    (ED25519_KEY + " $UNAME", "must not contain control characters or '$'"),
    ("from=\"10.0.0.1\" " + ED25519_KEY, "not a supported key type"),
    (f"{ED25519_KEY}\nnot-a-key", "key 2: 'not-a-key' is not a supported key type"),
])
def test_malformed_keys_are_refused_saying_why(cimi, collection_href, unchanged_backend,
                                                key, message):
    before = credential_ids(unchanged_backend)
    result = cimi.post(collection_href("credentials"), credential_create(key))
    assert result.status == 400
    assert "credentialTemplate.publicKey" in result.document["message"]
    assert message in result.document["message"]
    assert credential_ids(unchanged_backend) == before


def test_blob_checks():
    from credential_keys import blob_key
    from schemas.credentials import check_public_keys
    from marshmallow import ValidationError

    short = blob_key(b"\x01" * 16)
    with pytest.raises(ValidationError, match="Ed25519 key is 32 bytes"):
        check_public_keys(short)
    with pytest.raises(ValidationError, match="malformed .it holds 2 fields"):
        check_public_keys(blob_key(b"\x01" * 32, b"extra"))
    weak = blob_key(b"\x01\x00\x01", b"\x00" + b"\xff" * 64, key_type="ssh-rsa")
    with pytest.raises(ValidationError, match="at least 1024 bits"):
        check_public_keys(weak)
    wrong_curve = blob_key(b"nistp256", b"\x04" + b"\x01" * 96, key_type="ecdsa-sha2-nistp384")
    with pytest.raises(ValidationError, match="names another curve"):
        check_public_keys(wrong_curve)
    with pytest.raises(ValidationError, match="At most 32 keys"):
        check_public_keys("\n".join([ED25519_KEY] * 33))
    with pytest.raises(ValidationError, match="at most 8192 characters"):
        check_public_keys(ED25519_KEY + " " + "c" * 8192)


def test_a_key_is_required_and_templates_are_by_value(cimi, collection_href, unchanged_backend):
    href = collection_href("credentials")
    result = cimi.post(href, {"resourceURI": CIMI + "CredentialCreate", "name": "x"})
    assert result.status == 400 and "credentialTemplate" in result.document["message"]
    result = cimi.post(href, {"resourceURI": CIMI + "CredentialCreate",
                              "credentialTemplate": {"href": href + "Templates/1"}})
    assert result.status == 400 and "by value" in result.document["message"]


def test_a_malformed_key_in_a_put_changes_nothing(cimi, own_credential):
    href = own_credential(credential_create(ED25519_KEY)).document["id"]
    result = cimi.put(href, {"resourceURI": CIMI + "Credential", "publicKey": "ssh-rsa AAAA"})
    assert result.status == 400
    assert cimi.get(href).document["publicKey"] == ED25519_KEY


def test_unknown_credentials_are_404(cimi, collection_href):
    href = collection_href("credentials") + "/987654"
    assert cimi.get(href).status == 404
    assert cimi.put(href, {"resourceURI": CIMI + "Credential", "name": "x"}).status == 404
    assert cimi.delete(href).status == 404


def test_nobody_else_sees_edits_or_deletes_a_credential(cimi, own_credential, other_user,
                                                        opennebula):
    """Another user, and an administrator too: a credential is its owner's only."""
    href = own_credential(credential_create(ED25519_KEY)).document["id"]
    for session in (other_user, opennebula.admin_session):
        alice = cimi.as_user(session)
        assert alice.get(href).status == 404
        assert alice.put(href, {"resourceURI": CIMI + "Credential", "name": "mine"}).status == 404
        assert alice.delete(href).status == 404
        listed = alice.get(cimi_collection(href)).document
        assert href not in [member["id"] for member in listed.get("credentials", [])]
    assert cimi.get(href).document["name"] == "alice@laptop"


def test_the_default_credential_is_the_users_ssh_public_key(cimi, own_credential, backend):
    assert demo_user_key(backend) is None
    first_key, second_key = fresh_key("first"), fresh_key("second")
    first = own_credential(credential_create(first_key, properties={"default": "true"}))
    assert demo_user_key(backend) == first_key
    second = own_credential(credential_create(second_key, properties={"default": "true"}))
    assert demo_user_key(backend) == second_key
    assert cimi.get(first.document["id"]).document.get("properties", {}) == {}

    third_key = fresh_key("third")
    cimi.put(second.document["id"], {"resourceURI": CIMI + "Credential", "publicKey": third_key})
    assert demo_user_key(backend) == third_key
    cimi.put(second.document["id"], {"resourceURI": CIMI + "Credential",
                                      "properties": {"default": "false"}})
    assert demo_user_key(backend) is None

    cimi.put(first.document["id"], {"resourceURI": CIMI + "Credential",
                                     "properties": {"default": "true"}})
    assert demo_user_key(backend) == first_key
    assert cimi.delete(first.document["id"]).status == 200
    assert demo_user_key(backend) is None


def test_credentials_are_listed_newest_first_and_page(cimi, own_credential, collection_href):
    older = own_credential(credential_create(fresh_key("older"))).document["id"]
    newer = own_credential(credential_create(fresh_key("newer"))).document["id"]
    href = collection_href("credentials")
    listed = [member["id"] for member in cimi.get(href).document["credentials"]]
    assert listed.index(newer) < listed.index(older)
    page = cimi.get(href, params={"$first": "1", "$last": "1"}).document
    assert [member["id"] for member in page["credentials"]] == [newer]
    assert page["count"] == len(listed)
    found = cimi.get(href, params={"$filter": "name='older'"}).document["credentials"]
    assert [member["id"] for member in found] == [older]


@settings(max_examples=300, deadline=None)
@given(text=strategies.text(max_size=300)
       | strategies.builds(lambda kind, blob, comment: f"{kind} {blob} {comment}",
                           strategies.sampled_from(["ssh-ed25519", "ssh-rsa",
                                                    "ecdsa-sha2-nistp256", "sk-ssh-ed25519@openssh.com"]),
                           strategies.binary(max_size=120).map(
                               lambda data: base64.b64encode(data).decode()),
                           strategies.text(max_size=20)))
def test_any_text_is_a_checked_key_or_a_reason(text):
    from marshmallow import ValidationError
    from schemas.credentials import check_public_keys

    try:
        keys = check_public_keys(text)
    except ValidationError as refusal:
        assert refusal.messages and all(isinstance(message, str) for message in refusal.messages)
    else:
        assert keys and all(line.split()[0] in text for line in keys.splitlines())
