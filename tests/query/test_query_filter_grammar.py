"""$filter grammar: tokens, operators, value types, precedence, errors and their positions."""
from datetime import datetime, timedelta, timezone

import pytest

from app.errors import BadRequest
from app.protocol.query import (
    MAX_FILTER_DEPTH,
    MAX_FILTER_LENGTH,
    AllOf,
    AnyOf,
    Comparison,
    DateValue,
    QueryError,
    parse_filter,
)
from app.protocol.query import parser as parser_module


def rejected(text):
    with pytest.raises(QueryError) as caught:
        parse_filter(text)
    return caught.value


def shape(node):
    """A compact structure to compare parse results: ('and'|'or', ...) or (path, op, value)."""
    if isinstance(node, AllOf):
        return ("and",) + tuple(shape(term) for term in node.terms)
    if isinstance(node, AnyOf):
        return ("or",) + tuple(shape(term) for term in node.terms)
    return ("/".join(node.path), node.op, node.value)


@pytest.mark.parametrize("op", ["=", "!=", "<", "<=", ">", ">="])
def test_every_operator_parses(op):
    assert shape(parse_filter(f"cpu{op}4")) == ("cpu", op, 4)


@pytest.mark.parametrize(
    "text, flipped",
    [("4=cpu", "="), ("4!=cpu", "!="), ("4<cpu", ">"), ("4<=cpu", ">="), ("4>cpu", "<"), ("4>=cpu", "<=")],
)
def test_value_on_the_left_is_stored_with_the_attribute_on_the_left(text, flipped):
    assert shape(parse_filter(text)) == ("cpu", flipped, 4)


@pytest.mark.parametrize(
    "text, value",
    [
        ("cpu=0", 0),
        ("cpu=-5", -5),
        ("memory=1048576", 1048576),
        ("cpu=007", 7),
        ("name='vm-1'", "vm-1"),
        ('name="vm-1"', "vm-1"),
        ("name=''", ""),
        ("flag=true", True),
        ("flag=false", False),
        ("flag=TRUE", True),
        ("flag=False", False),
    ],
)
def test_value_types(text, value):
    node = parse_filter(text)
    assert node.value == value
    assert type(node.value) is type(value)


def test_integer_with_many_digits_is_exact():
    assert parse_filter("size=123456789012345678901234567890").value == 123456789012345678901234567890


@pytest.mark.parametrize(
    "text, expected",
    [
        (r"name='it\'s'", "it's"),
        (r'name="say \"hi\""', 'say "hi"'),
        (r"name='back\\slash'", "back\\slash"),
        (r"name='\\'", "\\"),
        ("name='double \" inside single'", 'double " inside single'),
        ('name="single \' inside double"', "single ' inside double"),
        ("name='  spaces kept  '", "  spaces kept  "),
        ("name='and or ( ) = true'", "and or ( ) = true"),
        ("name='ünïcödé ✓'", "ünïcödé ✓"),
    ],
)
def test_string_quoting_and_escapes(text, expected):
    assert parse_filter(text).value == expected


def test_date_value_is_the_whole_utc_day():
    value = parse_filter("created=2024-05-01").value
    assert isinstance(value, DateValue)
    assert value.is_whole_day
    assert value.start == datetime(2024, 5, 1, tzinfo=timezone.utc)
    assert value.end == datetime(2024, 5, 2, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "text, instant",
    [
        ("2024-05-01T10:20:30Z", datetime(2024, 5, 1, 10, 20, 30, tzinfo=timezone.utc)),
        ("2024-05-01T10:20:30", datetime(2024, 5, 1, 10, 20, 30, tzinfo=timezone.utc)),
        ("2024-05-01T10:20:30.25Z", datetime(2024, 5, 1, 10, 20, 30, 250000, tzinfo=timezone.utc)),
        ("2024-05-01T10:20:30.1234567Z", datetime(2024, 5, 1, 10, 20, 30, 123456, tzinfo=timezone.utc)),
        ("2024-05-01T12:20:30+02:00", datetime(2024, 5, 1, 10, 20, 30, tzinfo=timezone.utc)),
        ("2024-05-01T05:50:30-04:30", datetime(2024, 5, 1, 10, 20, 30, tzinfo=timezone.utc)),
    ],
)
def test_datetime_values_are_instants(text, instant):
    value = parse_filter(f"created>{text}").value
    assert not value.is_whole_day
    assert value.start == instant


def test_and_binds_tighter_than_or():
    assert shape(parse_filter("a=1 or b=2 and c=3")) == ("or", ("a", "=", 1), ("and", ("b", "=", 2), ("c", "=", 3)))
    assert shape(parse_filter("a=1 and b=2 or c=3")) == ("or", ("and", ("a", "=", 1), ("b", "=", 2)), ("c", "=", 3))


def test_parentheses_override_precedence():
    assert shape(parse_filter("(a=1 or b=2) and c=3")) == ("and", ("or", ("a", "=", 1), ("b", "=", 2)), ("c", "=", 3))


def test_chains_are_flat_and_redundant_parentheses_vanish():
    assert shape(parse_filter("a=1 and (b=2 and c=3) and ((d=4))")) == (
        "and", ("a", "=", 1), ("b", "=", 2), ("c", "=", 3), ("d", "=", 4),
    )
    assert shape(parse_filter("(a=1 or b=2) or c=3")) == ("or", ("a", "=", 1), ("b", "=", 2), ("c", "=", 3))


@pytest.mark.parametrize("keyword", ["and", "AND", "And"])
def test_keywords_are_case_insensitive(keyword):
    assert shape(parse_filter(f"a=1 {keyword} b=2"))[0] == "and"


@pytest.mark.parametrize("text", ["cpu=4", " cpu = 4 ", "\tcpu\n=\n4\t", "(cpu=4)", "( cpu=4 )"])
def test_whitespace_is_insignificant(text):
    assert shape(parse_filter(text)) == ("cpu", "=", 4)


def test_no_whitespace_needed_around_parentheses_and_operators():
    assert shape(parse_filter("(a='x')or(b='y')")) == ("or", ("a", "=", "x"), ("b", "=", "y"))


@pytest.mark.parametrize(
    "text, path",
    [
        ("machineConfig/href='x'", ("machineConfig", "href")),
        ("machineConfig.href='x'", ("machineConfig", "href")),
        ("a/b.c_1='x'", ("a", "b", "c_1")),
        ("_private='x'", ("_private",)),
        ("property['owner']='x'", ("properties", "owner")),
        ("property[ \"odd key's ]\" ]='x'", ("properties", "odd key's ]")),
        ("property='x'", ("property",)),
    ],
)
def test_attribute_paths(text, path):
    assert parse_filter(text).path == path


def test_property_expression_on_the_right():
    assert shape(parse_filter("'alice'=property['owner']")) == ("properties/owner", "=", "alice")


def test_comparison_records_the_attribute_position():
    node = parse_filter("a=1 and   'x'<=name")
    assert [term.position for term in node.terms] == [1, 16]


def test_several_comparisons_mix_every_type():
    node = parse_filter(
        "state='STARTED' and cpu>=2 and created<2024-06-01T00:00:00Z and flag!=true "
        "and property['owner']=\"alice\""
    )
    assert [type(term.value) for term in node.terms] == [str, int, DateValue, bool, str]


@pytest.mark.parametrize(
    "text, position, words",
    [
        ("", 1, "expected an attribute or a value"),
        ("state=", 7, "found the end of the filter"),
        ("state 'x'", 7, "expected an operator"),
        ("state=='x'", 7, "expected an attribute or a value"),
        ("state='x' and", 14, "expected an attribute or a value"),
        ("state='x' or or b=1", 14, "found 'or'"),
        ("state='x' b=1", 11, "expected 'and', 'or'"),
        ("(a=1", 5, "expected ')'"),
        ("a=1)", 4, "found ')'"),
        ("()", 2, "expected an attribute or a value"),
        ("a=b", 1, "two attributes"),
        ("1=2", 1, "two values"),
        ("'x'='y'", 1, "two values"),
        ("a!1", 2, "'!' must be followed by '='"),
        ("a=-", 3, "'-' must be followed by digits"),
        ("cpu>1.5", 5, "only integer numbers"),
        ("name='abc", 6, "not closed"),
        ('name="abc\\"', 6, "not closed"),
        ("name='abc\\", 6, "not closed"),
        ("name='a\\nb'", 8, "unknown escape"),
        ("name=#", 6, "unexpected character '#'"),
        ("naïve=1", 3, "unexpected character"),
        ("a/=1", 2, "unexpected character '/'"),
        ("flag<true", 6, "only be compared with = or !="),
        ("false>=flag", 1, "only be compared with = or !="),
        ("property['k']=4", 15, "property values are strings"),
        ("property['k']=true", 15, "property values are strings"),
        ("property[k]='v'", 10, "a quoted property name"),
        ("property['k'='v'", 13, "expected ']'"),
        ("created>2024-5-1", 9, "malformed date"),
        ("created>2024-05-01T10:00Z", 9, "malformed date"),
        ("created>2024-05-01T10:00:00+0200", 9, "malformed date"),
        ("created>2024-02-30", 9, "not a valid date"),
        ("created>2024-05-01T24:00:00Z", 9, "not a valid date"),
        ("created>2024-05-01T10:00:00+24:00", 9, "not a valid date"),
        ("created>2024-05-01T10:00:00+01:60", 9, "not a valid date"),
        ("size=1234567890123456789012345678901", 6, "longer than 30 digits"),
    ],
)
def test_syntax_errors_say_what_and_where(text, position, words):
    error = rejected(text)
    assert isinstance(error, BadRequest)
    assert error.parameter == "$filter"
    assert error.position == position
    assert words in error.message
    assert f"at position {position}" in error.message


def test_error_message_shortens_long_tokens():
    error = rejected("a=1 " + "x" * 200)
    assert "x" * 20 + "..." in error.message
    assert "x" * 21 not in error.message


def test_nesting_up_to_the_limit_parses():
    depth = MAX_FILTER_DEPTH
    assert shape(parse_filter("(" * depth + "a=1" + ")" * depth)) == ("a", "=", 1)


def test_nesting_beyond_the_limit_is_rejected_at_the_first_excess_parenthesis():
    depth = MAX_FILTER_DEPTH + 1
    error = rejected("(" * depth + "a=1" + ")" * depth)
    assert error.position == depth
    assert "nested deeper" in error.message


def test_thousands_of_nested_parentheses_are_rejected_without_recursion_errors():
    error = rejected("(" * 4000 + "a=1" + ")" * 4000)
    assert error.position == MAX_FILTER_DEPTH + 1


def test_ten_thousand_open_parentheses_hit_the_length_limit():
    error = rejected("(" * 10_000)
    assert error.position is None
    assert "longer than" in error.message


def test_length_limit_is_exact():
    padding = MAX_FILTER_LENGTH - len("name=''")
    assert parse_filter("name='" + "x" * padding + "'").value == "x" * padding
    error = rejected("name='" + "x" * (padding + 1) + "'")
    assert f"longer than {MAX_FILTER_LENGTH} characters" in error.message


def test_hundred_thousand_characters_are_rejected_by_the_length_limit():
    assert "longer than" in rejected("a=1 or " * 14_285 + "a=1").message


def test_long_or_chain_within_the_limit_is_one_flat_node():
    terms = MAX_FILTER_LENGTH // len("a=1 or ")
    node = parse_filter(" or ".join(["a=1"] * terms))
    assert isinstance(node, AnyOf)
    assert len(node.terms) == terms


def count_parser_steps(monkeypatch, text):
    """How many tokens the parser looked at to parse `text`."""
    steps = {"count": 0}
    original_peek = parser_module._Parser._peek

    def counting_peek(self):
        steps["count"] += 1
        return original_peek(self)

    monkeypatch.setattr(parser_module._Parser, "_peek", counting_peek)
    parse_filter(text)
    monkeypatch.setattr(parser_module._Parser, "_peek", original_peek)
    return steps["count"]


@pytest.mark.parametrize("joiner", [" or ", " and "])
def test_parsing_work_grows_linearly_with_chain_length(monkeypatch, joiner):
    steps = [count_parser_steps(monkeypatch, joiner.join(["cpu>=1"] * n)) for n in (100, 200, 400)]
    assert steps[2] - steps[1] == 2 * (steps[1] - steps[0])


def test_parsing_work_grows_linearly_with_nesting(monkeypatch):
    def nested(depth):
        return "(" * depth + "a=1" + ")" * depth

    steps = [count_parser_steps(monkeypatch, nested(depth)) for depth in (8, 16, 32)]
    assert steps[2] - steps[1] == 2 * (steps[1] - steps[0])


@pytest.mark.parametrize("text", ["a=1", "(a=1 or b='x') and c!=2024-05-01"])
def test_errors_are_bad_requests_never_other_exceptions_for_every_prefix(text):
    for end in range(len(text)):
        try:
            parse_filter(text[:end])
        except QueryError:
            pass


def test_date_arithmetic_of_whole_day_is_one_day():
    value = parse_filter("d=2024-12-31").value
    assert value.end - value.start == timedelta(days=1)
    assert value.end.year == 2025


def test_comparison_node_is_immutable():
    node = parse_filter("a=1")
    assert isinstance(node, Comparison)
    with pytest.raises(AttributeError):
        node.op = "!="
