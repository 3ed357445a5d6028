"""Fields and nested shapes shared by the request schemas of several CIMI resources.

Request bodies arrive either as JSON or as XML turned into the same dict shape; XML leaves are
strings, so numeric and boolean fields accept their text form as well, but never a fraction
where a whole number is meant.
"""
import base64
import binascii
import re

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from app.one.storable import name_problem, normal_name
from app.protocol.bodies import MAX_INTEGER_DIGITS
from app.protocol.model import Operation, described, listed, shown

DESCRIPTION_MAX_LENGTH = 4096
PROPERTY_KEY_MAX_LENGTH = 128
PROPERTY_VALUE_MAX_LENGTH = 4096
PROPERTIES_MAX_COUNT = 64

_WHOLE_NUMBER = re.compile(r"^\s*-?[0-9]{1,%d}\s*$" % MAX_INTEGER_DIGITS)
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BASE64 = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")


class WholeNumber(fields.Integer):
    """An integer given as a JSON number or as decimal text; fractions and booleans are refused."""

    default_error_messages = {
        "invalid": f"Not a whole number (of at most {MAX_INTEGER_DIGITS} digits)."}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _WHOLE_NUMBER.match(value):
            return int(value)
        raise self.make_error("invalid")


class Flag(fields.Boolean):
    """A boolean given as JSON true/false or as the XML text 'true'/'false' (white space
    around it ignored, as for every value that is not free text)."""

    truthy = {True, "true", "True", "TRUE", "1", 1}
    falsy = {False, "false", "False", "FALSE", "0", 0}

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value.strip() if isinstance(value, str) else value,
                                    attr, data, **kwargs)


# The end of a refusal of a keyword: the value received (without the white space around it).
GIVEN = " {input!r} was given."


class Keyword(fields.String):
    """A value from a fixed set (a format, a visibility, a state): white space around it is
    ignored in JSON and XML alike, as XML writers indent; free text (names, descriptions,
    properties) keeps its white space."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


def strict_base64(text):
    """The bytes of padded RFC 4648 base64 text; None if it is not that."""
    if len(text) % 4 or not _BASE64.match(text):
        return None
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        return None


def _printable(value):
    if _CONTROL_CHARACTERS.search(value):
        raise ValidationError("Must not contain control characters.")


class Name(fields.String):
    """A resource name, as OpenNebula keeps it (trailing white space trimmed) and only if
    OpenNebula accepts it: one rule for every resource (`app.one.storable`)."""

    def _deserialize(self, value, attr, data, **kwargs):
        name = normal_name(super()._deserialize(value, attr, data, **kwargs))
        problem = name_problem(name)
        if problem:
            raise ValidationError(problem)
        return name


def name_field(required=False):
    return Name(required=required, metadata=described(
        "The resource's name: at most 128 bytes, none of & | : \\ \" ; / ' # { } $ < > or "
        "tab or newline (OpenNebula's rule)."))


def description_field():
    return fields.String(validate=validate.Length(max=DESCRIPTION_MAX_LENGTH),
                         metadata=described("Free text describing the resource."))


def properties_field():
    return fields.Dict(
        metadata=described("The client's own key/value strings, kept with the resource."),
        keys=fields.String(validate=[validate.Length(min=1, max=PROPERTY_KEY_MAX_LENGTH), _printable]),
        values=fields.String(validate=validate.Length(max=PROPERTY_VALUE_MAX_LENGTH)),
        validate=validate.Length(max=PROPERTIES_MAX_COUNT,
                                 error=f"At most {PROPERTIES_MAX_COUNT} properties."),
    )


def href_field(required=False):
    return fields.String(required=required, validate=validate.Length(min=1, max=2048))


class CimiBody(Schema):
    """Base of every request body: attributes the server computes itself (id, created, state,
    operations, ...) are ignored, so a client may send back a document it has read."""

    class Meta:
        unknown = EXCLUDE


class CommonAttributes(CimiBody):
    """The user-settable common attributes of every CIMI resource."""

    name = name_field()
    description = description_field()
    properties = properties_field()


class ReferenceOrValue(CimiBody):
    """A reference given by href, by value, or both (values next to an href override it)."""

    href = href_field()

    @validates_schema
    def _not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError("Give an href or the attributes of the resource.")


class Attributes(CommonAttributes):
    """The attributes every CIMI resource has (name, description and properties as a client
    sets them); a resource's own attributes follow in its subclass, `operations` always
    last."""

    resourceURI = shown(description="The URI of the resource's type.")
    id = shown(description="The resource's URI, unique and never reused.")
    created = shown(fields.DateTime, "When the resource was created (ISO 8601, UTC).")
    updated = shown(fields.DateTime, "When the resource was last changed (ISO 8601, UTC).")
    operations = listed(fields.Nested(Operation), "operation", "What may be done to the "
                        "resource now, and where.", shown=True)


class ReadOnlyAttributes(Attributes):
    """The common attributes of a resource no client writes (a network, a Job, an event log):
    OpenNebula or the server names and describes it."""

    name = shown(description="The resource's name.")
    description = shown(description="What the resource is.")
    properties = shown(fields.Dict, "Key/value strings kept with the resource.")


def owner_field(what):
    """The OpenNebula user who owns the resource (`what` names it), an extension attribute."""
    return shown(description=f"The OpenNebula user who owns the {what} (this server's "
                 "extension).")
