"""Entity tags and conditional requests on the protocol's own test application, in both
formats: a tag per resource document, the same in JSON and XML; If-None-Match gives 304;
If-Match with a stale tag is 412 and the change never runs."""
import pytest

from app.protocol import require_current, respond
from app.protocol.conditional import entity_tag
from cimiclient import CimiTestClient
from protocol_app import build_app, thing_document

THING = "/cimi/things/7"


@pytest.fixture
def changes():
    return []


@pytest.fixture
def app(changes):
    application = build_app()

    def change():
        require_current(lambda: thing_document(7, {"name": "seven"}))
        changes.append("changed")
        return respond(None)

    application.add_url_rule("/cimi/things/7/change", "change", change, methods=["PUT"])
    return application


@pytest.fixture
def cimi(client, fmt, cimi_credentials):
    return CimiTestClient(client, fmt, cimi_credentials)


def current_tag(cimi):
    result = cimi.get(THING)
    assert result.status == 200
    return result.headers["ETag"]


def test_a_resource_carries_a_strong_tag_independent_of_the_format(client, cimi_credentials):
    tags = {fmt: current_tag(CimiTestClient(client, fmt, cimi_credentials))
            for fmt in ("json", "xml")}
    assert tags["json"] == tags["xml"]
    assert tags["json"].startswith('"') and not tags["json"].startswith("W/")


def test_documents_that_differ_have_different_tags():
    seven = {"resourceURI": "http://schemas.dmtf.org/cimi/1/Thing", "id": "things/7",
             "name": "seven"}
    assert entity_tag(seven) != entity_tag({**seven, "name": "eight"})
    assert entity_tag(seven) == entity_tag(dict(seven))


def test_collections_and_empty_answers_carry_no_tag(cimi):
    assert "ETag" not in cimi.get("/cimi/things").headers
    assert entity_tag(None) is None


@pytest.mark.parametrize("condition", ["{tag}", "W/{tag}", '"other", {tag}', "*"])
def test_if_none_match_with_the_current_tag_is_304_without_body(cimi, condition):
    tag = current_tag(cimi)
    result = cimi.get(THING, headers={"If-None-Match": condition.format(tag=tag)})
    assert result.status == 304
    assert result.document is None
    assert result.headers["ETag"] == tag


def test_if_none_match_with_another_tag_answers_the_resource(cimi):
    result = cimi.get(THING, headers={"If-None-Match": '"not-the-current-one"'})
    assert result.status == 200
    assert result.document["name"] == "seven"


@pytest.mark.parametrize("condition", ["{tag}", '"other", {tag}', "*"])
def test_if_match_with_the_current_tag_lets_the_change_run(cimi, changes, condition):
    tag = current_tag(cimi)
    result = cimi.put(THING + "/change", headers={"If-Match": condition.format(tag=tag)})
    assert result.status == 200
    assert changes == ["changed"]


@pytest.mark.parametrize("condition", ['"stale"', "W/{tag}"])
def test_if_match_with_a_stale_or_weak_tag_is_412_and_changes_nothing(cimi, changes, condition):
    tag = current_tag(cimi)
    result = cimi.put(THING + "/change", headers={"If-Match": condition.format(tag=tag)})
    assert result.status == 412
    assert result.document["status"] == 412
    assert "If-Match" in result.document["message"]
    assert changes == []


def test_without_if_match_the_change_runs(cimi, changes):
    assert cimi.put(THING + "/change").status == 200
    assert changes == ["changed"]
