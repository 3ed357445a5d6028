"""XML request bodies to the dict shape JSON bodies have.

Parsing goes only through defusedxml with DTDs forbidden, so entity expansion (billion
laughs) and external entities are refused before any expansion happens. Elements in the CIMI
namespace or in no namespace are read; elements and attributes in other namespaces are
extensions this server does not know and are skipped.

The rules mirror `render`: the root element names the type (`resourceURI` is rebuilt from it,
or taken from the attribute of a `Collection`); attributes become keys (so `href` makes a
reference); `<property key="k">v</property>` elements make the `properties` dict and
`<operation>` elements the `operations` list; leaves are strings (schemas convert them).
Which other elements are lists comes from a shape (`app.protocol.model.shape_of`): the
shape of the schema that validates a request body, or, without one, the shape the root
element's type declares (a collection's members: their type's). A list attribute `volumes`
collects its `<volume>` items (and `<volumes>` elements); a reference's value has its target
type's shape. Undeclared elements that repeat become lists.
"""
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from app.errors import BadRequest
from app.protocol import model
from app.protocol.names import (
    CIMI_NAMESPACE, ITEM_TEXT, is_collection_uri, member_key, member_type,
    resource_uri, type_name,
)

_CIMI_PREFIX = "{" + CIMI_NAMESPACE + "}"


def parse_xml(data, shape=None):
    """The document in `data` (bytes) as a dict; `shape` comes from `model.shape_of(schema)`;
    without it, the shape the root element's type declares."""
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
        document = _complex(root, shape or _declared_shape(root_name))
    except RecursionError:
        raise BadRequest("The XML body is nested too deeply.") from None
    if "resourceURI" not in document:
        document = {"resourceURI": resource_uri(root_name), **document}
    return document


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


def _declared_shape(type_name):
    resource = model.of_name(type_name)
    return resource.shape if resource is not None else None


def _complex(element, shape, text_allowed=False):
    """`text_allowed`: the element may hold text beside its XML attributes (an item whose
    entries are XML attributes, as ResourceMetadata's capabilities are)."""
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
                      **_complex(child, _declared_shape(members_type))}
            document[member_key(members_type)].append(member)
        else:
            _add_child(document, repeated, child, child_name, shape)
    if element.text and element.text.strip() and (len(element) or document):
        if not text_allowed:
            raise BadRequest(f"The XML element <{_local_name(element.tag)}> mixes text with "
                             "attributes or elements.")
        document[ITEM_TEXT] = element.text
    return document


def _add_property(document, element):
    key = element.get("key")
    if key is None:
        raise BadRequest("Each XML <property> element needs a key attribute: "
                         '<property key="k">v</property>.')
    document.setdefault("properties", {})[key] = element.text or ""


def _add_child(document, repeated, child, child_name, shape):
    declared = shape.get(child_name) if shape is not None else None
    if declared is not None:
        attribute, many, nested = (declared.attribute, declared.item is not None,
                                   declared.value_shape)
    else:
        attribute, many, nested = child_name, False, None
    text_allowed = declared is not None and bool(declared.attributes)
    value = _value(child, nested, text_allowed)
    if many:
        document.setdefault(attribute, []).append(value)
    elif attribute in repeated:
        document[attribute].append(value)
    elif attribute in document:
        document[attribute] = [document[attribute], value]
        repeated.add(attribute)
    else:
        document[attribute] = value


def _value(element, nested, text_allowed):
    if len(element) or _plain_attributes(element):
        return _complex(element, nested, text_allowed)
    text = element.text or ""
    if nested is not None and not text.strip():
        return {}
    return text
