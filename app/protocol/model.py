"""CIMI resource types, each declared once (the declarations are in `schemas/`).

A resource type is declared by a `Resource`: its name, its collection, its actions and
capabilities, and its attributes as one marshmallow schema listing every attribute in CIMI's
order (the common ones first, `operations` last; `schemas.common.Attributes` is their base).
What a client may send is a plain field, which validates a PUT body; what only the server
sends is `dump_only` (`shown`, `reference`, `subcollection`, `listed(..., shown=True)`).
Everything else is derived from that one declaration:
- the documents the services return (`Resource.document`: the attributes in order, the empty
  ones left out, an undeclared one refused);
- XML: the element of each list item (`listed(..., item=...)`), and which elements are single
  (`shape_of`, read by the renderer and the XML body parser alike);
- ResourceMetadata (type, description, units, required, constraints of each attribute) and
  the resource's schema in the OpenAPI document.

Declaring a type registers it (`declared`, `of_name`, `of_uri`, `of_collection`), so nothing
else lists the types: a new resource type appears in every format and description once its
module is imported.
"""
from dataclasses import dataclass, field

from marshmallow import EXCLUDE, Schema, fields

from app.protocol.names import resource_uri, type_name

COMMON_ATTRIBUTES = ("resourceURI", "id", "name", "description", "created", "updated",
                     "properties")
OPERATIONS = "operations"
EMPTY = (None, "", [], {})
_RESOURCES = {}


def described(text, **model):
    """A field's metadata: its description, as ResourceMetadata and the OpenAPI document show
    it, and what the model reads (`item`: the XML element of a list's items; `units`;
    `target`: the type a reference names)."""
    return {"description": text, **model}


def shown(kind=fields.String, description="", **extra):
    """An attribute only the server sets: `kind` is its marshmallow field class."""
    return kind(dump_only=True, metadata=described(description, **extra))


class Href(Schema):
    class Meta:
        unknown = EXCLUDE

    href = fields.String(metadata=described("The URI of the resource referred to."))


def reference(target, description, writable=False):
    """A reference to a resource of type `target`: `{"href": ...}`, or the whole resource
    when `$expand` names it."""
    return fields.Nested(Href, dump_only=not writable,
                         metadata=described(description, target=target))


def subcollection(target, description):
    """A member's sub-collection of `target` resources (`{"href": ...}`)."""
    return fields.Nested(Href, dump_only=True,
                         metadata=described(description, target=target))


def listed(inner, item, description="", shown=False, xml_attributes=(), **keywords):
    """A list attribute whose XML items are `<item>` elements (`xml_attributes`: the entries
    of each item written as attributes of its element)."""
    return fields.List(inner, dump_only=shown, metadata=described(
        description, item=item, xml_attributes=xml_attributes), **keywords)


class Operation(Schema):
    rel = fields.String(metadata=described("What the operation does: edit, delete, or an "
                                           "action URI."))
    href = fields.String(metadata=described("Where to send it."))


@dataclass(frozen=True)
class Capability:
    name: str
    value: str
    description: str


@dataclass(frozen=True)
class Element:
    """How one attribute is written in XML: `item` names each element of a list (None: not
    a list), `shape` is the shape of a structured value (None: text), `attributes` are the
    entries of each item written as XML attributes (as ResourceMetadata's items are)."""

    attribute: str
    item: str = None
    shape: dict = None
    attributes: tuple = ()
    target: str = None

    @property
    def value_shape(self):
        """The shape of a value: a reference's is its target type's (what `$expand` puts
        there), once that type is declared."""
        resource = _RESOURCES.get(self.target) if self.target else None
        return resource.shape if resource is not None else self.shape


def shape_of(schema, seen=None):
    """The XML shape of a marshmallow schema: for each attribute, its `Element`; for each
    list's item element name, the same `Element`. Request schemas have one too: the XML body
    parser reads a body with the shape of the schema that validates it."""
    seen = {} if seen is None else seen
    key = schema if isinstance(schema, type) else type(schema)
    if key in seen:
        return seen[key]
    shape = seen[key] = {}
    instance = schema() if isinstance(schema, type) else schema
    elements = [_element(declared.data_key or name, declared, seen)
                for name, declared in instance.fields.items()]
    for element in elements:
        if element.item is not None:
            shape[element.item] = shape[element.attribute] = element
    # A single-valued attribute named like another's list item (a MachineVolume's `volume`
    # beside a template's `volumes`) is read as itself.
    shape.update((element.attribute, element) for element in elements if element.item is None)
    return shape


def _element(attribute, declared, seen):
    if isinstance(declared, fields.List):
        inner = declared.inner
        nested = shape_of(inner.schema, seen) if isinstance(inner, fields.Nested) else None
        return Element(attribute, declared.metadata.get("item", attribute), nested,
                       tuple(declared.metadata.get("xml_attributes", ())),
                       inner.metadata.get("target"))
    if isinstance(declared, fields.Nested):
        return Element(attribute, None, shape_of(declared.schema, seen),
                       target=declared.metadata.get("target"))
    return Element(attribute)


@dataclass(eq=False)
class Resource:
    """One CIMI resource type. `collection` is its Cloud Entry Point key (None for the parts
    of another resource, such as a machine's disks); `actions` maps each CIMI action it
    accepts to what it does. `lists_collections`: beyond its own attributes, the resource
    holds a reference to the collection of every declared type, under the collection's key
    (the Cloud Entry Point)."""

    name: str
    attributes: type
    description: str
    collection: str = None
    actions: dict = field(default_factory=dict)
    capabilities: tuple = ()
    lists_collections: bool = False

    def __post_init__(self):
        if self.name in _RESOURCES:
            raise ValueError(f"{self.name} is declared twice")
        _RESOURCES[self.name] = self
        self.uri = resource_uri(self.name)
        declared = self.attributes().fields
        self.fields = {name: declared[name] for name in _ordered(declared)}
        self.shape = shape_of(self.attributes)

    def document(self, values):
        """The resource's document of `values` (attribute -> value): its resourceURI, then
        the declared attributes in order, those without a value left out."""
        collections = self._collection_keys()
        if not values.keys() <= self.fields.keys():
            unknown = values.keys() - self.fields.keys() - collections
            if unknown:
                raise ValueError(f"{self.name} declares no attribute {sorted(unknown)}")
        document = {"resourceURI": self.uri}
        for name in self.fields:
            value = values.get(name)
            # A true value is kept without comparing it with each empty one: a listing
            # writes some twenty attributes for each of its thousand members.
            if value or (value is not None and value not in EMPTY):
                document[name] = value
        if collections:
            document.update((name, value) for name, value in values.items()
                            if name in collections)
        return document

    def _collection_keys(self):
        if not self.lists_collections:
            return set()
        return {resource.collection for resource in _RESOURCES.values() if resource.collection}


def _ordered(declared):
    own = [name for name in declared if name not in COMMON_ATTRIBUTES and name != OPERATIONS]
    return [name for name in (*COMMON_ATTRIBUTES, *own, OPERATIONS) if name in declared]


def declared():
    """Every declared resource type, in declaration order."""
    return tuple(_RESOURCES.values())


def of_uri(uri):
    """The declared type whose resourceURI is `uri`, or None."""
    return _RESOURCES.get(type_name(uri))


def of_name(name):
    return _RESOURCES.get(name)


def of_collection(key):
    """The declared type whose collection the Cloud Entry Point lists under `key`, or None."""
    return next((resource for resource in _RESOURCES.values() if resource.collection == key),
                None)
