"""The one CIMI error body, for every failure, in the negotiated format.

Shape (CIMI 1.x fixes none; this server's own `Error` document):

    JSON: {"resourceURI": "http://schemas.dmtf.org/cimi/1/Error",
           "status": 404, "error": "Not Found", "message": "No Machine 42."}
    XML:  <Error xmlns="http://schemas.dmtf.org/cimi/1"><status>404</status>
          <error>Not Found</error><message>No Machine 42.</message></Error>

`status` repeats the HTTP status, `error` is its reason phrase, `message` says what went wrong
for the API user. Domain errors (app/errors.py) map to their statuses here; Werkzeug's and
flask-restx's HTTP errors (unknown URL, wrong method, 406, 413, 415) keep their status and
headers (Allow; `Connection: close` for a 413, whose body stays unread); anything else is a
500 whose details go to the log, never to the body.
A 401 carries `WWW-Authenticate: Basic realm="cimi-one"`, a busy server's 503 `Retry-After`.
When the request's format could not be negotiated the error is JSON.
"""
from http import HTTPStatus

from flask import current_app, request
from werkzeug.exceptions import HTTPException

from app import errors
from app.logs import request_id
from app.protocol.names import JOB_URI_HEADER, resource_uri
from app.protocol.negotiation import error_media_type
from app.protocol.responses import render_response

ERROR_RESOURCE_URI = resource_uri("Error")
AUTHENTICATE_CHALLENGE = 'Basic realm="cimi-one"'
INTERNAL_ERROR_MESSAGE = "The server failed to process the request; the failure has been logged."

STATUS_OF = {
    errors.BadRequest: 400,
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.PreconditionFailed: 412,
    errors.Unprocessable: 422,
    errors.BackendError: 502,
    errors.BackendUnavailable: 503,
    errors.BackendTimeout: 504,
    errors.ServerBusy: 503,
}

# Werkzeug's stock descriptions speak of "URLs entered manually"; these speak to API clients.
_STOCK_MESSAGES = {
    404: "No resource exists at this URL.",
    405: "This method is not allowed on this resource.",
    406: "This server answers in application/json or application/xml only.",
    413: "The request body is too large.",
    415: "Request bodies must be application/json or application/xml.",
}
_HEADERS_NOT_KEPT = {"content-type", "content-length"}
# A body refused for its size is left unread on the connection, so it cannot serve another
# request; the answer says so (gunicorn closes it then, see gunicorn_worker.py).
_CLOSING_STATUSES = {413}


def error_document(status, message):
    """The CIMI error body; inside a request it also names the request's id (this server's
    extension attribute `requestId`, the X-Request-ID of the answer and of its log line)."""
    document = {
        "resourceURI": ERROR_RESOURCE_URI,
        "status": status,
        "error": HTTPStatus(status).phrase,
        "message": message,
    }
    identifier = request_id()
    if identifier:
        document["requestId"] = identifier
    return document


def error_response(status, message, headers=None):
    headers = list(headers or [])
    if status == 401:
        headers.append(("WWW-Authenticate", AUTHENTICATE_CHALLENGE))
    return render_response(error_document(status, message), status, headers, error_media_type())


def handle_error(error):
    """Flask error handler for every exception (registered by `app.protocol.init_app`)."""
    if isinstance(error, HTTPException):
        return _http_error(error)
    status = _domain_status(error)
    if status is not None:
        return error_response(status, error.message, _error_headers(error))
    current_app.logger.error("unexpected failure serving %s %s", request.method, request.path,
                             exc_info=error)
    return error_response(500, INTERNAL_ERROR_MESSAGE)


def _error_headers(error):
    """A busy server's Retry-After; the Job a timed-out action kept (CIMI-Job-URI)."""
    headers = []
    if getattr(error, "retry_after", None) is not None:
        headers.append(("Retry-After", str(error.retry_after)))
    if getattr(error, "job_uri", None):
        headers.append((JOB_URI_HEADER, error.job_uri))
    return headers


def status_and_message(error):
    """(status, message) of the CIMI error body `handle_error` answers for `error`."""
    if isinstance(error, HTTPException) and error.code is not None and 400 <= error.code < 500:
        return error.code, _http_message(error)
    status = None if isinstance(error, HTTPException) else _domain_status(error)
    if status is None:
        return 500, INTERNAL_ERROR_MESSAGE
    return status, error.message


def _domain_status(error):
    for cls in type(error).__mro__:
        if cls in STATUS_OF:
            return STATUS_OF[cls]
    return None


def _http_error(error):
    if error.code is None or error.code < 400:
        return error
    if error.code >= 500:
        current_app.logger.error("HTTP %s serving %s %s", error.code, request.method, request.path,
                                 exc_info=error)
        return error_response(error.code, INTERNAL_ERROR_MESSAGE if error.code == 500
                              else HTTPStatus(error.code).phrase + ".")
    headers = [(name, value) for name, value in error.get_headers()
               if name.lower() not in _HEADERS_NOT_KEPT]
    if error.code in _CLOSING_STATUSES:
        headers.append(("Connection", "close"))
    return error_response(error.code, _http_message(error), headers)


def _http_message(error):
    data = getattr(error, "data", None)
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return data["message"]
    if error.description and error.description != type(error).description:
        return error.description
    return _STOCK_MESSAGES.get(error.code) or (error.description or HTTPStatus(error.code).phrase)
