"""Configuration from the environment.

Every setting has a safe default for `make run` against the embedded emulator; production
sets ONE_XMLRPC to a real oned.
"""
import os

from app.services.context import DEFAULT_RECOVERY_SECONDS


def _int(name, default):
    return _number(name, default, int, "an integer")


def _float(name, default):
    return _number(name, default, float, "a number")


def _number(name, default, convert, kind):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return convert(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be {kind}, got {raw!r}") from exc


def from_environment():
    """The application settings, read from the environment once at start-up."""
    return {
        "ONE_XMLRPC": os.environ.get("ONE_XMLRPC", "http://127.0.0.1:2633/RPC2"),
        "CIMI_BASE_PATH": os.environ.get("CIMI_BASE_PATH", "/cimi").rstrip("/"),
        "ONE_CONNECT_TIMEOUT": _float("CIMI_ONE_CONNECT_TIMEOUT", 3.0),
        "ONE_READ_TIMEOUT": _float("CIMI_ONE_READ_TIMEOUT", 30.0),
        "ONE_POOL_CONNECTIONS": _int("CIMI_ONE_POOL_CONNECTIONS", 32),
        "CIMI_PAGE_SIZE_MAX": _int("CIMI_PAGE_SIZE_MAX", 1000),
        # How long a process remembers a collection's size for the `count` of later pages.
        "CIMI_COUNT_CACHE_SECONDS": _float("CIMI_COUNT_CACHE_SECONDS", 5.0),
        "MAX_CONTENT_LENGTH": _int("CIMI_MAX_BODY_BYTES", 1024 * 1024),
        # How many reverse proxies in front of the server may set X-Forwarded-* headers.
        "CIMI_PROXY_HOPS": _int("CIMI_PROXY_HOPS", 0),
        # How long an operation may stay unconfirmed before a read settles it as interrupted
        # (a server killed halfway): its Job ends FAILED, objects it left incomplete are
        # removed or completed. Longer than any request can last.
        "CIMI_RECOVERY_SECONDS": _float("CIMI_RECOVERY_SECONDS", DEFAULT_RECOVERY_SECONDS),
    }
