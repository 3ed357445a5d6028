"""$filter evaluation: how each type compares, missing attributes, mismatches, references."""
import pytest

from app.protocol.query import parse_query

from query_documents import machine


def names(documents, text):
    page, count = parse_query({"$filter": text}).apply(documents)
    assert count == len(page)
    return [document["name"] for document in page]


def holds(document, text):
    return parse_query({"$filter": text}).matches(document)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("cpu=2", True),
        ("cpu!=2", False),
        ("cpu<2", False),
        ("cpu<=2", True),
        ("cpu>2", False),
        ("cpu>=2", True),
        ("cpu<3", True),
        ("cpu>1", True),
        ("cpu>-1", True),
        ("2=cpu", True),
        ("3>cpu", True),
        ("memory>=1048576", True),
        ("memory>1048576", False),
    ],
)
def test_integers_compare_numerically(text, expected):
    assert holds({"name": "m", "cpu": 2, "memory": 1048576}, text) is expected


def test_integer_literal_compares_with_float_attribute():
    assert holds({"load": 2.5}, "load>2")
    assert not holds({"load": 2.5}, "load>=3")


def test_integers_are_not_compared_as_text():
    assert holds({"cpu": 10}, "cpu>9")
    assert not holds({"name": "10"}, "name>9")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("name='vm-1'", True),
        ("name='VM-1'", False),
        ("name!='vm-1'", False),
        ("name<'vm-2'", True),
        ("name<='vm-1'", True),
        ("name>'vm-0'", True),
        ("name>='vm-10'", False),
        ("name>'vm'", True),
        ("name<'vm-1 '", True),
        ("name=\"vm-1\"", True),
    ],
)
def test_strings_compare_by_code_point(text, expected):
    assert holds({"name": "vm-1"}, text) is expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("flag=true", True),
        ("flag=false", False),
        ("flag!=false", True),
        ("flag!=true", False),
    ],
)
def test_booleans_compare_for_equality(text, expected):
    assert holds({"flag": True}, text) is expected


def test_booleans_are_not_numbers():
    assert not holds({"flag": True}, "flag=1")
    assert not holds({"count": 1}, "count=true")
    assert not holds({"count": 0}, "count=false")
    assert not holds({"flag": True}, "flag>0")


NOON = {"created": "2024-05-01T12:00:00Z"}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("created=2024-05-01T12:00:00Z", True),
        ("created=2024-05-01T14:00:00+02:00", True),
        ("created=2024-05-01T12:00:00", True),
        ("created=2024-05-01T12:00:00.000Z", True),
        ("created!=2024-05-01T12:00:00.001Z", True),
        ("created<2024-05-01T12:00:01Z", True),
        ("created<2024-05-01T12:00:00Z", False),
        ("created<=2024-05-01T12:00:00Z", True),
        ("created>2024-05-01T11:59:59Z", True),
        ("created>2024-05-01T08:00:00-04:00", False),
        ("created>=2024-05-01T08:00:00-04:00", True),
    ],
)
def test_datetimes_compare_as_instants(text, expected):
    assert holds(NOON, text) is expected


@pytest.mark.parametrize(
    "created, on, before, up_to_end, after, from_start",
    [
        ("2024-04-30T23:59:59Z", False, True, True, False, False),
        ("2024-05-01T00:00:00Z", True, False, True, False, True),
        ("2024-05-01T12:00:00Z", True, False, True, False, True),
        ("2024-05-01T23:59:59.999999Z", True, False, True, False, True),
        ("2024-05-02T00:00:00Z", False, False, False, True, True),
        ("2024-05-02T01:00:00+02:00", True, False, True, False, True),
    ],
)
def test_a_date_alone_is_the_whole_utc_day(created, on, before, up_to_end, after, from_start):
    document = {"created": created}
    assert holds(document, "created=2024-05-01") is on
    assert holds(document, "created!=2024-05-01") is not on
    assert holds(document, "created<2024-05-01") is before
    assert holds(document, "created<=2024-05-01") is up_to_end
    assert holds(document, "created>2024-05-01") is after
    assert holds(document, "created>=2024-05-01") is from_start


def test_date_only_attribute_is_midnight_utc():
    assert holds({"day": "2024-05-01"}, "day=2024-05-01T00:00:00Z")
    assert holds({"day": "2024-05-01"}, "day=2024-05-01")


def test_quoted_date_compares_as_text():
    assert holds(NOON, "created='2024-05-01T12:00:00Z'")
    assert not holds(NOON, "created='2024-05-01T14:00:00+02:00'")


def test_date_literal_never_matches_text_that_is_not_a_date():
    assert not holds({"created": "yesterday"}, "created<2030-01-01")
    assert not holds({"created": 20240501}, "created<2030-01-01")
    assert holds({"created": "yesterday"}, "created!=2030-01-01")


@pytest.mark.parametrize("op", ["=", "<", "<=", ">", ">="])
@pytest.mark.parametrize("document", [{}, {"cpu": None}, {"cpu": [1, 2]}, {"cpu": {"value": 1}}])
def test_missing_null_list_and_plain_dict_attributes_match_no_comparison(op, document):
    assert not holds(document, f"cpu{op}1")


@pytest.mark.parametrize("document", [{}, {"cpu": None}, {"cpu": [1, 2]}, {"cpu": {"value": 1}}])
def test_not_equal_holds_for_missing_attributes(document):
    assert holds(document, "cpu!=1")


@pytest.mark.parametrize(
    "attribute, literal",
    [(4, "'4'"), ("vm", "4"), ("vm", "true"), (4, "2024-05-01"), (True, "'true'"), (True, "1"), (1, "true")],
)
def test_type_mismatch_matches_no_comparison_but_not_equal_holds(attribute, literal):
    document = {"x": attribute}
    orderings = [] if literal == "true" else ["<", "<=", ">", ">="]
    for op in ["="] + orderings:
        assert not holds(document, f"x{op}{literal}")
    assert holds(document, f"x!={literal}")


def test_every_member_passes_exactly_one_of_equal_and_not_equal(machines):
    mixed = machines + [{"name": "odd", "cpu": "2"}, {"name": "bare"}]
    for text in ("cpu=2", "state='STARTED'", "created=2024-05-03", "name='vm-4'"):
        equal = set(names(mixed, text))
        not_equal = set(names(mixed, text.replace("=", "!=", 1)))
        assert equal.isdisjoint(not_equal)
        assert equal | not_equal == {document["name"] for document in mixed}


def test_nested_paths_walk_dicts():
    document = machine(3, host={"cluster": {"name": "blue", "size": 4}})
    assert holds(document, "host/cluster/name='blue'")
    assert holds(document, "host.cluster.size>3")
    assert not holds(document, "host/cluster/name/first='b'")
    assert not holds(document, "host/missing/name='blue'")
    assert not holds(document, "name/inner='vm-3'")


def test_references_compare_as_their_href():
    document = machine(3)
    assert holds(document, "machineConfig='http://example.com/cimi/machineConfigs/1'")
    assert holds(document, "machineConfig/href='http://example.com/cimi/machineConfigs/1'")
    assert not holds(document, "machineConfig='http://example.com/cimi/machineConfigs/0'")


def test_property_expressions(machines):
    assert names(machines, "property['owner']='bob'") == [f"vm-{n}" for n in range(2, 13, 2)]
    assert names(machines, "property['owner']>'b' and cpu=1") == ["vm-4", "vm-8", "vm-12"]
    assert names(machines, "property['nobody']='x'") == []
    assert len(names(machines, "property['nobody']!='x'")) == 12
    assert names(machines, "properties/owner='alice' and cpu=4") == ["vm-3", "vm-7", "vm-11"]


def test_property_names_with_odd_characters():
    document = {"properties": {"it's a key": "v", "a.b/c": "w"}}
    assert holds(document, "property['it\\'s a key']='v'")
    assert holds(document, "property[\"a.b/c\"]='w'")


def test_or_and_parentheses_select_the_right_members(machines):
    assert names(machines, "cpu=1 or cpu=2 and state='STOPPED'") == ["vm-4", "vm-8", "vm-9", "vm-12"]
    assert names(machines, "(cpu=1 or cpu=2) and state='STOPPED'") == ["vm-9", "vm-12"]


def test_several_filter_parameters_are_anded(machines):
    page, count = parse_query({"$filter": ["cpu=1 or cpu=2", "state='STOPPED'"]}).apply(machines)
    assert [document["name"] for document in page] == ["vm-9", "vm-12"]
    assert count == 2


def test_filter_on_every_common_machine_attribute(machines):
    assert names(machines, "id='http://example.com/cimi/machines/7'") == ["vm-7"]
    assert names(machines, "resourceURI!='http://schemas.dmtf.org/cimi/1/Machine'") == []
    assert names(machines, "created>=2024-05-11") == ["vm-11", "vm-12"]
    assert names(machines, "created<2024-05-02T12:00:00Z") == ["vm-1"]
    assert names(machines, "memory>2097152") == ["vm-2", "vm-5", "vm-8", "vm-11"]
    assert names(machines, "state='STOPPED' and cpu>=3") == ["vm-3", "vm-6"]


def test_dates_sort_out_mixed_offsets_and_precision():
    documents = [
        {"name": "a", "created": "2024-05-01T12:00:00Z"},
        {"name": "b", "created": "2024-05-01T12:00:00.5Z"},
        {"name": "c", "created": "2024-05-01T13:30:00+02:00"},
    ]
    assert names(documents, "created>2024-05-01T12:00:00Z") == ["b"]
    assert names(documents, "created<2024-05-01T12:00:00Z") == ["c"]
