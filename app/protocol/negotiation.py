"""Which format a request is answered in, and which format its body is in.

The response format is `$format` (json or xml, or a media type) when given, otherwise the best
match of `Accept` among application/json, application/xml and text/xml, honouring q-values;
no `Accept` (or `*/*`) means JSON. Nothing acceptable is 406; this applies to the CIMI API
only, not to the probes, metrics and console beside it, which answer in their own formats. The choice is made once per
request, before the view runs, so a request that cannot be answered changes nothing. A view
marked `own_format` (the API description: an HTML page, the OpenAPI JSON) answers in its
own format whatever Accept says; its errors, like any other, are JSON when nothing else fits.
"""
from flask import current_app, request
from werkzeug.exceptions import NotAcceptable, RequestEntityTooLarge, UnsupportedMediaType

from app.protocol.hrefs import in_api
from app.protocol.query import Parameter

JSON = "application/json"
XML = "application/xml"
TEXT_XML = "text/xml"
OFFERED = (JSON, XML, TEXT_XML)
_FORMAT_PARAMETER = {"json": JSON, "xml": XML, JSON: JSON, XML: XML, TEXT_XML: TEXT_XML}
FORMAT = Parameter("$format", "The format of the answer, overriding Accept.",
                   {"type": "string", "enum": sorted(_FORMAT_PARAMETER)})


def response_media_type():
    """The negotiated media type of this request's response; NotAcceptable (406) if none fits."""
    # Kept in the WSGI environ, not in `g`: an app context (and its `g`) can outlive a request,
    # as it does under pytest-flask.
    chosen = request.environ.get("cimi.media_type")
    if chosen is None:
        chosen = request.environ["cimi.media_type"] = _negotiate()
    return chosen


def error_media_type():
    """The media type for an error body: the negotiated one, or JSON when negotiation failed."""
    try:
        return response_media_type()
    except NotAcceptable:
        return JSON


def is_xml(media_type):
    return media_type != JSON


def body_format():
    """'json' or 'xml' from the request's Content-Type, None for anything else."""
    mimetype = request.mimetype
    if mimetype == JSON or mimetype.endswith("+json"):
        return "json"
    if mimetype in (XML, TEXT_XML) or mimetype.endswith("+xml"):
        return "xml"
    return None


def has_body():
    transfer_encoding = request.headers.get("Transfer-Encoding", "").lower()
    return bool(request.content_length) or "chunked" in transfer_encoding


def own_format(view):
    """Mark `view` as answering in its own format: it is not refused 406 for its Accept."""
    view.own_format = True
    return view


def check_request():
    """Run before every view: refuse what the API cannot answer (406), what is too large to read
    (413) and bodies in a format this server does not speak (415)."""
    if in_api() and not getattr(current_app.view_functions.get(request.endpoint), "own_format",
                                False):
        response_media_type()
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is not None and (request.content_length or 0) > limit:
        raise RequestEntityTooLarge(f"The request body is larger than the limit of {limit} bytes.")
    if has_body() and body_format() is None:
        sent = request.mimetype or "no Content-Type"
        raise UnsupportedMediaType(
            f"Request bodies must be application/json or application/xml, not {sent}.")


def _negotiate():
    requested = request.args.get(FORMAT.name)
    if requested is not None:
        chosen = _FORMAT_PARAMETER.get(requested.strip().lower())
        if chosen is None:
            raise NotAcceptable(f"$format must be json or xml, not {requested!r}.")
        return chosen
    if not request.accept_mimetypes:
        return JSON
    chosen = request.accept_mimetypes.best_match(OFFERED)
    if chosen is None:
        raise NotAcceptable("This server answers in application/json or application/xml; "
                            "the Accept header allows neither.")
    return chosen
