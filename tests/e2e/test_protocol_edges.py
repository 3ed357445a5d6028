"""HTTP at the edges, against the real gunicorn server over raw sockets: what gunicorn itself
refuses is a CIMI error too, the longest `$filter` reaches the application, a connection is
closed only after an answer that says so, hrefs never follow a Host or X-Forwarded-*
header the server does not trust, and no bytes whatever get a 500 or a non-CIMI error."""
import base64
import json
import os
import socket
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.protocol.error_responses import ERROR_RESOURCE_URI
from app.protocol.query import MAX_FILTER_LENGTH
from support.servers import running_gunicorn

READ_SECONDS = 30


class Answer:
    """One HTTP/1.1 response read off a socket, and whether the server then closed it."""

    def __init__(self, head, body, closed):
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        self.status = int(status_line.split(" ")[1])
        self.headers = {name.lower(): value.strip() for name, _, value in
                        (line.partition(":") for line in header_lines)}
        self.body = body
        self.closed = closed

    def cimi_error(self, status):
        assert self.status == status
        assert self.headers["content-type"].startswith("application/json")
        document = json.loads(self.body)
        assert document["resourceURI"] == ERROR_RESOURCE_URI and document["status"] == status
        assert document["message"]
        return document


def exchange(url, data, body_after_answer=b""):
    """Send `data`, read one answer, then send `body_after_answer` if any and tell whether
    the server closed the connection."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=READ_SECONDS) as sock:
        sock.sendall(data)
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = sock.recv(65536)
            assert chunk, f"closed without an answer: {received!r}"
            received += chunk
        head, _, body = received.partition(b"\r\n\r\n")
        length = int(Answer(head, b"", False).headers["content-length"])
        while len(body) < length:
            body += sock.recv(65536)
        closed = _closed(sock, body_after_answer)
    return Answer(head, body[:length], closed)


def _closed(sock, data):
    try:
        if data:
            sock.sendall(data)
        sock.settimeout(READ_SECONDS if data else 2)
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def request_bytes(url, target, headers=(), method="GET", credentials=None):
    parts = urlsplit(url)
    lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}", "Accept: application/json"]
    if credentials:
        lines.append("Authorization: Basic " + base64.b64encode(credentials.encode()).decode())
    return ("\r\n".join([*lines, *headers]) + "\r\n\r\n").encode()


def collection_target(url, name):
    return urlsplit(url).path.rsplit("/", 1)[0] + "/" + name


def test_a_request_line_too_long_is_a_cimi_414(server_url):
    target = collection_target(server_url, "machines") + "?$filter=" + "a" * 200_000
    answer = exchange(server_url, request_bytes(server_url, target))
    assert "bytes" in answer.cimi_error(414)["message"]
    assert answer.headers["connection"] == "close" and answer.closed


@pytest.mark.parametrize("filter_length, status", [(MAX_FILTER_LENGTH, 200),
                                                   (MAX_FILTER_LENGTH + 1, 400)])
def test_the_longest_filter_percent_encoded_reaches_the_application(
        server_url, installed, filter_length, status):
    prefix, suffix = "name='", "'"
    # Four bytes of UTF-8 per character: the longest percent-encoding a character can have.
    text = prefix + "\U0001F680" * (filter_length - len(prefix) - len(suffix)) + suffix
    target = collection_target(server_url, "machines") + "?$filter=" + quote(text, safe="")
    answer = exchange(server_url, request_bytes(server_url, target,
                                                credentials=installed.demo_session))
    assert answer.status == status
    if status == 400:
        assert str(MAX_FILTER_LENGTH) in answer.cimi_error(400)["message"]


def test_headers_too_large_are_a_cimi_431(server_url):
    headers = [f"X-Padding-{number}: {'p' * 8000}" for number in range(200)]
    answer = exchange(server_url, request_bytes(server_url, urlsplit(server_url).path, headers))
    answer.cimi_error(431)
    assert answer.closed


@pytest.mark.parametrize("data", [
    b"GARBAGE\r\n\r\n",
    b"GET /cimi/cloudEntryPoint HTTP/9.9\r\nHost: x\r\n\r\n",
    b"GET /cimi/cloudEntryPoint HTTP/1.1\r\nBad Header: x\r\n\r\n",
    b"GET /cimi/cloudEntryPoint HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
])
def test_a_malformed_request_is_a_cimi_400(server_url, data):
    answer = exchange(server_url, data)
    answer.cimi_error(400)
    assert answer.headers["connection"] == "close" and answer.closed


@pytest.mark.parametrize("chunks", [b"zz\r\n{}\r\n0\r\n\r\n", b"2\r\n{}XX0\r\n\r\n"])
def test_a_malformed_chunked_body_is_a_cimi_400(server_url, installed, chunks):
    target = collection_target(server_url, "volumeConfigs")
    head = request_bytes(server_url, target, ["Content-Type: application/json",
                                              "Transfer-Encoding: chunked"], "POST",
                         installed.demo_session)
    answer = exchange(server_url, head + chunks)
    assert "chunked" in answer.cimi_error(400)["message"] or \
        "body" in answer.cimi_error(400)["message"]
    assert answer.headers["connection"] == "close" and answer.closed


def test_a_body_too_large_is_a_413_that_closes_as_it_says(server_url, installed):
    target = collection_target(server_url, "volumeConfigs")
    size = 4 * 1024 * 1024
    head = request_bytes(server_url, target, ["Content-Type: application/json",
                                              f"Content-Length: {size}"], "POST",
                         installed.demo_session)
    answer = exchange(server_url, head + b"[" * 1024, body_after_answer=b"[" * 65536)
    answer.cimi_error(413)
    assert answer.headers["connection"] == "close" and answer.closed


def test_a_refused_request_keeps_its_connection_open_when_it_says_so(server_url):
    answer = exchange(server_url, request_bytes(server_url,
                                                collection_target(server_url, "machines")))
    answer.cimi_error(401)
    assert answer.headers["connection"] == "keep-alive" and not answer.closed


def test_hrefs_ignore_forwarded_headers_from_loopback(server_url, installed):
    answer = exchange(server_url, request_bytes(
        server_url, urlsplit(server_url).path,
        ["X-Forwarded-Proto: https", "X-Forwarded-Host: evil.example", "X-Forwarded-SSL: on",
         "SCRIPT_NAME: /evil"], credentials=installed.demo_session))
    assert answer.status == 200
    assert json.loads(answer.body)["baseURI"] == server_url.rsplit("/", 1)[0] + "/"


def test_a_foreign_host_gets_no_href(server_url, installed):
    data = request_bytes(server_url, urlsplit(server_url).path,
                         credentials=installed.demo_session)
    data = data.replace(urlsplit(server_url).netloc.encode(), b"evil.example", 1)
    answer = exchange(server_url, data)
    assert "CIMI_PUBLIC_URL" in answer.cimi_error(400)["message"]
    assert b"evil" not in answer.body


def test_the_public_url_names_every_href(installed):
    public = "https://cloud.example.org/api"
    with running_gunicorn(installed.endpoint, environment={"CIMI_PUBLIC_URL": public}) as url:
        data = request_bytes(url, urlsplit(url).path, credentials=installed.demo_session)
        answer = exchange(url, data.replace(urlsplit(url).netloc.encode(), b"evil.example", 1))
    assert answer.status == 200
    assert json.loads(answer.body)["baseURI"] == public + "/"


def test_servers_bind_no_shared_control_socket(installed, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    quiet = {"HOME": str(home), "XDG_RUNTIME_DIR": str(home)}
    with running_gunicorn(installed.endpoint, environment=quiet):
        with running_gunicorn(installed.endpoint, environment=quiet):
            assert sorted(path.name for path in home.rglob("*")) == []


# --- fuzzing the HTTP framing --------------------------------------------------------------

# CIMI_FUZZ_EXAMPLES=N explores N random examples instead (not derandomized).
EXPLORE = os.environ.get("CIMI_FUZZ_EXAMPLES")
RAW_EXAMPLES = int(EXPLORE or 150)
tokens = st.sampled_from([b"GET", b"POST", b"PUT", b"DELETE", b"BREW", b"get", b"G\x00T", b""])
versions = st.sampled_from([b"HTTP/1.1", b"HTTP/1.0", b"HTTP/2", b"HTTP/1.1 x", b"", b"http/1.1"])
header_names = st.one_of(
    st.sampled_from([b"Host", b"Content-Length", b"Transfer-Encoding", b"Expect", b"Accept",
                     b"Content-Type", b"Authorization", b"Connection", b"X-Forwarded-Proto"]),
    st.binary(max_size=12))
header_values = st.one_of(
    st.sampled_from([b"chunked", b"gzip, chunked", b"chunked, chunked", b"identity", b"-1",
                     b"99999999999999999999", b"1, 2", b"100-continue", b"close",
                     b"application/json", b"application/xml", b"Basic !!!"]),
    st.binary(max_size=40))


@st.composite
def raw_requests(draw, path):
    target = draw(st.one_of(st.just(path), st.binary(max_size=60).map(
        lambda tail: path.encode() + b"/" + tail)))
    target = target if isinstance(target, bytes) else target.encode()
    line = b" ".join([draw(tokens), target, draw(versions)])
    headers = draw(st.lists(st.tuples(header_names, header_values), max_size=5))
    return (line + b"\r\n" + b"".join(name + b": " + value + b"\r\n" for name, value in headers)
            + b"\r\n" + draw(st.binary(max_size=80)))


def first_answer(url, data):
    """The first answer to `data` sent then half-closed, or None when the server closed the
    connection without one (an incomplete request)."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=READ_SECONDS) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    if not received:
        return None
    head, _, body = received.partition(b"\r\n\r\n")
    answer = Answer(head, b"", True)
    answer.body = body[:int(answer.headers.get("content-length", len(body)))]
    return answer


def test_whatever_bytes_arrive_errors_are_cimi_errors_and_never_500(server_url):
    path = urlsplit(server_url).path

    @settings(max_examples=RAW_EXAMPLES, deadline=None, derandomize=not EXPLORE, database=None,
              suppress_health_check=list(HealthCheck))
    @given(raw_requests(path))
    def check(data):
        answer = first_answer(server_url, data)
        if answer is None or answer.status < 400:
            return
        # 501 is HTTP's answer to a transfer coding the server does not implement.
        assert answer.status < 500 or answer.status == 501, data
        answer.cimi_error(answer.status)

    check()


@pytest.mark.parametrize("framing, body", [
    ("Transfer-Encoding: chunked", b"zz\r\n{}\r\n0\r\n\r\n"),
    ("Content-Length: 200000", b"{" * 200000),
])
def test_a_body_left_unread_closes_the_connection_as_the_answer_says(server_url, framing, body):
    head = request_bytes(server_url, collection_target(server_url, "volumeConfigs"),
                         ["Content-Type: application/json", framing], "POST")
    answer = exchange(server_url, head + body)
    answer.cimi_error(401)
    assert answer.headers["connection"] == "close" and answer.closed
    assert b"HTTP/1.1" not in answer.body


def test_a_body_read_to_its_end_keeps_the_connection(server_url, installed):
    head = request_bytes(server_url, collection_target(server_url, "volumeConfigs"),
                         ["Content-Type: application/json", "Transfer-Encoding: chunked"],
                         "POST", installed.demo_session)
    answer = exchange(server_url, head + b"2\r\n{}\r\n0\r\n\r\n")
    answer.cimi_error(400)
    assert answer.headers["connection"] == "keep-alive" and not answer.closed
