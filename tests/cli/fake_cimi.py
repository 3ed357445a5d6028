"""A scripted CIMI server on a free loopback port, for the answers the real server does not give
(yet): Jobs, 202 with CIMI-Job-URI, paged collections, foreign error bodies.

`server.route(method, path, answer)` where `answer(request)` returns (status, headers, body);
a dict body is sent as JSON, bytes as they are. Requests are recorded in `server.requests`.
"""
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict
    headers: dict
    body: object


class FakeCimi:
    def __init__(self):
        self.routes = {}
        self.requests = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exception):
        self.server.shutdown()
        self.server.server_close()

    def url(self, path):
        return self.base + path

    def route(self, method, path, answer):
        self.routes[(method, path)] = answer

    def document(self, path, document):
        self.route("GET", path, lambda request: (200, {}, document))

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *arguments):
                """Quiet: the tests assert on what was recorded instead."""

            def _serve(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                request = Request(self.command, parts.path, parse_qs(parts.query),
                                  dict(self.headers), json.loads(raw) if raw else None)
                fake.requests.append(request)
                answer = fake.routes.get((self.command, parts.path))
                status, headers, body = (answer(request) if answer
                                         else (404, {}, {"message": "No such thing."}))
                if isinstance(body, dict):
                    body = json.dumps(body).encode()
                    headers = {"Content-Type": "application/json", **headers}
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        return Handler
