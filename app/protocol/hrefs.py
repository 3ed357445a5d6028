"""Absolute hrefs of this server's resources.

The base URI is the request's own root URL plus CIMI_BASE_PATH, ending in "/" as CIMI
requires. Behind a reverse proxy, X-Forwarded-Proto/Host are honoured only when
CIMI_PROXY_HOPS (the number of trusted proxies) is set; see `app.protocol.init_app`.
"""
from urllib.parse import quote

from flask import current_app, request


def base_uri():
    cached = request.environ.get("cimi.base_uri")
    if cached is None:
        path = current_app.config.get("CIMI_BASE_PATH", "").strip("/")
        cached = request.environ["cimi.base_uri"] = request.url_root + (path + "/" if path else "")
    return cached


def href(*segments):
    """`href("machines", 42)` -> `http://host/cimi/machines/42`; each segment is
    percent-encoded, so a segment never adds a path level."""
    return base_uri() + "/".join(quote(str(segment), safe="") for segment in segments)
