"""What a CIMI route method declares about itself, next to the code that serves it.

`@declared(Declaration(...))` on a route method (a flask-restx Resource's `get`, `post`, ...)
records what the method answers: its successful statuses with their headers and bodies, the
schema that validates its request body, the query parameters it reads, whether it honours
If-Match, and the type of resource it answers with. `app.cimi.openapi` reads these
declarations from the application's URL map to write the OpenAPI document, so what the
document says is what the route is built from. A method that takes a body receives it as
`body`, a function that reads and validates the request body with the declared schema (when
the method chooses, so that a lookup or an If-Match check may come first): the schema the
document shows is the one that validates.

The error statuses a method can give follow from the declaration (`error_statuses`): every
request can be refused before the view runs (a CIMI-Specification-Version, Host or `$format`
the server does not serve: 400, 406), anything that reaches OpenNebula can fail there
(401, 403, 502, 503, 504), a URL that names a resource may name none (404), a body may be
refused (400, 413, 415), a write may conflict with the resource's state or with an earlier
request's Idempotency-Key (409, 422), an If-Match may not hold (412).
"""
import functools
from dataclasses import dataclass

from app.protocol import read_body
from app.protocol.names import JOB_URI_HEADER
from app.protocol.query import COLLECTION_PARAMETERS, RESOURCE_PARAMETERS, SELECT

LOCATION = "Location"
ETAG = "ETag"
# What a successful answer carries.
RESOURCE = "resource"
COLLECTION = "collection"


@dataclass(frozen=True)
class Answer:
    """One successful answer: its status, what it means, its body (RESOURCE, COLLECTION or
    None) and the headers it sets."""

    status: int
    description: str
    body: str = None
    headers: tuple = ()


@dataclass(frozen=True)
class Declaration:
    """What a route method answers and reads; see the module docstring."""

    summary: str
    answers: tuple
    body: type = None
    query: tuple = ()
    resource: str = None
    conditional: bool = False
    needs_credentials: bool = True


def declared(declaration):
    """Attach `declaration` to a route method; a method with a body schema is called with
    `body`, the reader of its request body."""

    def attach(method):
        if declaration.body is None:
            view = method
        else:
            @functools.wraps(method)
            def view(self, *args, **kwargs):
                return method(self, *args, body=lambda: read_body(declaration.body), **kwargs)
        view.declaration = declaration
        return view

    return attach


def declaration_of(method):
    return getattr(method, "declaration", None)


def error_statuses(declaration, method, has_path_parameters):
    """The error statuses the method can answer, as the module docstring explains them."""
    statuses = {400, 406, 500}
    if declaration.needs_credentials:
        statuses |= {401, 403, 502, 503, 504}
    if has_path_parameters:
        statuses.add(404)
    if declaration.body is not None:
        statuses |= {413, 415}
    if method in ("POST", "PUT", "DELETE") and declaration.needs_credentials:
        statuses.add(409)
    if method == "POST":
        statuses.add(422)
    if declaration.conditional:
        statuses.add(412)
    return statuses


# The answers most routes give.
LISTED = Answer(200, "The collection's members that the query selects.", COLLECTION)
READ = Answer(200, "The resource, shaped by $expand and $select.", RESOURCE, (ETAG,))
NOT_MODIFIED = Answer(304, "The resource has not changed since the tag If-None-Match names.",
                      headers=(ETAG,))
UPDATED = Answer(200, "The resource as updated.", RESOURCE, (ETAG,))
CREATED = Answer(201, "Created; Location is the new resource's URI.", RESOURCE, (LOCATION,))
DELETED = Answer(200, "Deleted.")
JOB_STARTED = Answer(202, "Accepted: CIMI-Job-URI names the Job that follows the operation.",
                     headers=(JOB_URI_HEADER,))


def lists(summary, resource=None, needs_credentials=True):
    return Declaration(summary, (LISTED,), query=COLLECTION_PARAMETERS, resource=resource,
                       needs_credentials=needs_credentials)


def reads(summary, resource=None, needs_credentials=True):
    return Declaration(summary, (READ, NOT_MODIFIED), query=RESOURCE_PARAMETERS,
                       resource=resource, needs_credentials=needs_credentials)


def creates(summary, schema, resource):
    return Declaration(summary, (CREATED,), body=schema, resource=resource)


def updates(summary, schema, resource, partial):
    return Declaration(summary, (UPDATED,), body=schema, query=(SELECT,) if partial else (),
                       resource=resource, conditional=True)


def deletes(summary, answer, query=()):
    return Declaration(summary, (answer,), query=query, conditional=True)
