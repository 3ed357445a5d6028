"""CIMI protocol machinery shared by every resource: JSON and XML rendering and parsing,
format negotiation, request checks, hrefs, credentials and the one error body.

Public API (see docs/architecture.md, section `app/protocol/`):
    init_app(app)
    respond(document, status=200, headers=None) -> Response
    read_body(schema) -> dict                      raises BadRequest
    require_current(read)                          raises PreconditionFailed (If-Match)
    session_string() -> "user:password"            raises Unauthenticated
    base_uri() -> "http://host/cimi/"; href(*segments) -> absolute URI
    resource_uri(type_name); ACTION_URI; CIMI_NAMESPACE
    operation(rel, href); collection(type_name, member_key, members, href, add=True, count=None)
    error_response(status, message, headers=None); error_document(status, message)

flask-restx must not answer errors itself: app.cimi's Api leaves them to the handlers
installed here, so its routes and unknown URLs get the same CIMI error body.
"""
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from app.protocol import version
from app.protocol.conditional import require_current
from app.protocol.auth import session_string
from app.protocol.bodies import read_body
from app.protocol.error_responses import error_document, error_response, handle_error
from app.protocol.hrefs import base_uri, check_host, href
from app.protocol.names import ACTION_URI, CIMI_NAMESPACE, resource_uri
from app.protocol.negotiation import check_request
from app.protocol.responses import collection, operation, respond

__all__ = [
    "ACTION_URI", "CIMI_NAMESPACE", "base_uri", "collection", "error_document",
    "error_response", "href", "init_app", "operation", "read_body", "require_current",
    "resource_uri", "respond", "session_string",
]


def init_app(app):
    """Install the request checks, protocol headers and error handlers on `app`.

    Setting CIMI_PROXY_HOPS to the number of trusted reverse proxies makes hrefs follow their
    X-Forwarded-Proto/Host/Port/Prefix headers; it is 0 (ignore them) by default. Otherwise
    hrefs come from CIMI_PUBLIC_URL or the listening address (`app.protocol.hrefs`).
    """
    # Should a flask-restx handler ever run, it must not append its "did you mean" hints.
    app.config.setdefault("RESTX_ERROR_404_HELP", False)
    hops = int(app.config.get("CIMI_PROXY_HOPS") or 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_port=hops, x_prefix=hops)
    app.before_request(check_host)
    app.before_request(check_request)
    app.before_request(version.check_request_version)
    app.after_request(_add_protocol_headers)
    app.register_error_handler(HTTPException, handle_error)
    app.register_error_handler(Exception, handle_error)


def _add_protocol_headers(response):
    response.headers[version.HEADER] = version.response_version()
    response.vary.add("Accept")
    return response
