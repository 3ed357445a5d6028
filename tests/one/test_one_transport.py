"""The transport: one keep-alive pool per process, real per-call timeouts, raw envelopes."""
import glob
import http.client
import os
import socket
import threading
import xmlrpc.client

import pyone
import pytest

import app.one
from app.one.transport import (
    OneCaller, PooledTransport, _long_string_cut, read_method_response,
)
from onefake import SESSION, TRANSCRIPTS, make_app, transcript_value

USER = transcript_value("003")


def test_calls_reuse_one_keep_alive_connection(gateway, fake_oned):
    fake_oned.succeed("one.user.info", USER)
    for _ in range(5):
        gateway.whoami()
    assert len(fake_oned.calls) == 5
    assert fake_oned.connections == 1


def test_gateways_share_the_process_transport_but_not_the_session(one_app, fake_oned):
    fake_oned.succeed("one.user.info", USER)
    with one_app.app_context():
        first = app.one.gateway_for("alice:a")
        second = app.one.gateway_for("bob:b")
        first.whoami()
        second.whoami()
    assert [params[0] for _, params in fake_oned.calls] == ["alice:a", "bob:b"]
    assert fake_oned.connections == 1


def test_transport_is_built_from_the_configuration(fake_oned):
    application = make_app(fake_oned.url, ONE_CONNECT_TIMEOUT=1.5, ONE_READ_TIMEOUT=7.0,
                           ONE_POOL_CONNECTIONS=5)
    transport = application.extensions["one"]
    assert isinstance(transport, PooledTransport)
    assert transport.endpoint == fake_oned.url
    assert transport.timeout == (1.5, 7.0)
    assert transport.pool_connections == 5


def test_every_post_carries_the_timeouts(fake_oned, monkeypatch):
    """The connect timeout while connecting, the read timeout for the exchange."""
    application = make_app(fake_oned.url, ONE_CONNECT_TIMEOUT=2.0, ONE_READ_TIMEOUT=9.0)
    fake_oned.succeed("one.user.info", USER)
    transport = application.extensions["one"]
    connecting = []
    real_connect = http.client.HTTPConnection.connect

    def recording_connect(connection):
        connecting.append(connection.timeout)
        real_connect(connection)

    monkeypatch.setattr(http.client.HTTPConnection, "connect", recording_connect)
    with application.app_context():
        app.one.gateway_for(SESSION).whoami()
    (kept,) = transport._idle
    assert (connecting, kept.sock.gettimeout()) == ([2.0], 9.0)


def test_a_connection_the_server_closed_while_idle_is_not_reused(fake_oned):
    fake_oned.succeed("one.user.info", USER)
    transport = PooledTransport(fake_oned.url, 1.0, 5.0, 2)
    try:
        server = caller(transport)
        server.envelope("user.info", (-1,))
        (kept,) = transport._idle
        kept.sock.shutdown(socket.SHUT_RD)      # reads as the server's end of stream
        assert server.envelope("user.info", (-1,))[0] is True
        assert fake_oned.connections == 2
        assert kept.sock is None
    finally:
        transport.close()


def test_idle_connections_beyond_the_pool_size_are_closed(fake_oned):
    fake_oned.succeed("one.user.info", USER)
    transport = PooledTransport(fake_oned.url, 1.0, 5.0, 1)
    try:
        server = caller(transport)
        started = threading.Barrier(3)

        def call():
            started.wait()
            server.envelope("user.info", (-1,))
        threads = [threading.Thread(target=call) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(transport._idle) == 1
    finally:
        transport.close()
    assert transport._idle == []


def test_the_process_wide_socket_timeout_is_never_touched(gateway, fake_oned):
    fake_oned.succeed("one.user.info", USER)
    before = socket.getdefaulttimeout()
    gateway.whoami()
    assert socket.getdefaulttimeout() == before is None


def test_concurrent_calls_from_threads(gateway, fake_oned):
    fake_oned.succeed("one.user.info", USER)
    results, errors = [], []

    def call():
        try:
            results.append(gateway.whoami().name)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert results == ["oneadmin"] * 8
    assert fake_oned.connections <= 8


def test_pyone_bindings_never_parse_answers(gateway, fake_oned, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("pyone's generateDS bindings were used")

    monkeypatch.setattr(pyone.bindings, "parseString", refuse)
    fake_oned.succeed("one.vm.info", transcript_value("044"))
    assert gateway.vm(1).id == 1


def caller(transport):
    return OneCaller(transport.timed(lambda: transport.timeout), SESSION)


def test_envelope_keeps_oned_error_code(fake_oned):
    fake_oned.fail("one.image.delete", 0x8000, "[one.image.delete] The resource image is locked. [3].", 3)
    transport = PooledTransport(fake_oned.url, 1.0, 5.0, 2)
    try:
        envelope = caller(transport).envelope("image.delete", (3,))
    finally:
        transport.close()
    assert envelope == [False, "[one.image.delete] The resource image is locked. [3].",
                        0x8000, 3, -1]


def test_dict_parameters_are_refused_before_sending(fake_oned):
    transport = PooledTransport(fake_oned.url, 1.0, 5.0, 2)
    try:
        with pytest.raises(TypeError):
            caller(transport).envelope("vm.allocate", ({"NAME": 'x"'}, False))
    finally:
        transport.close()
    assert fake_oned.calls == []


@pytest.mark.parametrize("method, params", [
    ("vm.action", ("resume", 5)),
    ("vm.allocate", ("<TEMPLATE><NAME>caf\u00e9 &amp; \U0001F680</NAME></TEMPLATE>", True)),
    ("vmpool.info", (-2, 100, -50, -1)),
    ("vm.updateconf", (7, "", 0)),
    ("document.info", (2**31 - 1, False)),
])
def test_oned_receives_what_pyone_sends(fake_oned, method, params):
    """The calling convention is pyone's: the same method name, the session first, the same
    marshalled values (strings, ints, booleans, non-ASCII text)."""
    fake_oned.succeed("one." + method, 5)
    transport = PooledTransport(fake_oned.url, 1.0, 5.0, 2)
    try:
        assert caller(transport).envelope(method, params) == [True, 5, 0]
    finally:
        transport.close()
    ours = fake_oned.calls.pop()
    server = pyone.OneServer(fake_oned.url, session=SESSION)
    target = server
    for part in method.split("."):
        target = getattr(target, part)
    target(*params)
    assert fake_oned.calls.pop() == ours


def test_environment_proxies_are_ignored(fake_oned, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9/")
    monkeypatch.setenv("NO_PROXY", "")
    application = make_app(fake_oned.url)
    fake_oned.succeed("one.user.info", USER)
    with application.app_context():
        assert app.one.gateway_for(SESSION).whoami().id == 0


def test_method_response_reader_handles_every_type_oned_uses():
    body = xmlrpc.client.dumps(
        ([True, "<VM>&amp;</VM>", 0, -1, "I8", 1.5, None, {"a": [1, "x"]}],),
        methodresponse=True, allow_none=True).encode()
    body = body.replace(b"<string>I8</string>", b"<i8>1099511627776</i8>")
    assert read_method_response(body) == (
        [True, "<VM>&amp;</VM>", 0, -1, 2**40, 1.5, None, {"a": [1, "x"]}],)


def test_method_response_reader_untyped_and_empty_strings():
    body = (b"<?xml version='1.0'?><methodResponse><params><param><value><array><data>"
            b"<value>plain</value><value><string/></value><value></value>"
            b"</data></array></value></param></params></methodResponse>")
    assert read_method_response(body) == (["plain", "", ""],)


def test_method_response_reader_raises_faults():
    body = xmlrpc.client.dumps(xmlrpc.client.Fault(-501, "Method one.x not found"),
                               methodresponse=True).encode()
    with pytest.raises(xmlrpc.client.Fault) as raised:
        read_method_response(body)
    assert (raised.value.faultCode, raised.value.faultString) == (-501, "Method one.x not found")


@pytest.mark.parametrize("body", [
    b"", b"<methodResponse>", b"<methodResponse><params/></methodResponse>",
    b"<methodResponse><params><param><value><i4>x</i4></value></param></params></methodResponse>",
    b"<methodResponse><params><param><value><base64>AA==</base64></value></param></params>"
    b"</methodResponse>"])
def test_method_response_reader_refuses_garbage(body):
    with pytest.raises(xmlrpc.client.ResponseError):
        read_method_response(body)


def test_the_recorded_oned_responses_read_like_xmlrpc_client_reads_them():
    for path in sorted(glob.glob(os.path.join(TRANSCRIPTS, "*.response.xml"))):
        with open(path, "rb") as response:
            content = response.read()
        assert read_method_response(content) == xmlrpc.client.loads(content)[0], path


# A long value of escaped markup, as a pool answer carries: every predefined entity, text
# that is itself escaped markup, non-ASCII text and line breaks.
LONG_MARKUP = "".join(
    f"<VM><ID>{number}</ID><NAME>a&amp;b \"q\" 'a' <x> ünï ✓\n</NAME>"
    f"<T><![CDATA[1 < 2 && ]]]]><![CDATA[>]]></T></VM>" for number in range(200))


def _pool_answer(value, code=0):
    return xmlrpc.client.dumps(([True, value, code],), methodresponse=True).encode()


def test_a_long_plain_string_value_is_cut_out_and_read_like_xmlrpc_client_reads_it():
    body = _pool_answer(LONG_MARKUP)
    assert _long_string_cut(body)[1] == LONG_MARKUP
    assert read_method_response(body) == xmlrpc.client.loads(body)[0] == ([True, LONG_MARKUP, 0],)


def test_escaped_quotes_are_read_on_the_fast_path_too():
    """oned escapes no quote, but an XML-RPC server may write &quot; and &apos;."""
    expected = LONG_MARKUP + "&quot;&apos;"      # text that spells the references
    body = (_pool_answer(expected).replace(b'"q"', b"&quot;q&quot;")
            .replace(b"'a'", b"&apos;a&apos;"))
    assert _long_string_cut(body)[1] == expected
    assert read_method_response(body) == xmlrpc.client.loads(body)[0] == ([True, expected, 0],)


@pytest.mark.parametrize("change", [
    # character references, which libxml2 reads
    lambda body: body.replace(b"&lt;ID&gt;1&lt;", b"&#60;ID&#x3e;1&#60;"),
    # a carriage return, which XML reading turns into a line feed
    lambda body: body.replace(b"\n", b"\r\n", 1),
    # the value as CDATA
    lambda body: body.replace(b"<string>", b"<string><![CDATA[x]]>", 1),
    # a comment before the value that holds what looks like a string value
    lambda body: body.replace(b"<params>", b"<!-- <string>&amp;</string> --><params>", 1),
    # another encoding than UTF-8
    lambda body: body.replace(b"<?xml version='1.0'?>",
                              b"<?xml version='1.0' encoding='ISO-8859-1'?>").replace(
                                  "ünï".encode(), "ünï".encode("latin-1")),
    # a value that holds the text standing for the cut value
    lambda body: body.replace(b"&lt;VM&gt;", b"&lt;VM&gt;cimi-cut-string-value", 1),
    # two long values
    lambda body: body.replace(b"<int>0</int>", b"<string>" + b"&lt;" * 5000 + b"</string>"),
])
def test_any_other_long_value_is_read_like_xmlrpc_client_reads_it(change):
    body = change(_pool_answer(LONG_MARKUP))
    assert read_method_response(body) == xmlrpc.client.loads(body)[0]


def test_a_long_fault_string_is_read_too():
    body = xmlrpc.client.dumps(xmlrpc.client.Fault(-1, "<&>" * 3000), methodresponse=True).encode()
    with pytest.raises(xmlrpc.client.Fault) as raised:
        read_method_response(body)
    assert raised.value.faultString == "<&>" * 3000
