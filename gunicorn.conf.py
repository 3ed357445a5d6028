"""gunicorn settings, read from the environment.

Threaded workers: each request spends most of its time waiting on OpenNebula, so threads
(not processes) are what serve concurrent clients; a few processes use the cores.
"""
import multiprocessing
import os
import shutil
import tempfile

# Every worker counts its own metrics; /metrics adds up those of all of them (app/metrics.py)
# from a directory of this server's own, made fresh at start and removed at exit.
_METRICS_DIRECTORY = None
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    _METRICS_DIRECTORY = tempfile.mkdtemp(prefix="cimi-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _METRICS_DIRECTORY

# After the metrics directory is set: these imports load prometheus_client.
import gunicorn_worker  # noqa: E402
from app.config import UNDO_GRACE_SECONDS, request_deadline_seconds, worker_threads  # noqa: E402

bind = os.environ.get("CIMI_LISTEN", "127.0.0.1:8080")
# gthread, answering the errors gunicorn detects itself with CIMI error bodies.
worker_class = "gunicorn_worker.CimiThreadWorker"
workers = int(os.environ.get("CIMI_WORKERS", min(4, multiprocessing.cpu_count())))
# More threads than requests allowed to call OpenNebula at once (CIMI_ONE_CONCURRENT_REQUESTS,
# see app/one/budget.py), so a slow OpenNebula never holds them all.
threads = worker_threads()
# A request ends within its deadline and the grace its undo calls get; leave room above.
timeout = int(request_deadline_seconds() + UNDO_GRACE_SECONDS) + 30
graceful_timeout = 30
keepalive = 5
# The application logs every request itself (app/logs.py: request id, route, user, the
# OpenNebula calls made); gunicorn's own access lines only when CIMI_ACCESS_LOG is set.
_GUNICORN_ACCESS_LEVEL = "INFO" if os.environ.get("CIMI_ACCESS_LOG") else "WARNING"
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

# One format for gunicorn's records and the application's: JSON lines, or text for people.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"cimi": {"()": "app.logs.formatter",
                            "name": os.environ.get("CIMI_LOG_FORMAT", "json")}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "cimi",
                             "stream": "ext://sys.stdout"}},
    "root": {"level": loglevel.upper(), "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["console"],
                           "propagate": False},
        "gunicorn.access": {"level": _GUNICORN_ACCESS_LEVEL, "handlers": ["console"],
                            "propagate": False},
    },
}

def child_exit(server, worker):
    """A worker's gauges (requests in flight) stop counting once it is gone."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _METRICS_DIRECTORY:
        shutil.rmtree(_METRICS_DIRECTORY, ignore_errors=True)
