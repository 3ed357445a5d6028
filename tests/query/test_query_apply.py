"""Query.apply and the service helpers: order, paging, select, expand, push-down, updates."""
import pytest
from werkzeug.datastructures import MultiDict

from app.protocol.query import PageWindow, parse_query

from query_documents import BASE, machine, twelve_machines


def run(machines, max_page_size=None, resolver=None, **parameters):
    """apply() with `parameters` as query parameters: run(docs, first="2") is `$first=2`."""
    args = {f"${name}": value for name, value in parameters.items()}
    return parse_query(args, max_page_size=max_page_size).apply(machines, expand=resolver)


def names_of(page):
    return [document["name"] for document in page]


class Resolver:
    """A service's href resolver that records its calls."""

    def __init__(self, known):
        self.known = known
        self.calls = []

    def __call__(self, href):
        self.calls.append(href)
        return self.known.get(href)


def config(number):
    return {
        "resourceURI": "http://schemas.dmtf.org/cimi/1/MachineConfiguration",
        "id": f"{BASE}machineConfigs/{number}",
        "name": f"config-{number}",
        "cpu": number + 1,
    }


@pytest.fixture
def resolver():
    """Resolves the two machine configurations the sample machines refer to."""
    return Resolver({f"{BASE}machineConfigs/{n}": config(n) for n in (0, 1)})


def test_without_parameters_everything_comes_back_unchanged(machines):
    page, count = run(machines)
    assert page == machines
    assert count == 12


# $select


def test_select_keeps_the_named_attributes_and_the_required_ones_in_document_order(machines):
    page, count = run(machines, select="cpu,name")
    assert count == 12
    assert list(page[0]) == ["resourceURI", "id", "name", "cpu"]
    assert page[0] == {
        "resourceURI": "http://schemas.dmtf.org/cimi/1/Machine",
        "id": f"{BASE}machines/1",
        "name": "vm-1",
        "cpu": 2,
    }


def test_select_star_keeps_everything(machines):
    assert run(machines, select="*")[0] == machines


def test_select_ignores_names_the_members_lack(machines):
    page, _ = run(machines, select="name,nonsense")
    assert list(page[0]) == ["resourceURI", "id", "name"]


def test_select_and_expand_leave_the_service_documents_untouched(machines, resolver):
    run(machines, resolver=resolver, select="name,machineConfig", expand="*")
    assert machines == twelve_machines()


def test_select_resource_on_a_single_document():
    query = parse_query({"$select": "state"})
    assert query.select_resource(machine(3)) == {
        "resourceURI": "http://schemas.dmtf.org/cimi/1/Machine",
        "id": f"{BASE}machines/3",
        "state": "STOPPED",
    }
    assert parse_query({}).select_resource(machine(3)) == machine(3)


# $expand


def test_expand_a_named_reference(machines, resolver):
    page, _ = run(machines, resolver=resolver, expand="machineConfig", last="1")
    assert page[0]["machineConfig"] == {"href": f"{BASE}machineConfigs/1", **config(1)}
    assert page[0]["volumes"] == {"href": f"{BASE}machines/1/volumes"}


def test_expand_star_expands_every_reference_but_never_operations(machines):
    resolver = Resolver({
        f"{BASE}machineConfigs/1": config(1),
        f"{BASE}machines/1/volumes": {"count": 0},
        f"{BASE}machines/1": {"name": "must not appear"},
    })
    page, _ = run(machines, resolver=resolver, expand="*", last="1")
    assert page[0]["machineConfig"]["name"] == "config-1"
    assert page[0]["volumes"] == {"href": f"{BASE}machines/1/volumes", "count": 0}
    assert page[0]["operations"] == machines[0]["operations"]
    assert sorted(resolver.calls) == [f"{BASE}machineConfigs/1", f"{BASE}machines/1/volumes"]


def test_expand_resolves_each_href_once_and_only_for_the_page(machines, resolver):
    page, count = run(machines, resolver=resolver, expand="machineConfig", first="3", last="8")
    assert count == 12
    assert names_of(page) == ["vm-3", "vm-4", "vm-5", "vm-6", "vm-7", "vm-8"]
    assert sorted(resolver.calls) == [f"{BASE}machineConfigs/0", f"{BASE}machineConfigs/1"]
    assert page[0]["machineConfig"] is not page[2]["machineConfig"]


def test_expand_a_list_of_references():
    document = machine(1, networks=[{"href": "n/1"}, {"href": "n/2"}], tags=["a", "b"])
    resolver = Resolver({"n/1": {"name": "one"}, "n/2": {"name": "two"}})
    shaped = parse_query({"$expand": "*"}).shape(document, expand=resolver)
    assert shaped["networks"] == [{"href": "n/1", "name": "one"}, {"href": "n/2", "name": "two"}]
    assert shaped["tags"] == ["a", "b"]


def test_expand_keeps_the_reference_when_the_resolver_finds_nothing(machines):
    page, _ = run(machines, resolver=Resolver({}), expand="machineConfig", last="1")
    assert page[0]["machineConfig"] == {"href": f"{BASE}machineConfigs/1"}


def test_expand_ignores_names_that_hold_no_reference(machines, resolver):
    page, _ = run(machines, resolver=resolver, expand="name,cpu,nonsense,properties", last="1")
    assert page == machines[:1]
    assert resolver.calls == []


def test_expand_only_expands_selected_attributes(machines, resolver):
    page, _ = run(machines, resolver=resolver, expand="*", select="name", last="1")
    assert page == [{"resourceURI": machines[0]["resourceURI"], "id": machines[0]["id"], "name": "vm-1"}]
    assert resolver.calls == []


def test_no_expand_parameter_never_calls_the_resolver(machines, resolver):
    page, _ = run(machines, resolver=resolver)
    assert page == machines
    assert resolver.calls == []


def test_expand_without_a_resolver_leaves_references(machines):
    assert run(machines, expand="*")[0] == machines


def test_shape_a_single_resource_expands_then_selects(resolver):
    shaped = parse_query({"$expand": "machineConfig", "$select": "machineConfig"}).shape(machine(2), expand=resolver)
    assert shaped == {
        "resourceURI": "http://schemas.dmtf.org/cimi/1/Machine",
        "id": f"{BASE}machines/2",
        "machineConfig": {"href": f"{BASE}machineConfigs/0", **config(0)},
    }


# $orderby


def test_orderby_ascending_and_descending(machines):
    assert names_of(run(machines, orderby="name")[0])[:4] == ["vm-1", "vm-10", "vm-11", "vm-12"]
    assert names_of(run(machines, orderby="created:desc")[0])[:3] == ["vm-12", "vm-11", "vm-10"]


def test_orderby_several_keys_with_mixed_directions(machines):
    page, _ = run(machines, orderby="cpu:desc,created:desc")
    assert names_of(page) == [
        "vm-11", "vm-7", "vm-3", "vm-10", "vm-6", "vm-2", "vm-9", "vm-5", "vm-1", "vm-12", "vm-8", "vm-4",
    ]


def test_orderby_is_stable(machines):
    assert names_of(run(machines, orderby="state")[0]) == [
        "vm-1", "vm-2", "vm-4", "vm-5", "vm-7", "vm-8", "vm-10", "vm-11", "vm-3", "vm-6", "vm-9", "vm-12",
    ]
    assert names_of(run(machines, orderby="state:desc")[0]) == [
        "vm-3", "vm-6", "vm-9", "vm-12", "vm-1", "vm-2", "vm-4", "vm-5", "vm-7", "vm-8", "vm-10", "vm-11",
    ]


@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_missing_values_sort_last_in_both_directions(direction):
    documents = [
        {"name": "none", "size": None},
        {"name": "two", "size": 2},
        {"name": "absent"},
        {"name": "list", "size": [1]},
        {"name": "one", "size": 1},
    ]
    present = ["one", "two"] if direction == "asc" else ["two", "one"]
    page, _ = run(documents, orderby=f"size:{direction}")
    assert names_of(page) == present + ["none", "absent", "list"]


def test_orderby_ranks_numbers_then_strings_then_booleans():
    documents = [{"name": n, "v": v} for n, v in [("t", True), ("s", "a"), ("f", False), ("n", 10), ("m", 2.5)]]
    assert names_of(run(documents, orderby="v")[0]) == ["m", "n", "s", "f", "t"]


def test_orderby_dates_as_instants_whatever_the_format():
    documents = [
        {"name": "later", "created": "2024-05-01T12:00:00.5Z"},
        {"name": "earliest", "created": "2024-05-01T13:00:00+02:00"},
        {"name": "middle", "created": "2024-05-01T12:00:00Z"},
        {"name": "day", "created": "2024-05-01"},
    ]
    assert names_of(run(documents, orderby="created")[0]) == ["day", "earliest", "middle", "later"]


def test_orderby_strings_that_are_not_all_dates_sort_as_text():
    documents = [{"name": "b", "v": "2024-05-01"}, {"name": "a", "v": "1999"}, {"name": "c", "v": "x"}]
    assert names_of(run(documents, orderby="v")[0]) == ["a", "b", "c"]


def test_orderby_nested_paths_properties_and_references(machines):
    assert names_of(run(machines, orderby="properties/owner:desc,name", last="2")[0]) == ["vm-10", "vm-12"]
    assert names_of(run(machines, orderby="machineConfig:desc", last="2")[0]) == ["vm-1", "vm-3"]


# $first / $last


@pytest.mark.parametrize(
    "first, last, expected",
    [
        (None, None, list(range(1, 13))),
        ("1", "1", [1]),
        ("3", "5", [3, 4, 5]),
        ("12", "12", [12]),
        ("10", None, [10, 11, 12]),
        (None, "2", [1, 2]),
        ("11", "50", [11, 12]),
        ("13", None, []),
        ("13", "20", []),
        ("5", "4", []),
        ("5", "5", [5]),
    ],
)
def test_first_and_last_are_one_based_and_inclusive(machines, first, last, expected):
    parameters = {key: value for key, value in (("first", first), ("last", last)) if value}
    page, count = run(machines, **parameters)
    assert names_of(page) == [f"vm-{n}" for n in expected]
    assert count == 12


@pytest.mark.parametrize("size", range(1, 14))
def test_pages_of_every_size_tile_the_filtered_ordered_collection(machines, size):
    filtered, count = run(machines, filter="cpu!=3", orderby="memory:desc,name")
    pages = []
    for first in range(1, count + 1, size):
        page, page_count = run(
            machines, filter="cpu!=3", orderby="memory:desc,name", first=str(first), last=str(first + size - 1)
        )
        assert page_count == count
        assert len(page) == min(size, count - first + 1)
        pages.extend(page)
    assert pages == filtered
    assert count == 9


def test_page_size_cap_clamps_from_first(machines):
    page, count = run(machines, max_page_size=5)
    assert names_of(page) == ["vm-1", "vm-2", "vm-3", "vm-4", "vm-5"]
    assert count == 12
    page, _ = run(machines, max_page_size=5, first="4", last="100")
    assert names_of(page) == ["vm-4", "vm-5", "vm-6", "vm-7", "vm-8"]
    page, _ = run(machines, max_page_size=5, first="11")
    assert names_of(page) == ["vm-11", "vm-12"]
    page, _ = run(machines, max_page_size=5, first="2", last="3")
    assert names_of(page) == ["vm-2", "vm-3"]


# everything together


def test_all_parameters_combined(machines, resolver):
    args = MultiDict([
        ("$filter", "state='STARTED' or cpu=4"),
        ("$filter", "created<2024-05-12"),
        ("$orderby", "cpu:desc"),
        ("$orderby", "name"),
        ("$first", "2"),
        ("$last", "4"),
        ("$select", "name,cpu,machineConfig"),
        ("$expand", "machineConfig,volumes"),
        ("$format", "xml"),
    ])
    page, count = parse_query(args, max_page_size=10).apply(machines, expand=resolver)
    # STARTED or cpu=4, before the 12th: 1,2,3,4,5,7,8,10,11; by cpu desc then name
    assert count == 9
    assert [(d["name"], d["cpu"]) for d in page] == [("vm-3", 4), ("vm-7", 4), ("vm-10", 3)]
    assert page[0] == {
        "resourceURI": "http://schemas.dmtf.org/cimi/1/Machine",
        "id": f"{BASE}machines/3",
        "name": "vm-3",
        "cpu": 4,
        "machineConfig": {"href": f"{BASE}machineConfigs/1", **config(1)},
    }
    assert sorted(resolver.calls) == [f"{BASE}machineConfigs/0", f"{BASE}machineConfigs/1"]


def test_count_is_the_filtered_size_not_the_page_size(machines):
    page, count = run(machines, filter="state='STOPPED'", last="1")
    assert (names_of(page), count) == (["vm-3"], 4)


# page_window


@pytest.mark.parametrize(
    "parameters, max_page_size, window",
    [
        ({"first": "1", "last": "10"}, None, PageWindow(0, 10)),
        ({"first": "21", "last": "40"}, None, PageWindow(20, 20)),
        ({"last": "5"}, None, PageWindow(0, 5)),
        ({}, 100, PageWindow(0, 100)),
        ({"first": "7"}, 100, PageWindow(6, 100)),
        ({"first": "7", "last": "500"}, 100, PageWindow(6, 100)),
        ({"first": "7", "last": "8"}, 100, PageWindow(6, 2)),
        ({"first": "5", "last": "4"}, 100, PageWindow(4, 0)),
        ({"select": "name", "expand": "*"}, 100, PageWindow(0, 100)),
    ],
)
def test_page_window_when_nothing_needs_the_whole_collection(parameters, max_page_size, window):
    args = {f"${name}": value for name, value in parameters.items()}
    assert parse_query(args, max_page_size=max_page_size).page_window() == window


@pytest.mark.parametrize(
    "parameters, max_page_size",
    [
        ({"filter": "cpu=1", "last": "5"}, 10),
        ({"orderby": "name", "last": "5"}, 10),
        ({}, None),
        ({"first": "3"}, None),
    ],
)
def test_no_page_window_when_the_whole_collection_is_needed(parameters, max_page_size):
    args = {f"${name}": value for name, value in parameters.items()}
    assert parse_query(args, max_page_size=max_page_size).page_window() is None


def test_page_window_speaks_opennebula_paging():
    window = parse_query({"$first": "11", "$last": "15"}).page_window()
    assert (window.one_start, window.one_end, window.is_empty) == (10, -5, False)


def test_one_member_window_fetches_two_because_end_minus_one_means_all():
    window = parse_query({"$first": "4", "$last": "4"}).page_window()
    assert (window.size, window.one_start, window.one_end) == (1, 3, -2)


def test_empty_window_needs_no_fetch():
    assert parse_query({"$first": "4", "$last": "3"}).page_window().is_empty


def test_apply_window_trims_to_the_window_and_shapes(machines):
    query = parse_query({"$first": "4", "$last": "4", "$select": "name"})
    window = query.page_window()
    fetched = machines[window.one_start : window.one_start - window.one_end]
    page, count = query.apply_window(fetched, count=12)
    assert page == [{"resourceURI": machines[3]["resourceURI"], "id": machines[3]["id"], "name": "vm-4"}]
    assert count == 12


def test_apply_window_agrees_with_apply_for_every_window(machines):
    for first in range(1, 14):
        for last in range(max(1, first - 1), 15):
            query = parse_query({"$first": str(first), "$last": str(last)}, max_page_size=4)
            window = query.page_window()
            fetched = [] if window.is_empty else machines[window.one_start : window.one_start - window.one_end]
            assert query.apply_window(fetched, count=12) == query.apply(machines)


def test_apply_window_refuses_a_query_that_needs_the_whole_collection(machines):
    with pytest.raises(ValueError):
        parse_query({"$filter": "cpu=1"}, max_page_size=5).apply_window(machines, count=12)


# push-down of equalities


@pytest.mark.parametrize(
    "text, expected",
    [
        ("state='STARTED'", {"state": "STARTED"}),
        ("state='STARTED' and cpu>1", {"state": "STARTED"}),
        ("cpu>1 and (state='STARTED')", {"state": "STARTED"}),
        ("'STARTED'=state and name='x'", {"state": "STARTED", "name": "x"}),
        ("state='STARTED' and state='STARTED'", {"state": "STARTED"}),
        ("state='STARTED' and state='STOPPED'", {}),
        ("state=1 and state=true", {}),
        ("state='STARTED' or cpu=1", {}),
        ("(state='STARTED' or state='STOPPED') and cpu=1", {}),
        ("state!='STARTED'", {}),
        ("state>='STARTED'", {}),
        ("state/inner='STARTED'", {}),
        ("property['state']='STARTED'", {}),
        ("cpu=2", {}),
    ],
)
def test_pushdown_equalities(text, expected):
    query = parse_query({"$filter": text})
    assert query.pushdown_equalities({"state", "name"}) == expected


def test_pushdown_across_several_filter_parameters():
    query = parse_query({"$filter": ["cpu=1 or cpu=2", "state='STOPPED'"]})
    assert query.pushdown_equalities({"state"}) == {"state": "STOPPED"}


def test_pushdown_alone_keeps_local_evaluation(machines):
    query = parse_query({"$filter": "state='STOPPED' and cpu>=3"})
    query.pushdown_equalities({"state"})
    backend_superset = machines
    assert names_of(query.apply(backend_superset)[0]) == ["vm-3", "vm-6"]


def test_exact_pushdown_removes_only_the_pushed_terms(machines):
    query = parse_query({"$filter": "state='STOPPED' and cpu>=3"}).with_exact_pushdown({"state"})
    stopped_by_backend = [m for m in machines if m["state"] == "STOPPED"]
    page, count = query.apply(stopped_by_backend)
    assert (names_of(page), count) == (["vm-3", "vm-6"], 2)
    assert query.pushdown_equalities({"state"}) == {}
    assert query.page_window() is None


def test_exact_pushdown_of_the_whole_filter_enables_the_page_window():
    query = parse_query({"$filter": "state='STARTED'", "$first": "3", "$last": "4"}, max_page_size=50)
    assert query.page_window() is None
    exact = query.with_exact_pushdown({"state"})
    assert exact.filter is None
    assert exact.page_window() == PageWindow(2, 2)


def test_exact_pushdown_leaves_conflicting_and_foreign_terms():
    query = parse_query({"$filter": "state='A' and state='B' and name='x'"})
    assert query.with_exact_pushdown({"state"}).filter == query.filter
    assert query.with_exact_pushdown({"name"}).pushdown_equalities({"state", "name"}) == {}


def test_exact_pushdown_without_a_filter_is_the_same_query():
    query = parse_query({"$first": "2"})
    assert query.with_exact_pushdown({"state"}) == query


# PUT with $select


def test_update_without_select_is_a_full_update():
    body = {"name": "n", "description": "d"}
    update = parse_query({}).updates(body)
    assert (update.values, update.cleared, update.partial) == (body, frozenset(), False)
    assert update.values is not body
    assert parse_query({"$select": "*"}).updates(body).partial is False


def test_update_with_select_takes_only_selected_attributes():
    body = {"id": "x", "name": "n", "description": "d", "properties": {"a": "1"}}
    update = parse_query({"$select": "name,properties,id,resourceURI"}).updates(body)
    assert update.values == {"name": "n", "properties": {"a": "1"}}
    assert update.cleared == frozenset()
    assert update.partial


def test_update_lists_selected_attributes_missing_from_the_body_as_cleared():
    update = parse_query({"$select": "name,description"}).updates({"name": "n"})
    assert update.values == {"name": "n"}
    assert update.cleared == {"description"}
