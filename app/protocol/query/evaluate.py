"""Evaluates a filter node against one CIMI document dict.

Semantics (documented for users in `app/protocol/query/__init__.py`):
- a path walks nested dicts; a reference (`{"href": ...}`) compares as its href;
- a missing or null attribute, a list, a dict that is not a reference, or a value of another
  type than the literal makes `=` and every ordering false;
- `a != v` is exactly `not (a = v)`, so it also holds for those members.
"""
import operator
import re
from datetime import datetime, timezone

from .nodes import AllOf, AnyOf, Comparison, DateValue

_ORDERINGS = {
    "=": operator.eq,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_ISO_INSTANT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?"
)


class _Missing:
    def __repr__(self):
        return "MISSING"


MISSING = _Missing()


def matches(node, document):
    """Whether `document` satisfies the filter `node`."""
    if isinstance(node, Comparison):
        return _compare(node, document)
    if isinstance(node, AllOf):
        return all(matches(term, document) for term in node.terms)
    if isinstance(node, AnyOf):
        return any(matches(term, document) for term in node.terms)
    raise TypeError(f"not a filter node: {node!r}")


def resolve(document, path):
    """The scalar at `path` in `document`, a reference's href, or `MISSING`."""
    value = document
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return MISSING
        value = value[key]
    return scalar(value)


def scalar(value):
    """`value` as something comparable: references become their href, the rest `MISSING`."""
    if isinstance(value, dict):
        href = value.get("href")
        return href if isinstance(href, str) else MISSING
    if value is None or isinstance(value, (list, tuple)):
        return MISSING
    return value


def as_instant(value):
    """An aware datetime for an ISO 8601 string (naive means UTC), or None."""
    if isinstance(value, datetime):
        instant = value
    elif isinstance(value, str) and _ISO_INSTANT.fullmatch(value):
        try:
            instant = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    return instant if instant.tzinfo else instant.replace(tzinfo=timezone.utc)


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _compare(comparison, document):
    actual = resolve(document, comparison.path)
    if comparison.op == "!=":
        return not _holds("=", actual, comparison.value)
    return _holds(comparison.op, actual, comparison.value)


def _holds(op, actual, literal):
    if actual is MISSING:
        return False
    if isinstance(literal, bool):
        return isinstance(actual, bool) and actual == literal
    if isinstance(literal, int):
        return is_number(actual) and _ORDERINGS[op](actual, literal)
    if isinstance(literal, str):
        return isinstance(actual, str) and _ORDERINGS[op](actual, literal)
    if isinstance(literal, DateValue):
        instant = as_instant(actual)
        return instant is not None and _holds_in_time(op, instant, literal)
    raise TypeError(f"not a filter value: {literal!r}")


def _holds_in_time(op, instant, literal):
    if not literal.is_whole_day:
        return _ORDERINGS[op](instant, literal.start)
    day_starts, next_day_starts = literal.start, literal.end
    if op == "=":
        return day_starts <= instant < next_day_starts
    if op == "<":
        return instant < day_starts
    if op == "<=":
        return instant < next_day_starts
    if op == ">":
        return instant >= next_day_starts
    return instant >= day_starts
