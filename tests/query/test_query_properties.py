"""Property tests: the parser only ever raises QueryError, and results agree with brute force."""
import operator

from hypothesis import given, settings
from hypothesis import strategies as st

from app.protocol.query import QueryError, parse_filter, parse_query

FILTER_ALPHABET = st.sampled_from(list("()[]'\"\\=!<>-:.+/TZ_ aorndtuefls0123456789xyz,\t*"))

ATTRIBUTES = ("cpu", "name", "flag")
OPERATORS = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
FLIPPED = {"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

attribute_values = st.one_of(
    st.none(),
    st.integers(-3, 3),
    st.text(alphabet="ab'\"\\ ", max_size=3),
    st.booleans(),
)
documents = st.lists(
    st.dictionaries(st.sampled_from(ATTRIBUTES), attribute_values),
    max_size=12,
)
literals = st.one_of(st.integers(-3, 3), st.text(alphabet="ab'\"\\ ", max_size=3), st.booleans())


@st.composite
def comparisons(draw):
    literal = draw(literals)
    allowed = ["=", "!="] if isinstance(literal, bool) else list(OPERATORS)
    return (draw(st.sampled_from(ATTRIBUTES)), draw(st.sampled_from(allowed)), literal)


filters = st.lists(st.lists(comparisons(), min_size=1, max_size=4), min_size=1, max_size=4)


def render_literal(literal, quote):
    if isinstance(literal, bool):
        return "true" if literal else "false"
    if isinstance(literal, int):
        return str(literal)
    escaped = literal.replace("\\", "\\\\").replace(quote, "\\" + quote)
    return f"{quote}{escaped}{quote}"


@st.composite
def rendered(draw, disjunction):
    """`disjunction` (a list of lists of comparisons) as $filter text, in varied spellings."""
    groups = []
    for conjunction in disjunction:
        terms = []
        for attribute, op, literal in conjunction:
            value = render_literal(literal, draw(st.sampled_from("'\"")))
            space = draw(st.sampled_from(["", " "]))
            if draw(st.booleans()):
                terms.append(f"{value}{space}{FLIPPED[op]}{space}{attribute}")
            else:
                terms.append(f"{attribute}{space}{op}{space}{value}")
        group = draw(st.sampled_from([" and ", " AND "])).join(terms)
        groups.append(f"({group})" if draw(st.booleans()) else group)
    return " or ".join(groups)


def same_type(actual, literal):
    if isinstance(literal, bool) or isinstance(actual, bool):
        return isinstance(actual, bool) and isinstance(literal, bool)
    return type(actual) is type(literal)


def brute_force_holds(document, comparison):
    attribute, op, literal = comparison
    actual = document.get(attribute)
    if actual is None or not same_type(actual, literal):
        return op == "!="
    return OPERATORS[op](actual, literal)


def brute_force_matches(document, disjunction):
    return any(all(brute_force_holds(document, c) for c in conjunction) for conjunction in disjunction)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_parser_raises_only_query_errors_on_arbitrary_text(text):
    try:
        parse_filter(text)
    except QueryError as error:
        assert error.position is None or 1 <= error.position <= len(text) + 1


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=FILTER_ALPHABET, max_size=60))
def test_parser_raises_only_query_errors_on_filter_like_text(text):
    try:
        parse_filter(text)
    except QueryError as error:
        assert 1 <= error.position <= len(text) + 1


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["$filter", "$select", "$expand", "$orderby", "$first", "$last"]),
                       st.text(alphabet=FILTER_ALPHABET, max_size=30)))
def test_parse_query_raises_only_query_errors(args):
    try:
        parse_query(args, max_page_size=5)
    except QueryError:
        pass


@settings(max_examples=300, deadline=None)
@given(documents, filters, st.data())
def test_filtered_count_equals_brute_force(members, disjunction, data):
    text = data.draw(rendered(disjunction))
    page, count = parse_query({"$filter": text}).apply(members)
    expected = [member for member in members if brute_force_matches(member, disjunction)]
    assert page == expected
    assert count == len(expected)


@settings(max_examples=200, deadline=None)
@given(documents, filters, st.data())
def test_equal_and_not_equal_partition_every_collection(members, disjunction, data):
    attribute, _, literal = disjunction[0][0]
    value = render_literal(literal, "'")
    _, equal = parse_query({"$filter": f"{attribute}={value}"}).apply(members)
    _, not_equal = parse_query({"$filter": f"{attribute}!={value}"}).apply(members)
    assert equal + not_equal == len(members)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.fixed_dictionaries({"n": st.integers(0, 5)}, optional={"k": st.integers(-5, 5)}), max_size=15),
    st.booleans(),
)
def test_orderby_matches_a_stable_brute_force_sort_with_missing_last(members, descending):
    direction = "desc" if descending else "asc"
    page, _ = parse_query({"$orderby": f"k:{direction}"}).apply(members)
    present = [m for m in members if "k" in m]
    absent = [m for m in members if "k" not in m]
    assert page == sorted(present, key=lambda m: -m["k"] if descending else m["k"]) + absent


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, 20),
    st.one_of(st.none(), st.integers(1, 25)),
    st.one_of(st.none(), st.integers(1, 25)),
    st.one_of(st.none(), st.integers(1, 6)),
)
def test_page_equals_a_brute_force_slice(size, first, last, cap):
    members = [{"id": str(n), "cpu": n % 3} for n in range(size)]
    args = {"$filter": "cpu!=1", "$orderby": "cpu:desc"}
    args.update({name: str(value) for name, value in (("$first", first), ("$last", last)) if value})
    page, count = parse_query(args, max_page_size=cap).apply(members)
    ordered = sorted((m for m in members if m["cpu"] != 1), key=lambda m: -m["cpu"])
    start = (first or 1) - 1
    stop = len(ordered) if last is None else last
    if cap is not None:
        stop = min(stop, start + cap)
    assert page == ordered[start:stop]
    assert count == len(ordered)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.dictionaries(st.sampled_from(["id", "resourceURI", "a", "b", "c"]), st.integers()), max_size=5),
    st.sets(st.sampled_from(["a", "b", "c", "d"]), min_size=1),
)
def test_select_keeps_exactly_the_selected_and_required_attributes(members, selected):
    page, _ = parse_query({"$select": ",".join(sorted(selected))}).apply(members)
    for original, shaped in zip(members, page, strict=True):
        assert shaped == {k: v for k, v in original.items() if k in selected | {"id", "resourceURI"}}
