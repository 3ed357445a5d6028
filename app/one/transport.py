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
import re
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

# A pool answer's value is one long <string> of escaped markup, and libxml2 spends most of the
# envelope's parse on its hundreds of thousands of entity references: such a value, when its
# text holds nothing but characters and predefined entities, is cut out of the envelope and
# unescaped with bytes.replace, at a third of the cost; the rest of the envelope (and any
# value not that plain) goes through libxml2 as before.
_LONG_STRING_BYTES = 4096
_STRING_START, _STRING_END = b"<string>", b"</string>"
# Stands for the cut value in the envelope libxml2 reads (never when the answer holds it).
_CUT = "cimi-cut-string-value"
_CUT_BYTES = _CUT.encode()
_DECLARED_ENCODING = re.compile(rb"""encoding\s*=\s*["']([^"']*)["']""")


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
    envelope, cut_text = _long_string_cut(content)
    try:
        root = etree.fromstring(envelope, xml_parser())
        fault = root.find("fault/value")
        if fault is not None:
            details = _value(fault, cut_text)
            raise xmlrpc.client.Fault(details.get("faultCode"), details.get("faultString"))
        value = root.find("params/param/value")
        if value is None:
            raise xmlrpc.client.ResponseError("the response has no value")
        return (_value(value, cut_text),)
    except (etree.XMLSyntaxError, ValueError, AttributeError, KeyError) as exc:
        raise xmlrpc.client.ResponseError(f"unreadable XML-RPC response: {exc}") from None


def _value(element, cut_text):
    """`cut_text`: the text of the <string> value `_long_string_cut` replaced by _CUT."""
    if len(element) == 0:
        return element.text or ""     # an untyped <value> is a string
    typed = element[0]
    if typed.tag == "array":
        return [_value(item, cut_text) for item in typed.find("data")]
    if typed.tag == "struct":
        return {member.findtext("name"): _value(member.find("value"), cut_text)
                for member in typed}
    if typed.tag == "string" and cut_text is not None and typed.text == _CUT:
        return cut_text
    return _SCALARS[typed.tag](typed.text or "")


def _long_string_cut(content):
    """(the envelope with its first long <string> value replaced by _CUT, that value's
    text), or (content, None) when there is no such value or it is not plain.

    The first b"<string>" is that element's start tag when nothing before it can hide markup
    (a comment, CDATA, a processing instruction or a DOCTYPE); its content up to the next
    b"</string>" is all text when it holds no "<". Carriage returns (which XML reading
    normalises) and character references are left to libxml2, as is any encoding but UTF-8.
    """
    start = content.find(_STRING_START)
    if start < 0:
        return content, None
    value_start = start + len(_STRING_START)
    value_end = content.find(_STRING_END, value_start)
    if value_end - value_start < _LONG_STRING_BYTES:
        return content, None
    head, raw, tail = content[:value_start], content[value_start:value_end], content[value_end:]
    if (not _plain_utf8_prolog(head) or b"<" in raw or b"\r" in raw
            or _CUT_BYTES in head or _CUT_BYTES in tail):
        return content, None
    text = _unescaped(raw)
    if text is None:
        return content, None
    return head + _CUT_BYTES + tail, text


def _plain_utf8_prolog(head):
    """Whether `head` is only elements after an optional XML declaration of UTF-8."""
    if head.startswith(b"<?xml"):
        declaration_end = head.find(b"?>")
        if declaration_end < 0:
            return False
        declared = _DECLARED_ENCODING.search(head, 0, declaration_end)
        if declared is not None and declared.group(1).lower() not in (b"utf-8", b"utf8"):
            return False
        head = head[declaration_end + 2:]
    return b"<!" not in head and b"<?" not in head


def _unescaped(raw):
    """The text of element content made of characters and the five predefined entity
    references; None when it holds any other reference or is not UTF-8."""
    text = raw.replace(b"&lt;", b"<").replace(b"&gt;", b">")
    # What is replaced cannot spell "&amp;" anew: when every "&" left starts one, the text is
    # done. oned escapes no quote, so the two rarer references are looked for only then.
    if text.count(b"&") != text.count(b"&amp;"):
        text = text.replace(b"&quot;", b'"').replace(b"&apos;", b"'")
        if text.count(b"&") != text.count(b"&amp;"):
            return None
    try:
        return text.replace(b"&amp;", b"&").decode("utf-8")
    except UnicodeDecodeError:
        return None
