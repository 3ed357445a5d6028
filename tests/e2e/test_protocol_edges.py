"""HTTP at the edges, against the real gunicorn server over raw sockets: what gunicorn itself
refuses is a CIMI error too, the longest `$filter` reaches the application, a connection is
closed only after an answer that says so, and hrefs never follow a Host or X-Forwarded-*
header the server does not trust."""
import base64
import json
import socket
from urllib.parse import quote, urlsplit

import pytest

from app.protocol.errors import ERROR_RESOURCE_URI
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
