"""Conditional requests: entity tags of CIMI resources, `If-None-Match` on reads and
`If-Match` on updates and deletes.

A resource's entity tag is a strong validator of the document answered: a hash of its JSON
rendering, the same whichever format travels, so a tag read in XML validates a request made
in JSON. `$select` and `$expand` change the document and so its tag; `If-Match` compares with
the resource as a GET without query parameters answers it. Collections carry no tag: they are
read in pages and change with every member.

- `respond` tags every 200 answer that carries one resource (GET, PUT), and answers a GET
  whose `If-None-Match` holds the current tag (or `*`) with 304 Not Modified and no body.
- Routes that update or delete call `require_current(read)` first: with an `If-Match` header,
  `read()` gives the resource's current document, and a tag that does not match it is 412
  Precondition Failed, before anything changes. OpenNebula has no conditional write, so a
  change made by someone else between the check and the update is not detected.
"""
import hashlib

from flask import current_app, request

from app.errors import PreconditionFailed
from app.protocol.names import is_collection_uri
from app.protocol.render import to_json

_READS = ("GET", "HEAD")


def entity_tag(document):
    """The tag of a single resource's document; None for a collection or no document."""
    uri = document.get("resourceURI") if isinstance(document, dict) else None
    if uri is None or is_collection_uri(uri):
        return None
    return hashlib.blake2b(to_json(document), digest_size=16).hexdigest()


def not_modified(tag):
    """Whether this request is a read the client already holds the current version of."""
    return request.method in _READS and request.if_none_match.contains_weak(tag)


def not_modified_response(tag):
    response = current_app.response_class(status=304)
    response.set_etag(tag)
    del response.headers["Content-Type"]
    return response


def require_current(read):
    """PreconditionFailed (412) when If-Match names no tag of the resource's current document;
    `read()` is called only when the request has If-Match."""
    condition = request.if_match
    if not condition:
        return
    tag = entity_tag(read())
    if not condition.contains(tag):
        raise PreconditionFailed("The resource has changed: its entity tag is no longer one "
                                 "that If-Match names. Read it again and retry.")
