"""HTTP transport: XML-RPC on POST /RPC2, threaded, loopback, like oned's xmlrpc-c server."""
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import wire
from .errors import RpcFault

log = logging.getLogger("onesim")

RPC_PATH = "/RPC2"
MAX_BODY = 64 * 1024 * 1024


class _RpcHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Xmlrpc-c_Abyss/1.33.14"
    sys_version = ""
    # Headers and body go out in separate writes; with Nagle's algorithm the body would wait
    # for the client's delayed ACK (about 40 ms) on every kept-alive call.
    disable_nagle_algorithm = True

    def do_POST(self):
        if self.path != self.server.rpc_path:
            self._reply(404, b"", "text/plain")
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length <= 0 or length > MAX_BODY:
            self._reply(400, b"", "text/plain")
            return
        body = self.rfile.read(length)
        self._reply(200, self.server.answer(body), "text/xml; charset=utf-8")

    def _reply(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-type", content_type)
        self.send_header("Content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        log.debug("%s " + format, self.address_string(), *args)


class RpcServer(ThreadingHTTPServer):
    """Serves `dispatch(method, params)` (an envelope or RpcFault) as XML-RPC."""

    daemon_threads = True
    allow_reuse_address = True
    # A pooled client opens many connections at once; the default backlog of 5 resets some.
    request_queue_size = 128

    def __init__(self, host, port, dispatch, delay_for=lambda method: 0, rpc_path=RPC_PATH):
        super().__init__((host, port), _RpcHandler)
        self.dispatch = dispatch
        self.delay_for = delay_for
        self.rpc_path = rpc_path
        self.thread = None
        self.connections = set()
        self.connections_lock = threading.Lock()

    @property
    def port(self):
        return self.server_address[1]

    def answer(self, body):
        try:
            method, params = wire.decode_request(body)
        except ValueError as error:
            return wire.encode_fault(-503, f"Call XML not a proper XML-RPC call. {error}")
        try:
            response = wire.encode_response(self.dispatch(method, params))
        except RpcFault as fault:
            response = wire.encode_fault(fault.code, fault.message)
        except Exception:
            log.exception("%s failed", method)
            response = wire.encode_fault(-500, "Internal error")
        delay = self.delay_for(method)
        if delay:
            time.sleep(delay)
        return response

    def get_request(self):
        connection, address = super().get_request()
        with self.connections_lock:
            self.connections.add(connection)
        return connection, address

    def shutdown_request(self, request):
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def start(self):
        self.thread = threading.Thread(target=self.serve_forever, name="onesim-http", daemon=True)
        self.thread.start()

    def stop(self):
        """Stop listening and cut kept-alive connections, so pooled clients fail too."""
        self.shutdown()
        self.server_close()
        with self.connections_lock:
            for connection in self.connections:
                _cut(connection)
            self.connections.clear()
        if self.thread is not None:
            self.thread.join(timeout=5)


def _cut(connection):
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class Endpoint:
    """The emulator's XML-RPC listener; can be taken off the network and back (same port)."""

    def __init__(self, emulator, host, port):
        self.emulator = emulator
        self.host = host
        self.server = self._listen(port)
        self.port = self.server.port

    def _listen(self, port):
        server = RpcServer(self.host, port, self.emulator.dispatch, self.emulator.faults.delay_for)
        server.start()
        return server

    @property
    def url(self):
        return f"http://{self.host}:{self.port}{RPC_PATH}"

    def set_reachable(self, reachable):
        """False closes the listening socket (clients get "connection refused")."""
        if reachable and self.server is None:
            self.server = self._listen_again()
        elif not reachable and self.server is not None:
            self.server.stop()
            self.server = None

    def _listen_again(self, attempts=50):
        for _ in range(attempts):
            try:
                return self._listen(self.port)
            except OSError:
                time.sleep(0.1)
        return self._listen(self.port)

    def stop(self):
        if self.server is not None:
            self.server.stop()
            self.server = None
