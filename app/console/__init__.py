"""The web console: static pages at /console/, outside the CIMI base path.

The console is one more client of the CIMI API: its JavaScript reads the Cloud Entry Point
and follows hrefs and operations in JSON, with the user's OpenNebula credentials held in the
page's memory only. The server keeps no state for it; it serves the page, which names the
Cloud Entry Point, and the assets beside it (app/console/static, no build step).

Every console response carries a Content-Security-Policy that allows this origin only: no
inline script or style, no other origin to load from or talk to, no framing.
"""
from flask import Blueprint, current_app, render_template

URL_PREFIX = "/console"
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'",
    "connect-src 'self'", "form-action 'none'", "base-uri 'none'", "frame-ancestors 'none'",
))

blueprint = Blueprint("console", __name__, url_prefix=URL_PREFIX, static_folder="static",
                      static_url_path="", template_folder="templates")


@blueprint.get("/")
def page():
    return render_template("console/index.html", entry_point=entry_point_url())


def entry_point_url():
    """Where the console finds the API: CIMI_PUBLIC_URL's entry point, else the one under
    CIMI_BASE_PATH on the page's own origin (a path, so no Host header ends up in it)."""
    public = current_app.config.get("CIMI_PUBLIC_URL")
    if public:
        return public.rstrip("/") + "/cloudEntryPoint"
    base_path = current_app.config.get("CIMI_BASE_PATH", "").strip("/")
    return "/" + (base_path + "/" if base_path else "") + "cloudEntryPoint"


@blueprint.after_request
def _protect(response):
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
