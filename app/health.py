"""Liveness and readiness, outside the CIMI base path, for load balancers, containers and
orchestrators; JSON whatever the Accept header asks (a probe may send none, or a browser
text/html), no credentials.

`GET /healthz`: the process serves requests (200); it makes no OpenNebula call, so a slow or
absent oned never makes a healthy process look dead and get restarted.
`GET /readyz`: oned answers an XML-RPC call within CIMI_READY_TIMEOUT_SECONDS (200), else
503 with the reason, so traffic goes only to processes that can reach OpenNebula. The probe
takes no request slot (`app.one.budget`): a process busy with slow calls is still ready.
"""
from flask import Blueprint, current_app, jsonify

from app import one

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz():
    return jsonify(status="ok")


@blueprint.get("/readyz")
def readyz():
    problem = one.unreachable(current_app.config["CIMI_READY_TIMEOUT_SECONDS"])
    if problem:
        response = jsonify(status="unavailable", reason=problem)
        response.status_code = 503
        response.headers["Retry-After"] = "5"
        return response
    return jsonify(status="ok")
