"""The one place where OpenNebula templates are written.

Templates are sent in OpenNebula's XML form, `<TEMPLATE><NAME>...</NAME>...</TEMPLATE>`, with
every value escaped as XML text. The `attr=value` form cannot carry every value: oned's
lexer rejects any line containing `]]>` and only unescapes `\\"`, so a backslash before a
quote cannot round-trip. pyone's XML form wraps values in CDATA, which `]]>` breaks. Escaped
XML text has neither problem: oned parses it with libxml2 (`Template::from_xml`), which turns
`&amp;`, `&lt;` and `&gt;` back into the literal characters, and a value can never
open or close an element.

Input is a dict: a scalar (str, int, float, bool) is a single attribute, a dict is a vector
attribute (scalar values only, as in OpenNebula), and a list repeats the attribute (each item
a scalar or a dict). Booleans become YES/NO. Names must be OpenNebula attribute names
(upper case letters, digits and `_`, not starting with a digit or `XML`), because oned
silently renames anything else.

Limits that come from OpenNebula and XML, not from this module: characters XML 1.0 cannot
carry (NUL and most other control characters, lone surrogates) are rejected; oned drops
attributes whose value is empty; oned trims trailing white space from NAME. Values oned
cannot store (`]]>`, characters outside the Basic Multilingual Plane) are encoded when the
attribute is the server's own (`CIMI_...`) and refused otherwise (`app.one.storable`).
"""
import math
import re

from app.errors import BadRequest
from app.one.storable import CDATA_END, is_own_attribute, stored_value, unstorable_part

ROOT = "TEMPLATE"

_NAME = re.compile(r"[A-Z_][A-Z0-9_]{0,127}\Z")
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def build_template(attributes):
    """OpenNebula template text (XML form) for a dict of attributes."""
    if not isinstance(attributes, dict):
        raise TypeError("a template is built from a dict")
    parts = [f"<{ROOT}>"]
    for name, value in attributes.items():
        _check_name(name)
        items = value if isinstance(value, list) else (value,)
        for item in items:
            if isinstance(item, dict):
                parts.append(_vector(name, item))
            else:
                parts.append(_element(name, _scalar(name, name, item)))
    parts.append(f"</{ROOT}>")
    return "".join(parts)


def _vector(name, members):
    if not members:
        raise BadRequest(f"Attribute {name} must not be an empty vector.")
    parts = [f"<{name}>"]
    for key, value in members.items():
        _check_name(key)
        if isinstance(value, (dict, list)):
            raise BadRequest(f"Attribute {name}/{key} must be a single value.")
        parts.append(_element(key, _scalar(key, f"{name}/{key}", value)))
    parts.append(f"</{name}>")
    return "".join(parts)


def _element(name, text):
    return f"<{name}>{text}</{name}>"


def _check_name(name):
    if not isinstance(name, str) or not _NAME.match(name) or name.startswith("XML"):
        raise BadRequest(f"{name!r} is not a valid OpenNebula attribute name.")


def _scalar(name, label, value):
    """The escaped text of one value of attribute `name` (`label` in messages)."""
    if isinstance(value, bool):
        return "YES" if value else "NO"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise BadRequest(f"Attribute {label} must be a finite number.")
        return repr(value)
    if isinstance(value, str):
        bad = _NOT_XML_CHAR.search(value)
        if bad:
            raise BadRequest(
                f"Attribute {label} contains a character that cannot be stored "
                f"(code point U+{ord(bad.group()):04X}).")
        return _storable(name, label, value).translate(_TEXT_ESCAPES)
    raise BadRequest(f"Attribute {label} has an unsupported value type.")


def _storable(name, label, text):
    if is_own_attribute(name):
        return stored_value(text)
    unstorable = unstorable_part(text)
    if unstorable:
        shown = unstorable if unstorable == CDATA_END else f"U+{ord(unstorable):X}"
        raise BadRequest(f"Attribute {label} contains {shown}, which OpenNebula cannot store.")
    return text
