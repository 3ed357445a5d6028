"""Entity tags and conditional requests on real resources, in JSON and XML: machines and
machine configurations carry a tag that follows their changes; If-None-Match answers 304;
If-Match with a stale tag is 412 and leaves the resource as it was."""
import pytest

from api_support import CIMI
from query_support import members_of


@pytest.fixture
def machine(launched, machine_create):
    """A held machine: it stays STOPPED, so only the test's own requests change it."""
    return launched(machine_create(initialState="STOPPED")).document["id"]


@pytest.fixture
def configuration(cimi, collection_href, backend):
    body = {"resourceURI": CIMI + "MachineConfiguration", "name": "etag-config", "cpu": 1,
            "memory": 131072}
    result = cimi.post(collection_href("machineConfigs"), body)
    assert result.status == 201, result.document
    yield result.document["id"]
    document_id = int(result.document["id"].rsplit("/", 1)[1])
    if document_id in backend.objects()["configurations"]:
        backend.gateway.document_delete(document_id)


def machine_edit(**values):
    return {"resourceURI": CIMI + "Machine", **values}


def test_a_machine_has_the_same_tag_in_both_formats_until_it_changes(cimi, machine, client,
                                                                     cimi_credentials):
    first = cimi.get(machine)
    other_format = cimi.__class__(client, "xml" if cimi.fmt == "json" else "json",
                                  cimi_credentials).get(machine)
    assert first.headers["ETag"] == other_format.headers["ETag"]
    edited = cimi.put(machine, machine_edit(description="a new description"))
    assert edited.status == 200
    assert edited.headers["ETag"] != first.headers["ETag"]
    assert cimi.get(machine).headers["ETag"] == edited.headers["ETag"]


def test_if_none_match_is_304_until_the_machine_changes(cimi, machine):
    tag = cimi.get(machine).headers["ETag"]
    unchanged = cimi.get(machine, headers={"If-None-Match": tag})
    assert unchanged.status == 304 and unchanged.document is None
    cimi.put(machine, machine_edit(description="changed meanwhile"))
    changed = cimi.get(machine, headers={"If-None-Match": tag})
    assert changed.status == 200
    assert changed.document["description"] == "changed meanwhile"


def test_put_with_a_stale_tag_is_412_and_changes_nothing(cimi, machine):
    stale = cimi.get(machine).headers["ETag"]
    assert cimi.put(machine, machine_edit(description="first")).status == 200
    refused = cimi.put(machine, machine_edit(description="second"),
                       headers={"If-Match": stale})
    assert refused.status == 412
    assert refused.document["status"] == 412
    assert cimi.get(machine).document["description"] == "first"


def test_put_with_the_current_tag_updates(cimi, machine):
    tag = cimi.get(machine).headers["ETag"]
    result = cimi.put(machine, machine_edit(description="checked"), headers={"If-Match": tag})
    assert result.status == 200
    assert result.document["description"] == "checked"


def test_delete_with_a_stale_tag_is_412_and_keeps_the_machine(cimi, machine):
    refused = cimi.delete(machine, headers={"If-Match": '"stale"'})
    assert refused.status == 412
    assert cimi.get(machine).status == 200


def test_if_match_on_a_machine_that_does_not_exist_is_404(cimi, collection_href):
    result = cimi.put(collection_href("machines") + "/999999", machine_edit(name="x"),
                      headers={"If-Match": "*"})
    assert result.status == 404


def test_configuration_update_and_delete_follow_if_match(cimi, configuration):
    tag = cimi.get(configuration).headers["ETag"]
    body = {"resourceURI": CIMI + "MachineConfiguration", "name": "etag-renamed", "cpu": 2,
            "memory": 262144}
    assert cimi.put(configuration, body, headers={"If-Match": '"stale"'}).status == 412
    assert cimi.get(configuration).document["name"] == "etag-config"
    updated = cimi.put(configuration, body, headers={"If-Match": tag})
    assert updated.status == 200 and updated.document["name"] == "etag-renamed"
    assert cimi.delete(configuration, headers={"If-Match": tag}).status == 412
    current = updated.headers["ETag"]
    assert cimi.delete(configuration, headers={"If-Match": current}).status == 200
    assert cimi.get(configuration).status == 404


def test_collections_carry_no_tag(cimi, collection_href):
    assert "ETag" not in cimi.get(collection_href("machines")).headers


@pytest.fixture
def every_collection(entry_point, machine):
    """The Cloud Entry Point's collections, with a held machine among the members."""
    return [value["href"] for value in entry_point.values()
            if isinstance(value, dict) and "href" in value]


def test_every_member_of_every_collection_is_tagged_and_refuses_stale_changes(
        cimi, every_collection):
    for href in every_collection:
        members = members_of(cimi.get(href).document)
        if not members:
            continue
        member = members[0]
        current = cimi.get(member["id"])
        if current.status != 200:
            continue        # a member a GET cannot read (e.g. gone since the listing)
        tag = current.headers["ETag"]
        assert cimi.get(member["id"], headers={"If-None-Match": tag}).status in (200, 304)
        offered = {operation["rel"] for operation in current.document.get("operations", [])}
        for method, rel in (("PUT", "edit"), ("DELETE", "delete")):
            if rel in offered:
                refused = cimi.request(method, member["id"], body=current.document
                                       if method == "PUT" else None,
                                       headers={"If-Match": '"stale"'})
                assert refused.status == 412, (method, member["id"], refused.document)
        assert cimi.get(member["id"]).status == 200
