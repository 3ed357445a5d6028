"""gunicorn settings, read from the environment.

Threaded workers: each request spends most of its time waiting on OpenNebula, so threads
(not processes) are what serve concurrent clients; a few processes use the cores.
"""
import multiprocessing
import os

bind = os.environ.get("CIMI_LISTEN", "127.0.0.1:8080")
worker_class = "gthread"
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
