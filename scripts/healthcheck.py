"""Container health check: exit 0 while the server is ready, that is it serves and reaches
OpenNebula (`GET /readyz`, 200); 1 otherwise, so a container that can only answer 503 is
reported unhealthy. Orchestrators with separate probes use /healthz for liveness."""
import os
import sys
import urllib.error
import urllib.request

PORT = os.environ.get("CIMI_LISTEN", "0.0.0.0:8080").rsplit(":", 1)[1]
URL = f"http://127.0.0.1:{PORT}/readyz"

try:
    urllib.request.urlopen(URL, timeout=4)
except OSError:        # HTTPError (a 503) included
    sys.exit(1)
