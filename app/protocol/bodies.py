"""Request bodies: JSON or XML, loaded with the caller's marshmallow schema.

Every problem (no body, malformed JSON or XML, a DTD or entity in XML, a value the schema
refuses) is a BadRequest whose message names the offending field as a dotted path
(`machineTemplate.machineImage.href`, list items as `volumes[0]`).
"""
import json

from flask import current_app, request
from marshmallow import ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from app.errors import BadRequest
from app.protocol.negotiation import body_format
from app.protocol.model import shape_of
from app.protocol.xmlparse import parse_xml


def read_body(schema):
    """The request body loaded by `schema` (a marshmallow Schema instance or class)."""
    if isinstance(schema, type):
        schema = schema()
    data = _body_bytes()
    if not data.strip():
        raise BadRequest("The request body is empty; send a JSON or XML document.")
    if body_format() == "xml":
        document = parse_xml(data, shape_of(schema))
    else:
        document = parse_json(data)
    try:
        return schema.load(document)
    except ValidationError as error:
        raise BadRequest("Invalid request body: " + describe(error.messages)) from None


def _body_bytes():
    data = request.get_data(cache=True)
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    # Werkzeug stops reading a body of unknown length (chunked) at the limit without
    # complaint; a body that reaches the limit is taken as one that exceeds it.
    if request.content_length is None and limit is not None and len(data) >= limit:
        raise RequestEntityTooLarge(f"The request body is larger than the limit of {limit} bytes.")
    return data


def parse_json(data):
    try:
        document = json.loads(data, parse_constant=_refuse_constant, parse_int=_bounded_integer)
    except RecursionError:
        raise BadRequest("The JSON body is nested too deeply.") from None
    except UnicodeDecodeError:
        raise BadRequest("The JSON body is not valid UTF-8.") from None
    except json.JSONDecodeError as error:
        raise BadRequest(f"The JSON body is malformed: {error.msg} at line {error.lineno} "
                         f"column {error.colno}.") from None
    if not isinstance(document, dict):
        raise BadRequest("The JSON body must be an object.")
    try:
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise BadRequest(
            "The JSON body contains an unpaired surrogate (\\ud800-\\udfff).") from None
    return document


def describe(messages, path=""):
    """marshmallow's nested error messages as 'path: message' parts joined by '; '."""
    if isinstance(messages, dict):
        return "; ".join(describe(value, _join(path, key)) for key, value in messages.items())
    if isinstance(messages, list) and all(isinstance(item, str) for item in messages):
        text = " ".join(messages)
    elif isinstance(messages, list):
        return "; ".join(describe(item, path) for item in messages)
    else:
        text = str(messages)
    return f"{path}: {text}" if path else text


def _join(path, key):
    if key == "_schema":
        return path
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


# The most digits a whole number in a body may have: more than any CIMI value needs (a
# 64-bit integer has 19), few enough that no conversion is slow or refused by Python's
# 4,300-digit limit.
MAX_INTEGER_DIGITS = 30


def _bounded_integer(text):
    """A JSON integer; one longer than any value CIMI has is refused before Python converts
    it (a conversion of over 4,300 digits would fail, and a long one costs quadratic time)."""
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise BadRequest(f"The JSON body contains an integer of more than {MAX_INTEGER_DIGITS} "
                         "digits.")
    return int(text)


def _refuse_constant(name):
    raise BadRequest(f"The JSON body contains {name}, which is not a JSON number.")
