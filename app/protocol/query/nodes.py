"""The parsed form of a `$filter`: immutable nodes that the evaluator walks.

A comparison always has the attribute on the left: `5 < cpu` is stored as `cpu > 5`.
"""
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class DateValue:
    """An unquoted date or dateTime literal.

    A dateTime denotes one instant (`end` is None). A date alone denotes the whole UTC day
    `[start, end)`, so `created=2024-05-01` means "created on that day".
    """

    text: str
    start: datetime
    end: datetime | None = None

    @property
    def is_whole_day(self):
        return self.end is not None


@dataclass(frozen=True)
class Comparison:
    """`path op value`; `path` is the tuple of keys leading into the document."""

    path: tuple[str, ...]
    op: str
    value: int | str | bool | DateValue
    position: int


@dataclass(frozen=True)
class AllOf:
    """Every term holds (`and`, and several `$filter` parameters)."""

    terms: tuple


@dataclass(frozen=True)
class AnyOf:
    """At least one term holds (`or`)."""

    terms: tuple
