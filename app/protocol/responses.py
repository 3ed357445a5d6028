"""Responses with a document rendered in the negotiated format, and document helpers."""
from flask import current_app

from app.protocol import conditional, negotiation, render
from app.protocol.names import member_key, resource_uri


def respond(document, status=200, headers=None):
    """`document` (a dict, or None for an empty body) as a Response in the negotiated format;
    a single resource answered 200 carries its entity tag (see `conditional`)."""
    tag = conditional.entity_tag(document) if status == 200 else None
    if tag is not None and conditional.not_modified(tag):
        return conditional.not_modified_response(tag)
    response = render_response(document, status, headers, negotiation.response_media_type())
    if tag is not None:
        response.set_etag(tag)
    return response


def render_response(document, status, headers, media_type, xml_root=None):
    response = current_app.response_class(status=status, headers=headers)
    if document is not None:
        if negotiation.is_xml(media_type):
            response.set_data(render.to_xml(document, xml_root))
        else:
            response.set_data(render.to_json(document))
        response.content_type = f"{media_type}; charset=utf-8"
    else:
        del response.headers["Content-Type"]
    return response


def operation(rel, href):
    return {"rel": rel, "href": href}


def collection(type_name, member_key_name, members, href, add=True, count=None):
    """A `<type_name>Collection` document. `count` is the size of the whole (filtered)
    collection when `members` is one page of it."""
    expected_key = member_key(type_name)
    if member_key_name != expected_key:
        raise ValueError(f"{type_name} members are listed under {expected_key!r}, "
                         f"not {member_key_name!r}; XML readers derive the key from the type")
    members = list(members)
    document = {
        "resourceURI": resource_uri(type_name + "Collection"),
        "id": href,
        "count": len(members) if count is None else count,
        member_key_name: members,
    }
    if add:
        document["operations"] = [operation("add", href)]
    return document
