"""The OpenAPI 3.1 document of the CIMI API, written from the routes themselves.

Nothing here lists a path. `document(app, server_url)` walks the application's URL map and
describes every method whose view carries a declaration (`app.cimi.declarations`): the path
and its parameters from the Werkzeug rule and its converters, the query parameters, request
body schema (a marshmallow schema, turned into JSON Schema by apispec) and answers from the
declaration, the error statuses that follow from it with the CIMI error body, and HTTP Basic
where OpenNebula credentials are needed. Resources are described by the attributes their
ResourceMetadata declares (`app.services.resource_metadata`), on top of the attributes every
CIMI resource has. A route added with a declaration is in the document; one added without is
caught by tests/api/test_openapi.py.
"""
import re
from http import HTTPStatus

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import fields
from werkzeug.routing.rules import parse_converter_args

from app.cimi.declarations import (
    ETAG, LOCATION, RESOURCE, declaration_of, error_statuses,
)
from app.protocol import version
from app.protocol.error_responses import AUTHENTICATE_CHALLENGE, ERROR_RESOURCE_URI
from app.protocol.idempotency import HEADER as IDEMPOTENCY_KEY, MAX_KEY_LENGTH
from app.protocol.names import CIMI_NAMESPACE, JOB_URI_HEADER
from app.protocol.negotiation import FORMAT, OFFERED
from app.protocol import model

OPENAPI_VERSION = "3.1.0"
SECURITY_SCHEME = "basic"
ERROR = "Error"
_METHODS = ("GET", "PUT", "POST", "DELETE")
_RULE_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\((?P<arguments>.*?)\))?:)?(?P<name>\w+)>")
_SHOWN_TYPES = {"double": "number", "integer": "integer", "boolean": "boolean"}

HEADERS = {
    ETAG: "The resource's entity tag, for If-None-Match and If-Match.",
    LOCATION: "The URI of the resource the request created.",
    JOB_URI_HEADER: "The URI of the Job that follows the operation.",
    "WWW-Authenticate": f"The challenge, {AUTHENTICATE_CHALLENGE}.",
    "Retry-After": "Seconds after which the request may succeed.",
}
ERROR_MEANINGS = {
    400: "The request is malformed: a query parameter, a body, a value, a Host or "
         "CIMI-Specification-Version this server does not serve.",
    401: "No credentials, or OpenNebula refused them.",
    403: "OpenNebula does not allow the caller this.",
    404: "No such resource, or not one the caller may see.",
    406: "Neither JSON nor XML is acceptable ($format or Accept).",
    409: "The resource's state does not allow this, or a request with the same "
         "Idempotency-Key is still in progress.",
    412: "If-Match names no entity tag of the resource's current version.",
    413: "The request body is too large.",
    415: "The request body is neither JSON nor XML.",
    422: "The Idempotency-Key was used for another request.",
    500: "The server failed; the failure is logged.",
    502: "OpenNebula answered with an unexpected failure.",
    503: "OpenNebula cannot be reached, or the server is busy (Retry-After).",
    504: "OpenNebula did not answer in time; CIMI-Job-URI names the Job that follows an "
         "action all the same.",
}
_ERROR_HEADERS = {401: ("WWW-Authenticate",), 503: ("Retry-After",), 504: (JOB_URI_HEADER,)}


def document(app, server_url, collections):
    """The OpenAPI document of `app`'s CIMI routes, served at `server_url` (the base URI);
    `collections` are the Cloud Entry Point keys of the collections it serves."""
    described = app.extensions.get("openapi")
    if described is None:
        described = app.extensions["openapi"] = _describe(app, collections)
    return {**described, "servers": [{"url": server_url.rstrip("/")}]}


def _describe(app, collections):
    marshmallow = MarshmallowPlugin(schema_name_resolver=_schema_name)
    spec = APISpec(
        title="cimi-one", version=version.SPECIFICATION_VERSION, openapi_version=OPENAPI_VERSION,
        plugins=[marshmallow],
        info={"description": "A DMTF CIMI 1.1 server for OpenNebula. Every resource is "
                             "answered in JSON or XML ($format or Accept); bodies may be "
                             "sent in either (Content-Type)."},
        security=[{SECURITY_SCHEME: []}])
    marshmallow.converter.add_attribute_function(_map_size)
    spec.components.security_scheme(SECURITY_SCHEME, {
        "type": "http", "scheme": "basic",
        "description": "The OpenNebula user name and password."})
    for name, description in HEADERS.items():
        spec.components.header(name, {"description": description, "schema": {"type": "string"}})
    spec.components.schema(ERROR, _error_schema())
    for status in ERROR_MEANINGS:
        spec.components.response(str(status), _error_response(status))
    base = app.config["CIMI_BASE_PATH"].rstrip("/")
    answered = set()
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        operations = _operations(app, rule, answered)
        if operations:
            spec.path(path=_path(rule.rule, base), operations=operations,
                      parameters=_path_parameters(app.url_map, rule.rule))
    for type_name, body in sorted(answered):
        if body == RESOURCE:
            _add_resource_schema(spec, marshmallow.converter, type_name, collections)
        else:
            _add_collection_schema(spec, type_name)
    return spec.to_dict()


def declared_methods(app, rule):
    """(method, declaration) of every method of `rule`'s view that declares itself."""
    view_class = getattr(app.view_functions[rule.endpoint], "view_class", None)
    methods = [(method, declaration_of(getattr(view_class, method.lower(), None)))
               for method in _METHODS if method in rule.methods]
    return [(method, declaration) for method, declaration in methods if declaration]


def _operations(app, rule, answered):
    """The OpenAPI operations of `rule`; adds (type, RESOURCE or COLLECTION) of the bodies
    they answer to `answered`."""
    operations = {}
    for method, declaration in declared_methods(app, rule):
        answered.update((declaration.resource, answer.body) for answer in declaration.answers
                        if answer.body is not None)
        operations[method.lower()] = _operation(rule, method, declaration)
    return operations


def _operation(rule, method, declaration):
    has_path_parameters = bool(rule.arguments)
    operation = {
        "summary": declaration.summary,
        "tags": [_tag(rule.rule)],
        "parameters": _query_parameters(declaration) + _header_parameters(method, declaration),
        "responses": {
            **{str(answer.status): _answer(answer, declaration.resource)
               for answer in declaration.answers},
            **{str(status): str(status) for status in
               sorted(error_statuses(declaration, method, has_path_parameters))},
        },
    }
    if declaration.body is not None:
        operation["requestBody"] = {"required": True, "content": {
            media_type: {"schema": declaration.body} for media_type in OFFERED}}
    if not declaration.needs_credentials:
        operation["security"] = [{}, {SECURITY_SCHEME: []}]
    return operation


def _answer(answer, type_name):
    response = {"description": answer.description}
    if answer.headers:
        response["headers"] = {name: {"$ref": f"#/components/headers/{name}"}
                               for name in answer.headers}
    if answer.body is not None:
        schema = type_name if answer.body == RESOURCE else _collection_name(type_name)
        response["content"] = {media_type: {"schema": {"$ref": f"#/components/schemas/{schema}"}}
                               for media_type in OFFERED}
    return response


def _query_parameters(declaration):
    return [{"name": parameter.name, "in": "query", "required": False,
             "description": parameter.description, "schema": parameter.schema}
            for parameter in (*declaration.query, FORMAT)]


def _header_parameters(method, declaration):
    headers = [(version.HEADER, "The CIMI versions the client accepts, comma-separated.")]
    if any(answer.status == 304 for answer in declaration.answers):
        headers.append(("If-None-Match", "Answer 304 when the resource still has this tag."))
    if declaration.conditional:
        headers.append(("If-Match", "Go ahead only if the resource still has this tag."))
    if method == "POST":
        headers.append((IDEMPOTENCY_KEY, "Carry the request out once: a retry with the same "
                                         f"key answers the first outcome (at most "
                                         f"{MAX_KEY_LENGTH} characters)."))
    return [{"name": name, "in": "header", "required": False, "description": description,
             "schema": {"type": "string"}} for name, description in headers]


def _path(rule_text, base):
    return _RULE_ARGUMENT.sub(r"{\g<name>}", rule_text[len(base):]) or "/"


def _tag(rule_text):
    parts = [part for part in rule_text.split("/") if part and not part.startswith("<")]
    return parts[1] if len(parts) > 1 else "cloudEntryPoint"


def _path_parameters(url_map, rule_text):
    return [{"name": match["name"], "in": "path", "required": True,
             "schema": _converter_schema(url_map, match["converter"] or "default",
                                         match["arguments"])}
            for match in _RULE_ARGUMENT.finditer(rule_text)]


def _converter_schema(url_map, converter_name, arguments):
    """The JSON Schema of a URL argument, from the converter that matches it."""
    args, kwargs = parse_converter_args(arguments) if arguments else ((), {})
    converter = url_map.converters[converter_name](url_map, *args, **kwargs)
    if converter_name == "int":
        bounds = {"minimum": converter.min if converter.min is not None else 0}
        if converter.max is not None:
            bounds["maximum"] = converter.max
        return {"type": "integer", **bounds}
    return {"type": "string", "pattern": f"^{converter.regex}$"}


def _schema_name(schema):
    """A request body's schema name: `MachineCreateSchema` -> MachineCreateBody, so that no
    body is taken for the resource of the same type."""
    schema_class = schema if isinstance(schema, type) else type(schema)
    name = schema_class.__name__
    return name.removesuffix("Schema") + "Body" if name.endswith("Schema") else name


def _map_size(converter, field, ret, **kwargs):
    """apispec writes a Dict's Length validator as minLength/maxLength, which JSON Schema
    ignores on an object: they are minProperties/maxProperties."""
    if not isinstance(field, fields.Dict):
        return {}
    return {bound.replace("Length", "Properties"): ret.pop(bound)
            for bound in ("minLength", "maxLength") if bound in ret}


def _error_schema():
    return {
        "type": "object", "description": "The CIMI error body of every failure.",
        "xml": {"name": ERROR, "namespace": CIMI_NAMESPACE},
        "required": ["resourceURI", "status", "error", "message"],
        "properties": {
            "resourceURI": {"type": "string", "const": ERROR_RESOURCE_URI},
            "status": {"type": "integer", "description": "The HTTP status again."},
            "error": {"type": "string", "description": "The status's reason phrase."},
            "message": {"type": "string", "description": "What went wrong."},
            "requestId": {"type": "string", "description": "The request's X-Request-ID."},
        },
    }


def _error_response(status):
    response = {"description": f"{HTTPStatus(status).phrase}: {ERROR_MEANINGS[status]}",
                "content": {media_type: {"schema": {"$ref": f"#/components/schemas/{ERROR}"}}
                            for media_type in OFFERED}}
    if status in _ERROR_HEADERS:
        response["headers"] = {name: {"$ref": f"#/components/headers/{name}"}
                               for name in _ERROR_HEADERS[status]}
    return response


def _add_resource_schema(spec, converter, type_name, collections):
    """The type's attributes, as its declaration (`app.protocol.model`) gives them; those
    only the server sets are read-only."""
    resource = model.of_name(type_name)
    spec.components.schema(type_name, {
        "type": "object",
        "description": f"{resource.description} ({resource.uri})",
        "xml": {"name": type_name, "namespace": CIMI_NAMESPACE},
        "required": ["resourceURI"],
        "properties": {**{name: converter.field2property(declared)
                          for name, declared in resource.fields.items()},
                       **_collection_references(resource, collections)}})


def _collection_references(resource, collections):
    """A resource listing the collections holds a reference under each collection's key."""
    if not resource.lists_collections:
        return {}
    return {key: {
        "type": "object", "description": f"The {model.of_collection(key).name} collection.",
        "properties": {"href": {"type": "string", "format": "uri"}}}
        for key in collections}


def _add_collection_schema(spec, type_name):
    """A collection of the type: its members in an array under the collection's key."""
    spec.components.schema(_collection_name(type_name), {
        "type": "object",
        "description": f"Members of type {type_name}, in an array under the collection's key.",
        "xml": {"name": _collection_name(type_name), "namespace": CIMI_NAMESPACE},
        "properties": {"resourceURI": {"type": "string"}, "id": {"type": "string"},
                       "count": {"type": "integer"},
                       "operations": {"type": "array", "items": {"type": "object"}}},
        "additionalProperties": {"type": "array",
                                 "items": {"$ref": f"#/components/schemas/{type_name}"}}})


def _collection_name(type_name):
    return type_name + "Collection"
