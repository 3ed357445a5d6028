"""Absolute hrefs of this server's resources, and which hosts they may name.

The base URI ends in "/" as CIMI requires and comes, first that applies, from:
- CIMI_PUBLIC_URL, the URL clients use to reach the API (e.g. https://cloud.example.org/cimi):
  hrefs never depend on the request then;
- the trusted reverse proxies' X-Forwarded-Proto/Host/Port/Prefix headers, when
  CIMI_PROXY_HOPS (their number) is set (see `app.protocol.init_app`), plus CIMI_BASE_PATH;
- otherwise the request's own root URL plus CIMI_BASE_PATH, but only when its Host header
  names the address the server listens on (the WSGI server's SERVER_NAME and SERVER_PORT):
  any other Host is refused with 400 (`check_host`), so hrefs and `Location` headers never
  follow a Host header a client or a cache chose.
"""
from urllib.parse import quote

from flask import current_app, request

from app.errors import BadRequest

_DEFAULT_PORTS = {"http": "80", "https": "443"}


def base_uri():
    cached = request.environ.get("cimi.base_uri")
    if cached is None:
        cached = request.environ["cimi.base_uri"] = _base_uri()
    return cached


def _base_uri():
    public = current_app.config.get("CIMI_PUBLIC_URL")
    if public:
        return public.rstrip("/") + "/"
    path = current_app.config.get("CIMI_BASE_PATH", "").strip("/")
    return request.url_root + (path + "/" if path else "")


def href(*segments):
    """`href("machines", 42)` -> `http://host/cimi/machines/42`; each segment is
    percent-encoded, so a segment never adds a path level."""
    return base_uri() + "/".join(quote(str(segment), safe="") for segment in segments)


def check_host():
    """Run before every view: without CIMI_PUBLIC_URL or trusted proxies, a Host header that
    does not name the listening address is refused, before it can reach an href. Only the
    API under CIMI_BASE_PATH writes hrefs: /healthz, /readyz and /metrics answer whatever
    the Host, as probes address a container or pod by whatever name reaches it."""
    config = current_app.config
    if config.get("CIMI_PUBLIC_URL") or config.get("CIMI_PROXY_HOPS") or not in_api():
        return
    names = _listening_names(request.environ)
    requested = request.environ.get("HTTP_HOST")
    if requested is not None and requested.lower() not in names:
        raise BadRequest("This server answers for the address it listens on "
                         f"({min(names, key=len)}); set CIMI_PUBLIC_URL to serve it under "
                         "another name.")


def in_api():
    """Whether the request is for the CIMI API, under CIMI_BASE_PATH (not the probes, the
    metrics or the web console beside it)."""
    base_path = "/" + current_app.config.get("CIMI_BASE_PATH", "").strip("/")
    return (request.path + "/").startswith(base_path.rstrip("/") + "/")


def _listening_names(environ):
    """The Host values naming the listening address: host:port, and the bare host on the
    scheme's default port."""
    host = environ.get("SERVER_NAME", "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = environ.get("SERVER_PORT", "")
    names = {f"{host}:{port}"}
    if port == _DEFAULT_PORTS.get(environ.get("wsgi.url_scheme")):
        names.add(host)
    return names
