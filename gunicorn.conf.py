"""gunicorn settings, read from the environment.

Threaded workers: each request spends most of its time waiting on OpenNebula, so threads
(not processes) are what serve concurrent clients; a few processes use the cores.
"""
import ctypes
import ctypes.util
import multiprocessing
import os

import gunicorn_worker

M_ARENA_MAX = -8


def _limit_malloc_arenas(arenas):
    """glibc gives every thread its own malloc arena, and each keeps its peak: with threaded
    workers a worker's memory grows with its thread count. The workers inherit this setting
    from the master. Other C libraries have no such option and are left alone."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return
    libc = ctypes.CDLL(libc_name)
    if hasattr(libc, "mallopt"):
        libc.mallopt(M_ARENA_MAX, arenas)


_limit_malloc_arenas(int(os.environ.get("CIMI_MALLOC_ARENAS", "2")))

bind = os.environ.get("CIMI_LISTEN", "127.0.0.1:8080")
# gthread, answering the errors gunicorn detects itself with CIMI error bodies.
worker_class = "gunicorn_worker.CimiThreadWorker"
workers = int(os.environ.get("CIMI_WORKERS", min(4, multiprocessing.cpu_count())))
threads = int(os.environ.get("CIMI_THREADS", "8"))
# A request may wait on OpenNebula up to its read timeout; leave room above it.
timeout = int(float(os.environ.get("CIMI_ONE_READ_TIMEOUT", "30"))) + 30
graceful_timeout = 30
keepalive = 5
accesslog = os.environ.get("CIMI_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("CIMI_LOG_LEVEL", "info")
# The request line and user name only: credentials never reach the log.
access_log_format = '%(h)s %(u)s "%(r)s" %(s)s %(b)s %(M)sms'
# The request line of the longest `$filter` the API accepts, percent-encoded.
limit_request_line = gunicorn_worker.REQUEST_LINE_LIMIT
# No `gunicornc` control socket: by default every instance would bind the same path.
control_socket_disable = True
# Only CIMI_PROXY_HOPS decides which X-Forwarded-* headers are trusted (app.protocol), so
# gunicorn trusts none, from any address.
forwarded_allow_ips = ""
secure_scheme_headers = {}
forwarder_headers = ""
