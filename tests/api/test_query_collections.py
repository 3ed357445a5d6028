"""Every query parameter on every collection, in JSON and XML.

The collections come from the Cloud Entry Point of the application itself (and a machine's
sub-collections from its references), so a collection added to the API is covered without a
change here. Each is read whole once, and every answer with query parameters is compared
with what that whole listing implies: pages across their boundaries, filters, selections,
orderings, expansions, `$format`, and malformed parameters answered 400.
"""
import pytest

from query_support import ids, members_of, parametrize_collections, read, sub_collections

PAGE_SIZES = (1, 2, 3)
PAGED_MEMBERS = 7       # pages are checked over the first members only: the pool is shared
MEDIA_TYPES = {"json": "application/json", "xml": "application/xml"}


pytest_generate_tests = parametrize_collections


@pytest.fixture
def held_machines(launched, machine_create):
    """Three machines that stay STOPPED, so every listing has members that do not change."""
    return [launched(machine_create(name=f"query-{number}", initialState="STOPPED"))
            .document["id"] for number in range(3)]


@pytest.fixture
def collection(entry_point, collection_key, held_machines):
    return entry_point[collection_key]["href"]


def check_every_parameter(cimi, href):
    whole = read(cimi, href)
    check_pages(cimi, href, whole)
    check_filters(cimi, href, whole)
    check_select(cimi, href, whole)
    check_orderby(cimi, href, whole)
    check_expand(cimi, href, whole)
    check_format(cimi, href)
    check_malformed(cimi, href)


def check_pages(cimi, href, whole):
    count, listed = whole["count"], ids(whole)
    shown = min(count, PAGED_MEMBERS)
    for size in PAGE_SIZES:
        collected = []
        for first in range(1, shown + 1, size):
            page = read(cimi, href, **{"$first": first, "$last": first + size - 1})
            assert page["count"] == count, (first, size)
            collected.extend(ids(page))
        assert collected[:shown] == listed[:shown], size
    past_end = read(cimi, href, **{"$first": count + 1, "$last": count + 5})
    assert ids(past_end) == [] and past_end["count"] == count
    backwards = read(cimi, href, **{"$first": 3, "$last": 2})
    assert ids(backwards) == [] and backwards["count"] == count
    if count:
        from_second = read(cimi, href, **{"$first": 2})
        assert ids(from_second) == listed[1:]
        up_to = read(cimi, href, **{"$last": 1})
        assert ids(up_to) == listed[:1]


def check_filters(cimi, href, whole):
    listed = ids(whole)
    nothing = read(cimi, href, **{"$filter": "id='no such member'"})
    assert ids(nothing) == [] and nothing["count"] == 0
    everything = read(cimi, href, **{"$filter": "id!='no such member'"})
    assert ids(everything) == listed and everything["count"] == whole["count"]
    if not listed:
        return
    first = members_of(whole)[0]
    one = read(cimi, href, **{"$filter": f"id='{first['id']}'"})
    assert ids(one) == [first["id"]] and one["count"] == 1
    others = read(cimi, href, **{"$filter": f"'{first['id']}'!=id", "$first": 1, "$last": 1})
    assert others["count"] == whole["count"] - 1
    assert ids(others) == [member for member in listed if member != first["id"]][:1]
    both = read(cimi, href, **{"$filter": [f"id='{first['id']}'", "id!='x' or id='y'"]})
    assert ids(both) == [first["id"]]
    if "name" in first:
        named = read(cimi, href, **{"$filter": f"name=\"{escaped(first['name'])}\""})
        assert first["id"] in ids(named)
        assert all(member["name"] == first["name"] for member in members_of(named))


def escaped(text):
    return text.replace("\\", "\\\\").replace('"', '\\"')


def check_select(cimi, href, whole):
    selected = read(cimi, href, **{"$select": "name"})
    assert selected["count"] == whole["count"]
    assert ids(selected) == ids(whole)
    for member, full in zip(members_of(selected), members_of(whole)):
        assert set(member) <= {"resourceURI", "id", "name"}
        assert member.get("name") == full.get("name")
    everything = read(cimi, href, **{"$select": "*"})
    assert members_of(everything) == members_of(whole)


def check_orderby(cimi, href, whole):
    listed = ids(whole)
    ascending = read(cimi, href, **{"$orderby": "id"})
    assert ids(ascending) == sorted(listed)
    descending = read(cimi, href, **{"$orderby": "id:desc", "$first": 1, "$last": 2})
    assert ids(descending) == sorted(listed, reverse=True)[:2]
    assert descending["count"] == whole["count"]


def check_expand(cimi, href, whole):
    expanded = read(cimi, href, **{"$expand": "*"})
    assert ids(expanded) == ids(whole) and expanded["count"] == whole["count"]


def check_format(cimi, href):
    for name, media_type in MEDIA_TYPES.items():
        result = cimi.get(href, params={"$format": name})
        assert result.status == 200
        assert result.headers["Content-Type"].partition(";")[0] == media_type


def check_malformed(cimi, href):
    for params in ({"$filter": "name='unclosed"}, {"$filter": "cpu>"},
                   {"$first": "0"}, {"$last": "x"}, {"$orderby": "name:sideways"},
                   {"$select": "na me"}, {"$format": "yaml"}):
        result = cimi.get(href, params=params)
        assert result.status in (400, 406), params
        assert result.document["status"] == result.status


def test_every_parameter_on_every_collection(cimi, collection):
    check_every_parameter(cimi, collection)


def test_every_parameter_on_a_machines_sub_collections(cimi, held_machines):
    hrefs = sub_collections(read(cimi, held_machines[0]))
    assert hrefs
    for href in hrefs:
        check_every_parameter(cimi, href)


def test_a_filter_position_is_named(cimi, entry_point):
    result = cimi.get(entry_point["machines"]["href"], params={"$filter": "name='a' and"})
    assert result.status == 400
    assert "position" in result.document["message"]
