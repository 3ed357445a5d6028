"""Parsing $select, $expand, $orderby, $first, $last and the request arguments themselves."""
import pytest
from werkzeug.datastructures import MultiDict

from app.errors import BadRequest
from app.protocol.query import AttributeSelection, QueryError, SortKey, parse_query


def rejected(args):
    with pytest.raises(QueryError) as caught:
        parse_query(args)
    assert isinstance(caught.value, BadRequest)
    return caught.value


def test_no_parameters_is_the_empty_query():
    query = parse_query({})
    assert (query.filter, query.select, query.expand, query.first, query.last, query.orderby) == (
        None, None, None, None, None, (),
    )


@pytest.mark.parametrize("parameter", ["$select", "$expand"])
def test_attribute_lists(parameter):
    query = parse_query({parameter: " name , cpu,memory "})
    selection = getattr(query, parameter[1:])
    assert selection == AttributeSelection(frozenset({"name", "cpu", "memory"}), False)


@pytest.mark.parametrize("parameter", ["$select", "$expand"])
def test_star_means_everything(parameter):
    selection = getattr(parse_query({parameter: "name,*"}), parameter[1:])
    assert selection.everything
    assert selection.includes("anything")


@pytest.mark.parametrize("parameter", ["$select", "$expand"])
def test_several_attribute_list_parameters_are_united(parameter):
    selection = getattr(parse_query(MultiDict([(parameter, "name"), (parameter, "cpu")])), parameter[1:])
    assert selection.names == {"name", "cpu"}


@pytest.mark.parametrize(
    "value, position, words",
    [
        ("name,,cpu", 6, "empty attribute name"),
        ("name,", 6, "empty attribute name"),
        ("name, cpu x", 7, "'cpu x' is not an attribute name"),
        ("machineConfig/href", 1, "is not an attribute name"),
        ("1st", 1, "is not an attribute name"),
        ("**", 1, "is not an attribute name"),
    ],
)
@pytest.mark.parametrize("parameter", ["$select", "$expand"])
def test_attribute_list_errors(parameter, value, position, words):
    error = rejected({parameter: value})
    assert error.parameter == parameter
    assert error.position == position
    assert words in error.message


def test_orderby_keys_and_directions():
    query = parse_query({"$orderby": "name, created:desc ,cpu:asc, machineConfig/href:DESC,memory : Desc"})
    assert query.orderby == (
        SortKey(("name",), False),
        SortKey(("created",), True),
        SortKey(("cpu",), False),
        SortKey(("machineConfig", "href"), True),
        SortKey(("memory",), True),
    )


def test_several_orderby_parameters_are_concatenated_in_order():
    query = parse_query(MultiDict([("$orderby", "state:desc"), ("$orderby", "name")]))
    assert query.orderby == (SortKey(("state",), True), SortKey(("name",), False))


@pytest.mark.parametrize(
    "value, position, words",
    [
        ("name:up", 6, "'up' is not a direction"),
        ("name:", 6, "'' is not a direction"),
        ("cpu, name:desc:asc", 11, "is not a direction"),
        (":desc", 1, "'' is not an attribute name"),
        ("name,,cpu", 6, "empty attribute name"),
        ("na me", 1, "'na me' is not an attribute name"),
        ("property['k']", 1, "is not an attribute name"),
    ],
)
def test_orderby_errors(value, position, words):
    error = rejected({"$orderby": value})
    assert error.parameter == "$orderby"
    assert error.position == position
    assert words in error.message


@pytest.mark.parametrize("parameter", ["$first", "$last"])
@pytest.mark.parametrize("value, number", [("1", 1), ("25", 25), (" 7 ", 7), ("007", 7), ("999999999999999999", 999999999999999999)])
def test_positions(parameter, value, number):
    assert getattr(parse_query({parameter: value}), parameter[1:]) == number


@pytest.mark.parametrize("parameter", ["$first", "$last"])
@pytest.mark.parametrize("value", ["0", "000", "-1", "+3", "1.5", "1e3", "abc", "3 4", "0x10", "١", "1234567890123456789"])
def test_invalid_positions_are_bad_requests(parameter, value):
    error = rejected({parameter: value})
    assert error.parameter == parameter
    assert parameter in error.message


@pytest.mark.parametrize("parameter", ["$first", "$last"])
def test_position_given_twice_is_a_bad_request(parameter):
    error = rejected(MultiDict([(parameter, "1"), (parameter, "1")]))
    assert "more than once" in error.message


@pytest.mark.parametrize("parameter", ["$filter", "$select", "$expand", "$orderby", "$first", "$last"])
@pytest.mark.parametrize("blank", ["", "   "])
def test_blank_parameters_count_as_not_given(parameter, blank):
    assert parse_query({parameter: blank}) == parse_query({})


def test_unknown_and_foreign_parameters_are_ignored():
    assert parse_query({"$format": "xml", "$aggregation": "x", "name": "y", "filter": "((("}) == parse_query({})


def test_arguments_as_multidict_mapping_of_lists_and_mapping_of_strings_agree():
    pairs = [("$filter", "cpu=1"), ("$filter", "name='a'"), ("$select", "name"), ("$first", "2")]
    as_lists = {"$filter": ["cpu=1", "name='a'"], "$select": ["name"], "$first": ["2"]}
    assert parse_query(MultiDict(pairs)) == parse_query(as_lists)
    assert parse_query({"$filter": "cpu=1", "$first": "2"}) == parse_query(MultiDict(pairs[:1] + pairs[3:]))


def test_error_in_one_of_several_filters_names_which():
    error = rejected(MultiDict([("$filter", "cpu=1"), ("$filter", "name=")]))
    assert error.parameter == "$filter number 2"
    assert error.position == 6
    assert error.message.startswith("Invalid $filter number 2 at position 6:")


def test_single_filter_error_names_the_parameter_alone():
    assert rejected({"$filter": "name="}).message.startswith("Invalid $filter at position 6:")


def test_page_size_cap_must_be_positive():
    with pytest.raises(ValueError):
        parse_query({}, max_page_size=0)


def test_query_is_immutable():
    query = parse_query({"$first": "1"})
    with pytest.raises(AttributeError):
        query.first = 2
