"""What oned refuses or cannot store, decided in one place: object names and template values.

Names. oned checks every object name with `PoolObjectSQL::name_is_valid`
(`src/pool/PoolObjectSQL.cc`, release-7.0.2) when a VM, VM template or image is allocated
and when any object (documents included) is renamed: not empty, none of
`& | : \\ " ; / ' # { } $ < >`, tab, newline, vertical tab, form feed or carriage return,
and at most 128 *bytes* of UTF-8 (`std::string::length`). oned trims trailing white space
from a NAME it parses out of an allocation's template (`Template::trim_name`), not from a
rename. A document's allocation checks the length only, but writes the name unescaped into
its XML, so `<`, `&` or `]]>` break it ("Error transforming the Document to XML"). One rule
serves every CIMI resource, whichever object holds it: `name_problem` refuses what any of
these paths refuses, and `normal_name` trims trailing white space on create and rename
alike, so the name a request answers is the one a later read returns.

Values. oned keeps every template value in a CDATA section, which cannot hold `]]>`: an
allocation fails ("Error transforming the VM to XML") and an update answers success yet
stores nothing. Its XML-RPC library (xmlrpc-c) refuses a whole call holding a character
outside Unicode's Basic Multilingual Plane (an emoji). A carriage return is stored but read
back as a line feed (XML parsers normalise line ends). Values the server alone reads (the
`CIMI_` attributes: descriptions, properties, references) are stored losslessly instead:
such a value is written with `%`, `]]>`, CR and those characters percent-escaped behind the
`ENCODED` prefix, and read back decoded by `app.one.parse`, so every reader above the
gateway sees the original text. Any other value (read by oned or the guest, such as a
CONTEXT's SSH_PUBLIC_KEY) is refused by `app.one.templates` with a 400, and the gateway
refuses any other argument (or credentials) xmlrpc-c would refuse before sending it.
"""
import re
from urllib.parse import quote, unquote

NAME_MAX_BYTES = 128
FORBIDDEN_NAME_CHARACTERS = "&|:\\\";/'#{}$<>\t\n\v\f\r"
_SHOWN_CHARACTERS = {"\t": "tab", "\n": "newline", "\v": "vertical tab", "\f": "form feed",
                     "\r": "carriage return"}
_TRAILING_WHITE_SPACE = " \t\n\v\f\r"
# Characters XML 1.0 cannot carry besides those above, and DEL: never part of a name.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_OUTSIDE_BMP = re.compile("[\U00010000-\U0010ffff]")
# What xmlrpc-c cannot receive: characters outside the BMP, and those XML 1.0 cannot carry.
_UNCARRIABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff\U00010000-\U0010ffff]")
_FORBIDDEN = re.compile("[" + re.escape(FORBIDDEN_NAME_CHARACTERS) + "]")

OWN_ATTRIBUTE_PREFIX = "CIMI_"
ENCODED = "%cimi%"
CDATA_END = "]]>"
# A carriage return is stored but never read back: oned's XML documents go through an XML
# parser, which turns CR and CR LF into LF.
_UNSTORABLE = re.compile(re.escape(CDATA_END) + "|\r|[\U00010000-\U0010ffff]")
_ESCAPED = re.compile("%|" + _UNSTORABLE.pattern)


def forbidden_characters_text():
    """The characters names may not hold, as a sentence fragment for messages."""
    printable = " ".join(c for c in FORBIDDEN_NAME_CHARACTERS if c not in _SHOWN_CHARACTERS)
    return f"{printable}, {', '.join(_SHOWN_CHARACTERS.values())}"


def normal_name(name):
    """The name as oned keeps it: trailing white space trimmed."""
    return name.rstrip(_TRAILING_WHITE_SPACE)


def name_problem(name):
    """Why oned would refuse `name` (already normal), as a sentence; None if it is valid."""
    if not name:
        return "A name must not be empty."
    forbidden = _FORBIDDEN.search(name)
    if forbidden:
        char = forbidden.group()
        return (f"A name must not contain {_SHOWN_CHARACTERS.get(char, repr(char))}; "
                f"OpenNebula refuses these characters in names: {forbidden_characters_text()}.")
    control = _CONTROL.search(name)
    if control:
        return f"A name must not contain control characters (U+{ord(control.group()):04X})."
    outside = _OUTSIDE_BMP.search(name)
    if outside:
        return (f"A name must not contain U+{ord(outside.group()):X}: OpenNebula cannot "
                "carry characters outside Unicode's Basic Multilingual Plane.")
    size = len(name.encode("utf-8"))
    if size > NAME_MAX_BYTES:
        return (f"A name may be at most {NAME_MAX_BYTES} bytes long in UTF-8 (OpenNebula's "
                f"limit); this one has {size}.")
    return None


def is_valid_name(name):
    return name_problem(name) is None


def fitted_name(base, suffix=""):
    """`base` + `suffix`, `base` shortened (whole characters) so the name fits the byte
    limit; for names the server derives from other names, which are valid already."""
    room = NAME_MAX_BYTES - len(suffix.encode("utf-8"))
    fitted = base.encode("utf-8")[:max(room, 0)].decode("utf-8", "ignore")
    return normal_name(fitted + suffix)


def uncarriable_character(text):
    """The first character of `text` oned's XML-RPC library refuses to receive (a control
    character XML cannot carry, or one outside the Basic Multilingual Plane), or None."""
    found = _UNCARRIABLE.search(text)
    return found.group() if found else None


def unstorable_part(text):
    """What of `text` oned cannot store as a template value (`]]>`, a carriage return or a
    character outside the Basic Multilingual Plane); None if it can store it as it is."""
    found = _UNSTORABLE.search(text)
    return found.group() if found else None


def is_own_attribute(name):
    return name.startswith(OWN_ATTRIBUTE_PREFIX)


def stored_value(text):
    """An own attribute's text as written to oned: itself when oned can store it and it
    cannot be mistaken for an encoded value, else encoded."""
    if not _UNSTORABLE.search(text) and not text.startswith(ENCODED):
        return text
    return ENCODED + _ESCAPED.sub(_escape, text)


def read_value(text):
    """An own attribute's text as read from oned, decoded when it was encoded."""
    if not text.startswith(ENCODED):
        return text
    try:
        return unquote(text[len(ENCODED):], errors="strict")
    except UnicodeDecodeError:
        return text    # edited by hand into something this module never writes


def _escape(match):
    found = match.group()
    if found == CDATA_END:
        return "]]%3E"
    return quote(found, safe="")
