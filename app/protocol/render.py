"""Document dicts to JSON and XML bytes (UTF-8).

XML follows the rules in docs/architecture.md: default namespace CIMI_NAMESPACE; the root is
named by the last segment of `resourceURI`, except collections whose root is `Collection` with
the `resourceURI` attribute and whose members are elements named by the member type;
`properties` become `<property key="k">v</property>`, `operations` `<operation rel="" href=""/>`,
a dict's `href` becomes an attribute (its other entries child elements), other lists repeat
the item element their resource type declares (`app.protocol.model`: a document's type is
its `resourceURI`, a nested value's the attribute's declaration). In XML a non-collection's type is its
element name, so `resourceURI` is written only on collections. Attributes whose value is None
are left out of XML (JSON writes null, so services leave absent attributes out instead).

XML is built as a string because a 10,000-member collection must render quickly; every value
goes through `_text` or `_attribute`. Characters XML 1.0 cannot carry (most C0 controls, lone
surrogates) are written as U+FFFD rather than producing a document no parser accepts.
"""
import json
import re

import orjson

from app.protocol import model
from app.protocol.names import (
    CIMI_NAMESPACE, ITEM_TEXT, is_collection_uri, member_type, type_name,
)

COLLECTION_ELEMENT = "Collection"
_NOT_XML_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Most values need no escaping at all: one search tells, before any replacement is tried.
_TEXT_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ATTRIBUTE_SPECIAL = re.compile('[&<>\r"\n\t\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')
_ORJSON_AS_STANDARD = (orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATACLASS
                       | orjson.OPT_PASSTHROUGH_DATETIME)
_SHORT_NEGATIVE_EXPONENT = re.compile(rb"[0-9]e-[0-9](?![0-9])")


def to_json(document):
    """orjson writes what the standard library's compact UTF-8 encoding writes, in a
    tenth of the time, except where `_may_differ` says it may not; that encoding is the
    reference, and it also takes what orjson refuses (text with lone surrogates, written
    as "?"; integers beyond 64 bits; keys that are not strings; any other type: subclasses,
    dataclasses and dates are passed to it, not written by orjson's own rules)."""
    try:
        fast = orjson.dumps(document, option=_ORJSON_AS_STANDARD)
    except orjson.JSONEncodeError:
        fast = None
    if fast is not None and not _may_differ(fast):
        return fast
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8", "replace")


def _may_differ(encoded):
    """Whether orjson's `encoded` may not be the standard library's: a float below 1e-4 is
    written 0.00001 or 1e-5 where Python writes 1e-05, and NaN or infinities null where
    Python writes NaN or Infinity. So no "0.0000", no single-digit negative exponent and
    no null (a string holding one of them only costs the slower encoding)."""
    return (b"null" in encoded or b"0.0000" in encoded
            or (b"e-" in encoded and _SHORT_NEGATIVE_EXPONENT.search(encoded) is not None))


def to_xml(document, root=None):
    """`root` names the root element of a document without a `resourceURI`."""
    uri = document.get("resourceURI")
    if uri is not None and is_collection_uri(uri):
        root_name = COLLECTION_ELEMENT
    elif uri is not None:
        root_name = type_name(uri)
    elif root is not None:
        root_name = root
    else:
        raise ValueError("an XML document needs a resourceURI or an explicit root element name")
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    _complex(out, root_name, document, _shape(document, None), f' xmlns="{CIMI_NAMESPACE}"')
    return "".join(out).encode("utf-8")


def _text(value):
    if _TEXT_SPECIAL.search(value) is None:
        return value
    if _NOT_XML_CHARACTERS.search(value):
        value = _NOT_XML_CHARACTERS.sub("\ufffd", value)
    # A literal CR would be normalised away by the reader, so it travels as a reference.
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


def _attribute(value):
    if _ATTRIBUTE_SPECIAL.search(value) is None:
        return value
    return _text(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def _scalar(value):
    return _text(value) if isinstance(value, str) else _plain(value)


def _plain(value):
    """A scalar's text, not yet escaped."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    raise TypeError(f"cannot render {type(value).__name__} as a CIMI attribute value")


def _shape(document, declared):
    """The shape of a structured value: its own type's when it names one (a resource, an
    expanded reference), else `declared`, what the enclosing attribute declares."""
    uri = document.get("resourceURI")
    resource = model.of_uri(uri) if isinstance(uri, str) else None
    return resource.shape if resource is not None else declared


def _complex(out, name, document, shape, extra_attributes=""):
    uri = document.get("resourceURI")
    collection_members = None
    attributes = extra_attributes
    if uri is not None and is_collection_uri(uri):
        collection_members = member_type(type_name(uri))
        attributes += f' resourceURI="{_attribute(uri)}"'
    reference = document.get("href")
    if isinstance(reference, str):
        attributes += f' href="{_attribute(reference)}"'
    start = len(out)
    out.append(f"<{name}{attributes}>")
    shape = shape or {}
    for key, value in document.items():
        if value is None or key == "resourceURI" or (key == "href" and isinstance(value, str)):
            continue
        if key == "properties" and isinstance(value, dict):
            for property_key, property_value in value.items():
                out.append(f'<property key="{_attribute(property_key)}">'
                           f'{_scalar(property_value)}</property>')
        elif key == "operations" and isinstance(value, list):
            for entry in value:
                out.append(f'<operation rel="{_attribute(entry["rel"])}" '
                           f'href="{_attribute(entry["href"])}"/>')
        elif collection_members is not None and isinstance(value, list):
            for member in value:
                _complex(out, collection_members, member, _shape(member, None))
        else:
            _element(out, key, value, shape.get(key))
    if len(out) == start + 1:
        out[start] = f"<{name}{attributes}/>"
    else:
        out.append(f"</{name}>")


def _attributed(out, name, item, names):
    """One list item whose `names` entries are XML attributes and whose ITEM_TEXT entry is
    the element's text; what else it holds are child elements."""
    attributes = "".join(f' {key}="{_attribute(_plain(item[key]))}"' for key in names
                         if item.get(key) is not None)
    start = len(out)
    out.append(f"<{name}{attributes}>")
    if item.get(ITEM_TEXT) is not None:
        out.append(_scalar(item[ITEM_TEXT]))
    for key, value in item.items():
        if key not in names and key != ITEM_TEXT:
            _element(out, key, value, None)
    if len(out) == start + 1:
        out[start] = f"<{name}{attributes}/>"
    else:
        out.append(f"</{name}>")


def _element(out, name, value, element):
    """One attribute; `element` is its declaration (`model.Element`), None when undeclared."""
    if value is None:
        return
    nested = element.value_shape if element is not None else None
    if isinstance(value, dict):
        _complex(out, name, value, _shape(value, nested))
    elif isinstance(value, list):
        # An undeclared list repeats its own name.
        item_name = element.item if element is not None and element.item else name
        for item in value:
            if element is not None and element.attributes and isinstance(item, dict):
                _attributed(out, item_name, item, element.attributes)
            elif isinstance(item, dict):
                _complex(out, item_name, item, _shape(item, nested))
            elif item is not None:
                out.append(f"<{item_name}>{_scalar(item)}</{item_name}>")
    else:
        out.append(f"<{name}>{_scalar(value)}</{name}>")
