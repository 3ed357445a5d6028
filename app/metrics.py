"""Prometheus metrics at `GET /metrics` (text format, no credentials, outside the CIMI base
path): requests by route template, method and status, their latency, requests in flight,
and OpenNebula calls by method and outcome with their latency.

Under gunicorn every worker process counts its own: gunicorn.conf.py gives the server a
PROMETHEUS_MULTIPROC_DIR, each process writes its samples there, and /metrics adds up all
of them, whichever worker answers. Without it (tests, a single process) the process's own
registry is served. Label values are route templates (`/cimi/machines/<int:machine_id>`),
HTTP methods and statuses, OpenNebula method names and error kinds: never a user name, an
id or anything a client typed.
"""
import os
import time

from flask import Blueprint, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Gauge, Histogram,
    generate_latest, multiprocess,
)

from app.logs import count_call

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED_ROUTE = "unmatched"
STARTED = "metrics_started"

REQUESTS = Counter("cimi_requests_total", "HTTP requests answered.",
                   ("route", "method", "status"))
REQUEST_SECONDS = Histogram("cimi_request_duration_seconds", "Time to answer a request.",
                            ("route", "method"))
IN_FLIGHT = Gauge("cimi_requests_in_flight", "Requests being answered.",
                  multiprocess_mode="livesum")
ONE_CALLS = Counter("cimi_opennebula_calls_total",
                    "XML-RPC calls to OpenNebula, by method and outcome (ok or the error kind).",
                    ("method", "outcome"))
ONE_CALL_SECONDS = Histogram("cimi_opennebula_call_duration_seconds",
                             "Time an XML-RPC call to OpenNebula took.", ("method",))

blueprint = Blueprint("metrics", __name__)


def init_app(app):
    app.before_request(_started)
    app.after_request(_answered)
    app.teardown_request(_ended)
    app.register_blueprint(blueprint)


def observe_call(method, outcome, seconds):
    """One OpenNebula call (`vm.info`, ...): `outcome` is "ok" or the domain error's name.
    The request's log line counts it too."""
    count_call(method)
    ONE_CALLS.labels(method, outcome).inc()
    ONE_CALL_SECONDS.labels(method).observe(seconds)


@blueprint.get("/metrics")
def metrics():
    return Response(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)


def _registry():
    if not os.environ.get(MULTIPROCESS_VARIABLE):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def _started():
    setattr(g, STARTED, time.monotonic())
    IN_FLIGHT.inc()


def _answered(response):
    started = g.get(STARTED)
    if started is not None:
        route = request.url_rule.rule if request.url_rule is not None else UNMATCHED_ROUTE
        REQUESTS.labels(route, request.method, str(response.status_code)).inc()
        REQUEST_SECONDS.labels(route, request.method).observe(time.monotonic() - started)
    return response


def _ended(_exception):
    if g.pop(STARTED, None) is not None:
        IN_FLIGHT.dec()
