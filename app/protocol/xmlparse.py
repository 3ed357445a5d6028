"""XML request bodies to the dict shape JSON bodies have.

Parsing goes only through defusedxml with DTDs forbidden, so entity expansion (billion
laughs) and external entities are refused before any expansion happens. Elements in the CIMI
namespace or in no namespace are read; elements and attributes in other namespaces are
extensions this server does not know and are skipped.

The rules mirror `render`: the root element names the type (`resourceURI` is rebuilt from it,
or taken from the attribute of a `Collection`); attributes become keys (so `href` makes a
reference); `<property key="k">v</property>` elements make the `properties` dict and
`<operation>` elements the `operations` list; leaves are strings (schemas convert them).
Which other elements are lists comes from the schema when one is given (`shape_of`): a list
field `volumes` collects `<volume>` (and `<volumes>`) elements. Without a schema, elements
named in `names.SINGULAR_ELEMENTS` (unless `names.SINGLE_VALUED_ELEMENTS` says otherwise for
the enclosing type) and elements that repeat become lists, and a collection's type-named
members become its member list.
"""
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from marshmallow import fields

from app.errors import BadRequest
from app.protocol.names import (
    CIMI_NAMESPACE, ITEM_TEXT, LIST_ITEM_TYPES, PLURAL_ATTRIBUTES, SINGLE_VALUED_ELEMENTS,
    TEXT_VALUED_ELEMENTS, is_collection_uri, member_key, member_type, resource_uri, singular,
    type_name,
)

_CIMI_PREFIX = "{" + CIMI_NAMESPACE + "}"


def parse_xml(data, shape=None):
    """The document in `data` (bytes) as a dict; `shape` comes from `shape_of(schema)`."""
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException as error:
        raise BadRequest("XML bodies must not contain a DTD, entity declarations or external "
                         f"references ({type(error).__name__}).") from None
    except ParseError as error:
        raise BadRequest(f"The XML body is not well-formed: {error}.") from None
    root_name = _local_name(root.tag)
    if root_name is None:
        raise BadRequest(f"The XML root element must be in the {CIMI_NAMESPACE} namespace.")
    try:
        document = _complex(root, root_name, shape, root_name)
    except RecursionError:
        raise BadRequest("The XML body is nested too deeply.") from None
    if "resourceURI" not in document:
        document = {"resourceURI": resource_uri(root_name), **document}
    return document


def shape_of(schema):
    """For each XML element name a schema accepts: (JSON attribute, is a list, nested shape)."""
    return _shape(schema, {})


def _shape(schema, seen):
    key = type(schema)
    if key in seen:
        return seen[key]
    shape = seen[key] = {}
    declared = [(field.data_key or name, field) for name, field in schema.fields.items()
                if not field.dump_only]
    for attribute, field in declared:
        many, inner = _unwrap(field)
        nested = _shape(inner.schema, seen) if isinstance(inner, fields.Nested) else None
        if many:
            shape[singular(attribute)] = shape[attribute] = (attribute, True, nested)
    for attribute, field in declared:
        many, inner = _unwrap(field)
        if not many:
            nested = _shape(inner.schema, seen) if isinstance(inner, fields.Nested) else None
            shape[attribute] = (attribute, False, nested)
    return shape


def _unwrap(field):
    if isinstance(field, fields.List):
        return True, field.inner
    if isinstance(field, fields.Pluck):
        return field.many, None
    if isinstance(field, fields.Nested):
        return field.many, field
    return False, field


def _local_name(tag):
    if not isinstance(tag, str):
        return None
    if tag.startswith(_CIMI_PREFIX):
        return tag[len(_CIMI_PREFIX):]
    if tag.startswith("{"):
        return None
    return tag


def _plain_attributes(element):
    return {name: value for name, value in element.attrib.items() if not name.startswith("{")}


def _complex(element, name, shape, resource_type=None):
    """`resource_type` is the element's CIMI type when its name says it (root, members)."""
    document = _plain_attributes(element)
    uri = document.get("resourceURI")
    members_type = member_type(type_name(uri)) if uri and is_collection_uri(uri) else None
    if members_type:
        document.setdefault(member_key(members_type), [])
    repeated = set()
    for child in element:
        child_name = _local_name(child.tag)
        if child_name is None:
            continue
        if child_name == "property":
            _add_property(document, child)
        elif child_name == "operation":
            document.setdefault("operations", []).append(_plain_attributes(child))
        elif child_name == members_type:
            member = {"resourceURI": resource_uri(members_type),
                      **_complex(child, child_name, None, members_type)}
            document[member_key(members_type)].append(member)
        else:
            _add_child(document, repeated, child, child_name, shape, resource_type)
    if element.text and element.text.strip() and (len(element) or document):
        if name not in TEXT_VALUED_ELEMENTS:
            raise BadRequest(f"The XML element <{name}> mixes text with attributes or elements.")
        document[ITEM_TEXT] = element.text
    return document


def _add_property(document, element):
    key = element.get("key")
    if key is None:
        raise BadRequest("Each XML <property> element needs a key attribute: "
                         '<property key="k">v</property>.')
    document.setdefault("properties", {})[key] = element.text or ""


def _add_child(document, repeated, child, child_name, shape, resource_type):
    if shape is not None and child_name in shape:
        attribute, many, nested = shape[child_name]
    elif (child_name in PLURAL_ATTRIBUTES
          and child_name not in SINGLE_VALUED_ELEMENTS.get(resource_type, ())):
        attribute, many, nested = PLURAL_ATTRIBUTES[child_name], True, None
    else:
        attribute, many, nested = child_name, False, None
    value = _value(child, child_name, nested, LIST_ITEM_TYPES.get(attribute) if many else None)
    if many:
        document.setdefault(attribute, []).append(value)
    elif attribute in repeated:
        document[attribute].append(value)
    elif attribute in document:
        document[attribute] = [document[attribute], value]
        repeated.add(attribute)
    else:
        document[attribute] = value


def _value(element, name, nested, resource_type=None):
    if len(element) or _plain_attributes(element):
        return _complex(element, name, nested, resource_type)
    text = element.text or ""
    if nested is not None and not text.strip():
        return {}
    return text
