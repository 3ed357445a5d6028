"""oned's XML-RPC calls, the gateway's fast path: a pooled keep-alive transport, requests
marshalled by the standard library and answers read by libxml2 into raw envelopes.

pyone 7.0.2's public interface cannot serve here: `OneServer` always builds its own
`RequestsTransport`, which calls `requests.post` afresh for every call (no pooling) and has
no timeout except the process-global `socket.setdefaulttimeout`; it parses every XML answer
with its generateDS bindings (slow, and lossy for extended bodies) and drops the error code.
So `OneCaller` follows pyone's calling convention itself (the `one.` prefix, the session as
first parameter; tests/one/test_one_transport.py checks that oned receives from it exactly
what pyone sends) and never casts a dict: templates are built, escaped, by
`app.one.templates`.

The exchange itself is the standard library's `http.client`: an XML-RPC call is one POST to
one endpoint, and `requests` spent three times its CPU on it (sessions, cookies, proxies,
hooks: 1.1 ms against 0.36 ms a call), the largest part of a request for one machine.
"""
import http.client
import select
import threading
import xmlrpc.client
from urllib.parse import urlsplit

from lxml import etree

from app.one.parse import xml_parser

_HEADERS = {"Content-Type": "text/xml", "Accept": "text/xml"}

_SCALARS = {
    "string": str,
    "boolean": lambda text: text.strip() == "1",
    "int": int,
    "i4": int,
    "i8": int,
    "double": float,
    "nil": lambda text: None,
}


class PooledTransport:
    """Posts XML-RPC bodies to one endpoint over a shared pool of keep-alive connections.

    One instance serves the whole process (all threads): a connection is used by one call
    at a time, and up to `pool_connections` idle ones are kept for the next calls (oned
    closes every connection after its answer; other servers may keep them). Every call gets
    the configured connect and read timeouts; no proxy from the environment is used.
    """

    def __init__(self, endpoint, connect_timeout, read_timeout, pool_connections):
        self.endpoint = endpoint
        self.timeout = (connect_timeout, read_timeout)
        self.pool_connections = pool_connections
        parts = urlsplit(endpoint)
        self._connection_class = (http.client.HTTPSConnection if parts.scheme == "https"
                                  else http.client.HTTPConnection)
        self._host, self._port = parts.hostname, parts.port
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._idle = []
        self._lock = threading.Lock()

    def post(self, request_body, timeout):
        """One XML-RPC exchange with (connect, read) `timeout`: the response's params."""
        connect_timeout, read_timeout = timeout
        connection = self._idle_connection() or self._connection_class(
            self._host, self._port, timeout=connect_timeout)
        try:
            if connection.sock is None:
                connection.connect()
            connection.sock.settimeout(read_timeout)
            connection.request("POST", self._path, request_body, _HEADERS)
            response = connection.getresponse()
            content = response.read()
        except BaseException:
            connection.close()
            raise
        if response.will_close:
            connection.close()
        else:
            self._keep(connection)
        if response.status != 200:
            raise xmlrpc.client.ProtocolError(
                self.endpoint, response.status, response.reason, response.headers)
        return read_method_response(content)

    def _idle_connection(self):
        """A kept connection the server has not closed meanwhile, else None."""
        while True:
            with self._lock:
                if not self._idle:
                    return None
                connection = self._idle.pop()
            if _still_open(connection.sock):
                return connection
            connection.close()

    def _keep(self, connection):
        with self._lock:
            if len(self._idle) < self.pool_connections:
                self._idle.append(connection)
                return
        connection.close()

    def timed(self, timeouts):
        """This transport, each call's timeouts taken from `timeouts()` as it is sent."""
        return TimedTransport(self, timeouts)

    def close(self):
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()


def _still_open(sock):
    """Whether an idle connection's socket can carry another exchange: nothing to read yet
    (readable means closed by the server, or stray bytes that would garble the answer)."""
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return not poller.poll(0)


class TimedTransport:
    """A per-request view of the process's PooledTransport: same pool, the request's timeouts
    (`app.one.budget`)."""

    def __init__(self, pooled, timeouts):
        self._pooled = pooled
        self._timeouts = timeouts

    def post(self, request_body):
        return self._pooled.post(request_body, self._timeouts())


class OneCaller:
    """Calls oned's methods with one session over a request's `TimedTransport`."""

    def __init__(self, transport, session):
        self._transport = transport
        self._session = session

    def envelope(self, method, params):
        """oned's answer list to `one.<method>(session, *params)`, untouched:
        [success, value or message, error code, ...]."""
        if any(isinstance(param, dict) for param in params):
            raise TypeError(f"one.{method}: pass templates as built strings, not dicts")
        body = xmlrpc.client.dumps((self._session, *params), "one." + method,
                                   encoding="utf-8", allow_none=False)
        return self._transport.post(body.encode("utf-8", "xmlcharrefreplace"))[0]


def read_method_response(content):
    """The params tuple of an XML-RPC methodResponse; a fault is raised as `Fault`.

    A pool answer is one XML-RPC string of tens of MB full of escaped markup: xmlrpc.client's
    expat unmarshaller calls back into Python for every entity in it, libxml2 does not.
    """
    try:
        root = etree.fromstring(content, xml_parser())
        fault = root.find("fault/value")
        if fault is not None:
            details = _value(fault)
            raise xmlrpc.client.Fault(details.get("faultCode"), details.get("faultString"))
        value = root.find("params/param/value")
        if value is None:
            raise xmlrpc.client.ResponseError("the response has no value")
        return (_value(value),)
    except (etree.XMLSyntaxError, ValueError, AttributeError, KeyError) as exc:
        raise xmlrpc.client.ResponseError(f"unreadable XML-RPC response: {exc}") from None


def _value(element):
    if len(element) == 0:
        return element.text or ""     # an untyped <value> is a string
    typed = element[0]
    if typed.tag == "array":
        return [_value(item) for item in typed.find("data")]
    if typed.tag == "struct":
        return {member.findtext("name"): _value(member.find("value")) for member in typed}
    return _SCALARS[typed.tag](typed.text or "")
