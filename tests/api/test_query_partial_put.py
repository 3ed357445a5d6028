"""PUT with `$select`, in JSON and XML: only the selected attributes change; a selected
description or properties the body leaves out is emptied; selecting an attribute that cannot
be emptied without giving it is a 400 that changes nothing."""
import pytest

from api_support import CIMI
from volume_support import volume_create, volumes  # noqa: F401 (fixture)


@pytest.fixture
def volume(volumes):  # noqa: F811 (the fixture imported above)
    return volumes(volume_create(name="partial", description="before",
                                 properties={"kept": "yes"}))["id"]


def edit(**values):
    return {"resourceURI": CIMI + "Volume", **values}


def test_only_the_selected_attribute_changes(cimi, volume):
    body = edit(name="ignored", description="after", properties={"other": "value"})
    result = cimi.put(volume, body, params={"$select": "description"})
    assert result.status == 200, result.document
    current = cimi.get(volume).document
    assert (current["name"], current["description"], current["properties"]) == (
        "partial", "after", {"kept": "yes"})


def test_selected_attributes_the_body_leaves_out_are_emptied(cimi, volume):
    result = cimi.put(volume, edit(), params={"$select": "description,properties"})
    assert result.status == 200, result.document
    current = cimi.get(volume).document
    assert current["name"] == "partial"
    assert not current.get("description") and not current.get("properties")


def test_selecting_an_attribute_that_cannot_be_emptied_is_400(cimi, volume):
    result = cimi.put(volume, edit(description="never"), params={"$select": "name,description"})
    assert result.status == 400
    assert "name" in result.document["message"]
    assert cimi.get(volume).document["description"] == "before"


def test_without_select_the_body_changes_what_it_gives(cimi, volume):
    assert cimi.put(volume, edit(description="whole")).status == 200
    current = cimi.get(volume).document
    assert (current["name"], current["description"], current["properties"]) == (
        "partial", "whole", {"kept": "yes"})
