"""gunicorn's threaded worker, answering the errors gunicorn itself detects as CIMI errors.

gunicorn refuses a request it cannot parse (request line too long, headers too large,
malformed request line, header or chunked body) before the application sees it, and by
default answers in HTML. This worker (`worker_class` in gunicorn.conf.py) answers those with
the CIMI error body in JSON, the format of errors whose request could not be negotiated, and
closes the connection, since where the next request would start is unknown.

A chunked body that turns out malformed is detected while the application reads it; the
reader given to the application raises a 400 then (werkzeug's BadRequest, which the
application answers as a CIMI error with `Connection: close`). A response that says
`Connection: close`, or that answers a request whose body the application left (partly)
unread, makes gunicorn close the connection after it, and say so: gunicorn drops that
hop-by-hop header from the application's response and decides the connection itself, and
would otherwise promise keep-alive, then close when it cannot skip the unread body.

gunicorn caps `limit_request_line` at 8190 bytes (its MAX_REQUEST_LINE), short of the request
line that a `$filter` of MAX_FILTER_LENGTH characters needs once percent-encoded, and its only
other choice, 0, lifts every bound; so the cap is raised to REQUEST_LINE_LIMIT, which
gunicorn.conf.py sets as the limit.
"""
import json
from http import HTTPStatus

from gunicorn import util
from gunicorn.http import errors as http_errors, message
from gunicorn.workers.base import Worker
from gunicorn.workers.gthread import ThreadWorker
from werkzeug.exceptions import BadRequest

from app.protocol.error_responses import error_document
from app.protocol.query import MAX_FILTER_LENGTH
from app.protocol.version import HEADER as VERSION_HEADER, SPECIFICATION_VERSION

# A character is up to 4 bytes of UTF-8, each percent-encoded as 3 characters; the rest
# leaves room for the method, the path and the other query parameters.
REQUEST_LINE_LIMIT = 12 * MAX_FILTER_LENGTH + 8192
message.MAX_REQUEST_LINE = max(message.MAX_REQUEST_LINE, REQUEST_LINE_LIMIT)

# (gunicorn's error class, status, message), first match wins.
CLIENT_ERRORS = (
    (http_errors.LimitRequestLine, 414,
     "The request line is too long: the server accepts up to {limit} bytes."),
    (http_errors.LimitRequestHeaders, 431,
     "The request header fields are too large or too many."),
    (http_errors.UnsupportedTransferCoding, 501,
     "The request uses a transfer coding this server does not implement; send the body "
     "plainly or chunked."),
    (http_errors.ExpectationFailed, 417, "The server cannot meet the request's Expect header."),
    ((http_errors.InvalidChunkSize, http_errors.ChunkMissingTerminator,
      http_errors.InvalidChunkExtension), 400, "The request's chunked body is malformed."),
    ((http_errors.InvalidHeader, http_errors.InvalidHeaderName, http_errors.ObsoleteFolding),
     400, "The request has a malformed header field."),
    ((http_errors.InvalidRequestLine, http_errors.InvalidRequestMethod,
      http_errors.InvalidHTTPVersion), 400, "The request line is not valid HTTP/1.1."),
    (http_errors.InvalidSchemeHeaders, 400, "The request's scheme headers contradict each other."),
)
BODY_ERRORS = (http_errors.InvalidChunkSize, http_errors.ChunkMissingTerminator,
               http_errors.InvalidChunkExtension, http_errors.NoMoreData)


class MalformedBody(BadRequest):
    """The request body broke off or is malformed; the connection cannot be reused."""
    description = "The request body is malformed or incomplete."

    def get_headers(self, environ=None, scope=None):
        return [*super().get_headers(environ, scope), ("Connection", "close")]


class CimiThreadWorker(ThreadWorker):
    """gunicorn's gthread worker with CIMI error bodies and closing on request."""

    def load_wsgi(self):
        super().load_wsgi()
        self.wsgi = _with_body_errors_and_closing(self.wsgi)

    def handle_quit(self, sig, frame):
        """Quick shutdown (SIGQUIT, SIGINT) without shutting the thread pool down inside the
        signal handler, as gunicorn's gthread worker does: a signal that lands while the main
        thread is inside the pool's `submit` finds the pool's lock held, and the worker would
        wait for it forever. Exiting lets the interpreter finish the pool's threads."""
        Worker.handle_quit(self, sig, frame)

    def handle_error(self, req, client, addr, exc):
        answer = client_error(exc, self.cfg.limit_request_line)
        if answer is None:
            super().handle_error(req, client, addr, exc)
            return
        self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
        try:
            util.write_nonblock(client, error_bytes(*answer))
        except OSError:
            self.log.debug("Failed to send error message.")


def client_error(exc, request_line_limit):
    """(status, message) for an unparsable request, or None for gunicorn's own handling."""
    for error_classes, status, message in CLIENT_ERRORS:
        if isinstance(exc, error_classes):
            return status, message.format(limit=request_line_limit)
    return None


def error_bytes(status, message):
    """A whole HTTP/1.1 response carrying the CIMI error body, closing the connection."""
    body = json.dumps(error_document(status, message)).encode()
    head = (f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
            "Connection: close\r\n"
            "Content-Type: application/json; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\n"
            f"{VERSION_HEADER}: {SPECIFICATION_VERSION}\r\n\r\n")
    return head.encode("latin-1") + body


def _with_body_errors_and_closing(application):
    def serve(environ, start_response):
        body = environ["wsgi.input"] = _BodyReader(environ["wsgi.input"], _body_length(environ))

        def start(status, headers, exc_info=None):
            asked = any(name.lower() == "connection" and value.lower() == "close"
                        for name, value in headers)
            if asked or not body.finished:
                # gunicorn's start_response is its Response's method.
                start_response.__self__.force_close()
            return start_response(status, headers, exc_info)

        return application(environ, start)
    return serve


def _body_length(environ):
    """The request body's length; None for a chunked one, whose end only reading tells."""
    if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return None
    return int(environ.get("CONTENT_LENGTH") or 0)


class _BodyReader:
    """gunicorn's request body, whose framing errors are the client's 400, and which knows
    whether it was read to its end: a connection whose request body was left (partly)
    unread cannot be trusted to find the next request's start, so the answer closes it
    rather than promising to keep it alive."""

    def __init__(self, body, length):
        self._body = body
        self._left = length
        self.finished = length == 0

    def read(self, size=None):
        return self._noted(self._guarded(self._body.read, size), size)

    def readline(self, size=None):
        return self._noted(self._guarded(self._body.readline, size), 1)

    def readlines(self, hint=None):
        lines = [self._noted(line, 1) for line in self._guarded(self._body.readlines, hint)]
        if hint is None or hint <= 0:
            self._noted(b"", 1)
        return lines

    def __iter__(self):
        return iter(self.readline, b"")

    def _noted(self, data, size):
        if self._left is not None:
            self._left -= len(data)
            self.finished = self._left <= 0
        else:
            self.finished = self.finished or not data or size is None or size < 0
        return data

    @staticmethod
    def _guarded(read, argument):
        try:
            return read(argument)
        except BODY_ERRORS:
            raise MalformedBody() from None
