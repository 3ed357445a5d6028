"""Idempotent POSTs: every POST route honours an Idempotency-Key (`app.cimi.init_app` has the
Api decorate them all with `honoured`).

A POST with a key is carried out once per user and key: a retry with the same key answers
the first request's outcome (status, Location, CIMI-Job-URI; the resource it located
fetched fresh as a GET would answer it, or the same error), whichever server process
serves it. The same key with another method, URL or body is a 422, and a retry while the
first request is in progress a 409. Outcomes are kept CIMI_IDEMPOTENCY_SECONDS (24 h by
default); a request still unfinished after CIMI_IDEMPOTENCY_PENDING_SECONDS is taken as
abandoned. An error answered 5xx (a timeout, an unreachable oned) is not an outcome: a
retry then looks in OpenNebula for what the first request created (`app.services.idempotency`).
"""
import functools

from flask import current_app, request
from werkzeug.exceptions import HTTPException

from app.cimi.inputs import request_caller
from app.errors import DomainError
from app.one import allocations_marked
from app.protocol.error_responses import error_response, status_and_message
from app.protocol.idempotency import idempotency_key
from app.services import idempotency, jobs

LOCATION = "Location"


def honoured(view):
    """`view` with POSTs that carry an Idempotency-Key carried out at most once."""

    @functools.wraps(view)
    def carried_out_once(*args, **kwargs):
        key = idempotency_key() if request.method == "POST" else None
        if key is None:
            return view(*args, **kwargs)
        caller = request_caller()
        path = _path_under_base(request.path)
        target = request.full_path.rstrip("?")
        posted = idempotency.Request(
            key, idempotency.fingerprint(request.method, target, request.get_data(cache=True)),
            path)
        decision = idempotency.claim(caller, posted, _lifetimes())
        if isinstance(decision, idempotency.Outcome):
            return _replayed(caller, decision)
        with allocations_marked(decision.marks) as marking:
            try:
                response = view(*args, **kwargs)
            except Exception as error:
                _record_failure(caller, decision, error, marking.changing_call_sent)
                raise
        _record(caller, decision, _outcome(caller, response))
        return response

    return carried_out_once


def _lifetimes():
    config = current_app.config
    return idempotency.Lifetimes(config["CIMI_IDEMPOTENCY_SECONDS"],
                                 config["CIMI_IDEMPOTENCY_PENDING_SECONDS"])


def _path_under_base(path):
    return path[len(current_app.config["CIMI_BASE_PATH"]):].strip("/")


def _outcome(caller, response):
    return idempotency.Outcome(
        response.status_code,
        location=_relative(caller, response.headers.get(LOCATION)),
        job=_relative(caller, response.headers.get(jobs.HEADER)),
        with_body=bool(response.headers.get(LOCATION)) and bool(response.get_data()))


def _relative(caller, href):
    base = caller.links.base_uri
    return href[len(base):] if href and href.startswith(base) else ""


def _record_failure(caller, claim, error, changing_call_sent):
    """An error below 500 is the outcome. Anything else leaves it unknown when a call that
    may change OpenNebula was sent; before any, nothing happened, and the record is dropped
    so that a retry acts afresh."""
    status, message = status_and_message(error)
    if status < 500:
        _record(caller, claim, idempotency.Outcome(status, message=message))
    elif changing_call_sent:
        _record(caller, claim, None)
    else:
        idempotency.release(caller, claim)


def _record(caller, claim, outcome):
    """Write the outcome (None: unknown). A failed write loses nothing the caller is owed:
    the answer still goes out, and a retry finds what the request created by its mark once
    the record's time in progress is over."""
    try:
        if outcome is None:
            idempotency.leave_unknown(caller, claim)
        else:
            idempotency.settle(caller, claim, outcome)
    except DomainError:
        current_app.logger.warning("the outcome of %s %s could not be recorded",
                                   request.method, request.path)


def _replayed(caller, outcome):
    """The first request's answer again, its resource read as it is now."""
    if outcome.status >= 400:
        return error_response(outcome.status, outcome.message)
    headers = {}
    if outcome.location:
        headers[LOCATION] = caller.links.href(outcome.location)
    if outcome.job:
        headers[jobs.HEADER] = caller.links.href(outcome.job)
    response = _fresh(outcome.location) if outcome.with_body else None
    if response is None:
        response = current_app.response_class(status=outcome.status)
        del response.headers["Content-Type"]
    response.status_code = outcome.status
    response.headers.pop("ETag", None)
    response.headers.update(headers)
    return response


def _fresh(location):
    """The answer of the GET route of the resource at `location` (a path under the base
    URI), or None when it is gone."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        endpoint, arguments = adapter.match(
            f"{current_app.config['CIMI_BASE_PATH']}/{location}", method="GET")
        view = current_app.view_functions[endpoint]
        response = view.view_class().get(**arguments)
    except (DomainError, HTTPException):
        return None
    return response if response.status_code == 200 else None
