"""Scale-out: three server instances behind a real load balancer (Debian's HAProxy, on
loopback), one OpenNebula. A client works through the balancer only: it creates a machine
(answered by one instance), reads and acts on it (others answer), follows its Jobs, and sees
the same counts and ETags whichever instance answers; one instance is killed (SIGKILL, master
and workers) halfway, and no client request fails beyond what the balancer retries and the
client's own retry of a POST with the same Idempotency-Key.

HAProxy is needed: `apt-get install haproxy` (.ci/run installs it and sets
CIMI_TEST_REQUIRE_HAPROXY=1, so that CI fails rather than skips without it)."""
import contextlib
import os
import shutil
import subprocess
import time
import uuid
from urllib.parse import urlsplit

import pytest
import requests

from support.lanes import STATE_WAIT_SECONDS
from support.servers import free_port, gunicorn_server

CIMI = "http://schemas.dmtf.org/cimi/1/"
INSTANCES = 3
HAPROXY = shutil.which("haproxy") or ("/usr/sbin/haproxy" if os.path.exists("/usr/sbin/haproxy")
                                      else None)
CONFIG = """\
global
    maxconn 256
defaults
    mode http
    timeout connect 2s
    timeout client 120s
    timeout server 120s
    retries 3
    option redispatch
    retry-on conn-failure empty-response response-timeout
frontend cimi
    bind 127.0.0.1:{port}
    option forwardfor
    http-request set-header X-Forwarded-Proto http
    default_backend servers
backend servers
    balance roundrobin
    option httpchk GET /readyz
    default-server inter 500ms fall 1 rise 2
{servers}
"""


@pytest.fixture
def haproxy_binary():
    if HAPROXY is None:
        if os.environ.get("CIMI_TEST_REQUIRE_HAPROXY"):
            pytest.fail("HAProxy is not installed (apt-get install haproxy)")
        pytest.skip("needs Debian's haproxy (apt-get install haproxy)")
    return HAPROXY


@contextlib.contextmanager
def balancer(binary, server_urls, directory):
    port = free_port()
    servers = "\n".join(f"    server s{number} {urlsplit(url).netloc} check"
                        for number, url in enumerate(server_urls))
    config = directory / "haproxy.cfg"
    config.write_text(CONFIG.format(port=port, servers=servers))
    process = subprocess.Popen([binary, "-db", "-f", str(config)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    entry_point = f"http://127.0.0.1:{port}/cimi/cloudEntryPoint"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, "haproxy exited"
            with contextlib.suppress(requests.RequestException):
                if requests.get(entry_point, timeout=2).status_code == 200:
                    break
            assert time.monotonic() < deadline, "haproxy never answered"
            time.sleep(0.2)
        yield entry_point
    finally:
        process.terminate()
        process.wait(timeout=10)


class Client:
    """A CIMI client that knows only the balancer's URL; every answer is kept."""

    def __init__(self, session, entry_point):
        self.http = requests.Session()
        self.http.auth = tuple(session.split(":", 1))
        self.http.headers["Accept"] = "application/json"
        self.entry_point = entry_point
        self.answers = []

    def get(self, href, **params):
        return self._kept(self.http.get(href, params=params, timeout=60))

    def post(self, href, body):
        """POST with an Idempotency-Key, retried with the same key when the balancer could
        not get an answer (502/503/504): the retry answers the first outcome."""
        headers = {"Idempotency-Key": uuid.uuid4().hex}
        for _ in range(5):
            answer = self.http.post(href, json=body, headers=headers, timeout=60)
            if answer.status_code not in (502, 503, 504):
                return self._kept(answer)
            time.sleep(1)
        return self._kept(answer)

    def delete(self, href):
        return self._kept(self.http.delete(href, timeout=60))

    def until(self, href, state):
        deadline = time.monotonic() + STATE_WAIT_SECONDS
        while (document := self.get(href).json())["state"] != state:
            assert time.monotonic() < deadline, f"{href} never became {state}"
            time.sleep(0.2)
        return document

    def _kept(self, answer):
        self.answers.append((answer.request.method, answer.request.url, answer.status_code))
        return answer


def test_three_instances_behind_haproxy_one_killed_halfway(installed, haproxy_binary,
                                                           tmp_path):
    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(gunicorn_server(
            installed.endpoint, environment={"CIMI_PROXY_HOPS": "1"}))
            for _ in range(INSTANCES)]
        entry_point = stack.enter_context(
            balancer(haproxy_binary, [server.url for server in servers], tmp_path))
        client = Client(installed.demo_session, entry_point)
        root = client.get(entry_point).json()
        origin = entry_point.split("/cimi/", 1)[0]
        assert root["machines"]["href"].startswith(origin)     # hrefs name the balancer
        machines = root["machines"]["href"]
        image = client.get(root["machineImages"]["href"],
                           **{"$filter": "name='ttylinux'"}).json()["machineImages"][0]
        name = f"scale-{uuid.uuid4().hex[:8]}"
        created = client.post(machines, {
            "resourceURI": CIMI + "MachineCreate", "name": name,
            "machineTemplate": {"machineImage": {"href": image["id"]}}})
        assert created.status_code == 201, created.text
        href = created.headers["Location"]
        assert href.startswith(origin)
        client.until(href, "STARTED")

        # The same answers whichever instance reads: ETags and counts.
        etags = {client.get(href).headers["ETag"] for _ in range(2 * INSTANCES)}
        assert len(etags) == 1
        counts = {client.get(machines, **{"$filter": f"name='{name}'"}).json()["count"]
                  for _ in range(2 * INSTANCES)}
        assert counts == {1}

        # A Job started on one instance, followed on the others.
        stopped = client.post(href, {"resourceURI": CIMI + "Action",
                                     "action": CIMI + "action/stop"})
        assert stopped.status_code == 202, stopped.text
        assert client.until(stopped.headers["CIMI-Job-URI"], "SUCCESS")["action"].endswith("stop")
        client.until(href, "STOPPED")

        # One instance dies, master and workers; the others carry on.
        servers[1].kill()
        for _ in range(4 * INSTANCES):
            assert client.get(href).status_code == 200
        started = client.post(href, {"resourceURI": CIMI + "Action",
                                     "action": CIMI + "action/start"})
        assert started.status_code == 202, started.text
        client.until(started.headers["CIMI-Job-URI"], "SUCCESS")
        deleted = client.delete(href)
        assert deleted.status_code == 202, deleted.text
        client.until(deleted.headers["CIMI-Job-URI"], "SUCCESS")
        assert client.get(href).status_code == 404

        failed = [answer for answer in client.answers[:-1] if answer[2] >= 500]
        assert failed == []
