"""Logs: one structured line per request, and every warning and error, from gunicorn and the
application alike, each a JSON object (CIMI_LOG_FORMAT=json, the default) or a line for
people (text, as `make run` sets it).

A request line holds the time, the request id, method, route template, status, duration, the
user name and the OpenNebula calls the request made; never a password, a session or a body.
The request id is the client's `X-Request-ID` when it is a sane token (else one is made up),
and is returned in the same header of the answer and in error bodies.
"""
import json
import logging
import re
import time
import uuid
from datetime import datetime, timezone

from flask import g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_LOGGER = "cimi.request"
JSON, TEXT = "json", "text"
_ACCEPTED_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_REQUEST = "log_request"

log = logging.getLogger(REQUEST_LOGGER)


class JsonFormatter(logging.Formatter):
    """A record as one JSON object: time, level, logger, message, the record's `fields`."""

    def format(self, record):
        entry = {"time": _iso(record.created), "level": record.levelname,
                 "logger": record.name, "message": record.getMessage(),
                 **getattr(record, "fields", {})}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """A record as a line: time, level, message, then the record's `fields` as key=value."""

    def format(self, record):
        fields = " ".join(f"{key}={value}" for key, value in getattr(record, "fields", {}).items())
        line = f"{_iso(record.created)} {record.levelname} {record.getMessage()} {fields}".rstrip()
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def formatter(name):
    return {JSON: JsonFormatter, TEXT: TextFormatter}[name]()


def init_app(app):
    app.before_request(_began)
    app.after_request(_answered)


def request_id():
    """The current request's id, or None outside a request."""
    if not has_request_context():
        return None
    return g.get(_REQUEST, {}).get("id")


def count_call(method):
    """One OpenNebula call made for the current request, if any."""
    if has_request_context() and _REQUEST in g:
        g.get(_REQUEST)["calls"].append(method)


def _began():
    given = request.headers.get(REQUEST_ID_HEADER, "")
    setattr(g, _REQUEST, {"id": given if _ACCEPTED_ID.match(given) else uuid.uuid4().hex,
                          "started": time.monotonic(), "calls": []})


def _answered(response):
    state = g.get(_REQUEST)
    if state is None:
        return response
    response.headers[REQUEST_ID_HEADER] = state["id"]
    authorization = request.authorization
    log.info("%s %s %s", request.method, request.path, response.status_code, extra={"fields": {
        "request_id": state["id"], "method": request.method,
        "route": request.url_rule.rule if request.url_rule is not None else None,
        "status": response.status_code,
        "duration_ms": round((time.monotonic() - state["started"]) * 1000, 1),
        "user": authorization.username if authorization else None,
        "opennebula_calls": len(state["calls"]),
        "opennebula_methods": sorted(set(state["calls"])),
    }})
    return response


def _iso(created):
    return datetime.fromtimestamp(created, timezone.utc).isoformat(timespec="milliseconds")
