"""Parsers for `$select`, `$expand`, `$orderby`, `$first` and `$last` values."""
import re
from dataclasses import dataclass

from .errors import QueryError
from .lexer import PATH_PATTERN

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_POSITIVE = re.compile(r"[0-9]{1,18}")
_DIRECTIONS = {"asc": False, "desc": True}
EVERYTHING = "*"


@dataclass(frozen=True)
class AttributeSelection:
    """Top-level attribute names from `$select` or `$expand`; `everything` for `*`."""

    names: frozenset = frozenset()
    everything: bool = False

    def includes(self, name):
        return self.everything or name in self.names


@dataclass(frozen=True)
class SortKey:
    """One `$orderby` key: a path into the document and its direction."""

    path: tuple[str, ...]
    descending: bool = False


def parse_attribute_selection(parameter, values):
    """The union of the comma-separated names in every value of `parameter`."""
    names = set()
    for value in values:
        for item, position in _items(parameter, value):
            if item != EVERYTHING and not _NAME.fullmatch(item):
                raise QueryError(parameter, f"'{item}' is not an attribute name", position)
            names.add(item)
    return AttributeSelection(frozenset(names - {EVERYTHING}), EVERYTHING in names)


def parse_orderby(values):
    """The sort keys of every `$orderby` value, in order: `attr`, `attr:asc`, `attr:desc`."""
    keys = []
    for value in values:
        for item, position in _items("$orderby", value):
            keys.append(_sort_key(item, position))
    return tuple(keys)


def parse_position(parameter, values):
    """The 1-based member number given by `$first` or `$last`, or None when absent."""
    if not values:
        return None
    if len(values) > 1:
        raise QueryError(parameter, "given more than once")
    text = values[0].strip()
    if not _POSITIVE.fullmatch(text):
        raise QueryError(parameter, f"'{text}' is not a positive integer (1, 2, 3, ...)")
    number = int(text)
    if number < 1:
        raise QueryError(parameter, "members are numbered from 1")
    return number


def _sort_key(item, position):
    path_text, colon, direction = item.partition(":")
    path_text, direction = path_text.rstrip(), direction.strip()
    if not PATH_PATTERN.fullmatch(path_text):
        raise QueryError("$orderby", f"'{path_text}' is not an attribute name", position)
    if colon and direction.lower() not in _DIRECTIONS:
        raise QueryError(
            "$orderby",
            f"'{direction}' is not a direction; use asc or desc",
            position + item.index(":") + 1,
        )
    descending = _DIRECTIONS[direction.lower()] if colon else False
    return SortKey(tuple(re.split(r"[./]", path_text)), descending)


def _items(parameter, value):
    """(item, 1-based position) for each comma-separated item, surrounding spaces removed."""
    offset = 0
    for raw in value.split(","):
        item = raw.strip()
        position = offset + (len(raw) - len(raw.lstrip())) + 1
        if not item:
            raise QueryError(parameter, "empty attribute name", position)
        yield item, position
        offset += len(raw) + 1
