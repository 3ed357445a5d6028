"""Configuration from the environment.

Every setting has a safe default for `make run` against the embedded emulator; production
sets ONE_XMLRPC to a real oned.
"""
import os
from urllib.parse import urlsplit


# How long past its deadline a request may still undo what it did (`app.one.budget`).
UNDO_GRACE_SECONDS = 30.0
# CIMI_RECOVERY_SECONDS unless configured: longer than any request can last.
DEFAULT_RECOVERY_SECONDS = 600.0


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


def worker_threads():
    """gunicorn's threads per process (`gunicorn.conf.py` reads the same variable)."""
    return _int("CIMI_THREADS", 16)


def request_deadline_seconds():
    """How long all the OpenNebula calls of one request may take together."""
    return _float("CIMI_REQUEST_DEADLINE_SECONDS", 60.0)


def _default_concurrent_requests():
    """Three quarters of the threads, leaving at least two for requests without calls."""
    threads = worker_threads()
    return max(1, min(threads * 3 // 4, threads - 2))


def _public_url(name):
    """An absolute http(s) URL without query or fragment, or None when unset."""
    url = os.environ.get(name) or None
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query \
                or parts.fragment or "@" in parts.netloc:
            raise ValueError(f"{name} must be an absolute http(s) URL like "
                             f"https://cloud.example.org/cimi, got {url!r}")
    return url


def from_environment():
    """The application settings, read from the environment once at start-up."""
    return {
        "ONE_XMLRPC": os.environ.get("ONE_XMLRPC", "http://127.0.0.1:2633/RPC2"),
        "CIMI_BASE_PATH": os.environ.get("CIMI_BASE_PATH", "/cimi").rstrip("/"),
        "ONE_CONNECT_TIMEOUT": _float("CIMI_ONE_CONNECT_TIMEOUT", 3.0),
        "ONE_READ_TIMEOUT": _float("CIMI_ONE_READ_TIMEOUT", 30.0),
        "ONE_POOL_CONNECTIONS": _int("CIMI_ONE_POOL_CONNECTIONS", 32),
        # One deadline for all the OpenNebula calls of a request (`app.one.budget`).
        "CIMI_REQUEST_DEADLINE_SECONDS": request_deadline_seconds(),
        # How many requests of a process may be calling OpenNebula at once, and how long one
        # waits for its turn before a 503: fewer than gunicorn's threads, so that requests
        # needing no OpenNebula call always find a thread.
        "ONE_CONCURRENT_REQUESTS": _int("CIMI_ONE_CONCURRENT_REQUESTS",
                                        _default_concurrent_requests()),
        "ONE_SLOT_WAIT_SECONDS": _float("CIMI_ONE_SLOT_WAIT_SECONDS", 0.05),
        "CIMI_PAGE_SIZE_MAX": _int("CIMI_PAGE_SIZE_MAX", 1000),
        # How long a process remembers a collection's size for the `count` of later pages.
        "CIMI_COUNT_CACHE_SECONDS": _float("CIMI_COUNT_CACHE_SECONDS", 5.0),
        "CIMI_READY_TIMEOUT_SECONDS": _float("CIMI_READY_TIMEOUT_SECONDS", 2.0),
        "MAX_CONTENT_LENGTH": _int("CIMI_MAX_BODY_BYTES", 1024 * 1024),
        # How many reverse proxies in front of the server may set X-Forwarded-* headers.
        "CIMI_PROXY_HOPS": _int("CIMI_PROXY_HOPS", 0),
        # How long the outcome of a POST with an Idempotency-Key is kept for its retries.
        "CIMI_IDEMPOTENCY_SECONDS": _int("CIMI_IDEMPOTENCY_SECONDS", 24 * 3600),
        # How long such a POST may be in progress: a retry after that finds it abandoned.
        "CIMI_IDEMPOTENCY_PENDING_SECONDS": _int("CIMI_IDEMPOTENCY_PENDING_SECONDS", 300),
        # The URL clients reach the API at (its Cloud Entry Point's parent); hrefs start with
        # it. Unset, they follow the trusted proxies or the listening address
        # (`app.protocol.hrefs`).
        "CIMI_PUBLIC_URL": _public_url("CIMI_PUBLIC_URL"),
        # How long an operation may stay unconfirmed before a read settles it as interrupted
        # (a server killed halfway): its Job ends FAILED, objects it left incomplete are
        # removed or completed. Longer than any request can last.
        "CIMI_RECOVERY_SECONDS": _float("CIMI_RECOVERY_SECONDS", DEFAULT_RECOVERY_SECONDS),
    }
