"""The Idempotency-Key request header (IETF draft-ietf-httpapi-idempotency-key-header).

The draft makes the value a Structured Field String (RFC 8941): `"` printable ASCII `"`,
with `\\"` and `\\\\` as the only escapes. Clients often send a bare UUID instead, so a value of
unquoted letters, digits and `-._~+/=:` is taken as it is. Either way the key is 1 to
`MAX_KEY_LENGTH` characters; anything else, or the header given twice, is a 400.
"""
import re

from flask import request

from app.errors import BadRequest

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
_BARE = re.compile(r"[A-Za-z0-9\-._~+/=:]+\Z")
_OPTIONAL_WHITE_SPACE = " \t"


def idempotency_key():
    """The request's key, or None when it sends none; BadRequest for a malformed one."""
    values = request.headers.getlist(HEADER)
    if not values:
        return None
    if len(values) > 1:
        raise BadRequest(f"{HEADER} must be given once.")
    key = parsed_key(values[0].strip(_OPTIONAL_WHITE_SPACE))
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise BadRequest(f"{HEADER} must hold 1 to {MAX_KEY_LENGTH} characters.")
    return key


def parsed_key(value):
    if not value.startswith('"'):
        if value and not _BARE.match(value):
            raise BadRequest(f'{HEADER} must be a quoted string ("...") of printable ASCII '
                             "characters, or a token of letters, digits and -._~+/=:.")
        return value
    return _string(value)


def _string(value):
    """The content of a Structured Field String that makes up the whole `value`."""
    characters, index = [], 1
    while index < len(value):
        char = value[index]
        if char == "\\":
            escaped = value[index + 1:index + 2]
            if escaped not in ('"', "\\"):
                raise BadRequest(f'{HEADER}: only \\" and \\\\ may be escaped in a quoted key.')
            characters.append(escaped)
            index += 2
        elif char == '"':
            if index != len(value) - 1:
                raise BadRequest(f"{HEADER} must hold a single quoted string.")
            return "".join(characters)
        elif not " " <= char <= "~":
            raise BadRequest(f"{HEADER} may hold printable ASCII characters only.")
        else:
            characters.append(char)
            index += 1
    raise BadRequest(f"{HEADER}: the quoted key has no closing quote.")
