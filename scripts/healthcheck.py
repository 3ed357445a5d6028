"""Container health check: exit 0 while the server answers HTTP below 500.

The Cloud Entry Point needs credentials, so a 401 still proves the server is serving.
"""
import os
import sys
import urllib.error
import urllib.request

PORT = os.environ.get("CIMI_LISTEN", "0.0.0.0:8080").rsplit(":", 1)[1]
URL = f"http://127.0.0.1:{PORT}{os.environ.get('CIMI_BASE_PATH', '/cimi')}/cloudEntryPoint"

try:
    urllib.request.urlopen(URL, timeout=4)
except urllib.error.HTTPError as error:
    sys.exit(1 if error.code >= 500 else 0)
except OSError:
    sys.exit(1)
