"""Splits a `$filter` value into tokens in one left-to-right pass.

Every token pattern is anchored and unambiguous, so the scan is linear in the length of
the input whatever it contains.
"""
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from .errors import QueryError
from .nodes import DateValue

FILTER = "$filter"

PATH_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:[./][A-Za-z_][A-Za-z0-9_]*)*")
_INTEGER = re.compile(r"-?[0-9]+")
_DATE_CHARACTERS = re.compile(r"[0-9TZ:.+-]+")
_DATE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?(Z|[+-][0-9]{2}:[0-9]{2})?)?"
)
_DATE_FORMS = "YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[.fraction][Z|+hh:mm|-hh:mm]"
_MAX_INTEGER_DIGITS = 30
_OPERATORS = ("<=", ">=", "!=", "<", ">", "=")
_KEYWORDS = {"and": "and", "or": "or"}
_BOOLEANS = {"true": True, "false": False}
_ESCAPABLE = "'\"\\"
_PUNCTUATION = "()[]"


@dataclass(frozen=True)
class Token:
    """`kind` is one of `( ) [ ] op and or path string integer date boolean end`."""

    kind: str
    value: object
    position: int
    text: str

    def describe(self):
        if self.kind == "end":
            return "the end of the filter"
        shown = self.text if len(self.text) <= 20 else self.text[:20] + "..."
        return shown if self.kind == "string" else f"'{shown}'"


def tokenize(text):
    """The tokens of `text`, ending with an `end` token; `QueryError` on a lexical error."""
    tokens = []
    index = 0
    while index < len(text):
        character = text[index]
        if character.isspace():
            index += 1
            continue
        token = _read_token(text, index)
        tokens.append(token)
        index += len(token.text)
    tokens.append(Token("end", None, len(text) + 1, ""))
    return tokens


def _read_token(text, index):
    character = text[index]
    if character in _PUNCTUATION:
        return Token(character, character, index + 1, character)
    if character in "<>=!":
        return _read_operator(text, index)
    if character in "'\"":
        return _read_string(text, index)
    if character.isascii() and (character.isdigit() or character == "-"):
        return _read_number_or_date(text, index)
    if character.isascii() and (character.isalpha() or character == "_"):
        return _read_word(text, index)
    raise QueryError(FILTER, f"unexpected character {character!r}", index + 1)


def _read_operator(text, index):
    for operator in _OPERATORS:
        if text.startswith(operator, index):
            return Token("op", operator, index + 1, operator)
    raise QueryError(FILTER, "'!' must be followed by '=' (the operator is '!=')", index + 1)


def _read_string(text, index):
    quote = text[index]
    characters = []
    cursor = index + 1
    while cursor < len(text):
        character = text[cursor]
        if character == quote:
            raw = text[index : cursor + 1]
            return Token("string", "".join(characters), index + 1, raw)
        if character == "\\":
            escaped = text[cursor + 1 : cursor + 2]
            if not escaped:
                break
            if escaped not in _ESCAPABLE:
                raise QueryError(
                    FILTER,
                    f"unknown escape '\\{escaped}' in a string; only \\' \\\" and \\\\ are escapes",
                    cursor + 1,
                )
            characters.append(escaped)
            cursor += 2
            continue
        characters.append(character)
        cursor += 1
    raise QueryError(FILTER, f"string opened with {quote} is not closed", index + 1)


def _read_number_or_date(text, index):
    integer = _INTEGER.match(text, index)
    if integer is None:
        raise QueryError(FILTER, "'-' must be followed by digits", index + 1)
    after = integer.end()
    if text[index] != "-" and text.startswith("-", after):
        return _read_date(text, index)
    if text[after : after + 1] == "." and text[after + 1 : after + 2].isdigit():
        raise QueryError(FILTER, "only integer numbers are supported", index + 1)
    digits = integer.group().lstrip("-")
    if len(digits) > _MAX_INTEGER_DIGITS:
        raise QueryError(
            FILTER, f"integer longer than {_MAX_INTEGER_DIGITS} digits", index + 1
        )
    return Token("integer", int(integer.group()), index + 1, integer.group())


def _read_date(text, index):
    raw = _DATE_CHARACTERS.match(text, index).group()
    match = _DATE.fullmatch(raw)
    if match is None:
        raise QueryError(FILTER, f"malformed date '{raw}'; expected {_DATE_FORMS}", index + 1)
    try:
        value = _date_value(raw, match)
    except ValueError:
        raise QueryError(FILTER, f"'{raw}' is not a valid date", index + 1) from None
    return Token("date", value, index + 1, raw)


def _date_value(raw, match):
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    if hour is None:
        start = datetime(int(year), int(month), int(day), tzinfo=timezone.utc)
        return DateValue(raw, start, start + timedelta(days=1))
    microsecond = int((fraction or "").ljust(6, "0")[:6])
    instant = datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second), microsecond,
        tzinfo=_timezone(offset),
    )
    return DateValue(raw, instant)


def _timezone(offset):
    """UTC when there is no offset: every time this server publishes is UTC."""
    if offset is None or offset == "Z":
        return timezone.utc
    sign = -1 if offset[0] == "-" else 1
    hours, minutes = int(offset[1:3]), int(offset[4:6])
    if minutes > 59:
        raise ValueError(offset)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _read_word(text, index):
    path = PATH_PATTERN.match(text, index).group()
    lowered = path.lower()
    if lowered in _KEYWORDS:
        return Token(_KEYWORDS[lowered], lowered, index + 1, path)
    if lowered in _BOOLEANS:
        return Token("boolean", _BOOLEANS[lowered], index + 1, path)
    return Token("path", tuple(re.split(r"[./]", path)), index + 1, path)
