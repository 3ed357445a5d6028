"""Fixtures of the `cimi` command's tests: onesim and gunicorn as real processes on free
loopback ports (as in tests/e2e), the instance types installed by the admin command, and
`cimi` run as a process against them with a scratch HOME and only the CIMI_* settings a test
gives it."""
import os
import socket
import subprocess
import sys
import time
import xmlrpc.client
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from cli.client import CimiClient
from cli_support import run_cimi

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 60


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Cloud:
    endpoint: str
    username: str
    password: str

    def client(self, **options):
        return CimiClient(self.endpoint, self.username, self.password, poll_seconds=0.1,
                          **options)


@pytest.fixture(scope="session")
def onesim_process():
    from onesim.testing import FAST_SPEED, running_onesim

    with running_onesim(seed="demo", speed=FAST_SPEED, in_process=False) as server:
        yield server


@pytest.fixture(scope="session")
def cloud(onesim_process):
    environment = dict(os.environ, ONE_XMLRPC=onesim_process.endpoint,
                       ONE_AUTH=str(onesim_process.data_dir / "one_auth"))
    subprocess.run([sys.executable, "-m", "app.admin", "install-instance-types"], cwd=ROOT,
                   env=environment, check=True, timeout=START_SECONDS, capture_output=True)
    listen = f"127.0.0.1:{free_port()}"
    environment.update(CIMI_LISTEN=listen, CIMI_WORKERS="1", CIMI_THREADS="4")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
                               "wsgi:app"], cwd=ROOT, env=environment,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://{listen}/cimi/cloudEntryPoint"
    user, _, password = onesim_process.demo_session.partition(":")
    try:
        _wait_until_answering(server, endpoint)
        yield Cloud(endpoint, user, password)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_answering(process, url):
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, f"gunicorn exited with status {process.returncode}"
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError(f"the server did not answer at {url}")


@pytest.fixture(scope="session")
def other_user(onesim_process):
    """A second OpenNebula user ("other:other"), made by the administrator."""
    one = xmlrpc.client.ServerProxy(onesim_process.endpoint)
    users_group = 1
    answer = one.one.user.allocate(onesim_process.admin_session, "other", "other", "",
                                   [users_group])
    assert answer[0], answer
    return {"CIMI_USERNAME": "other", "CIMI_PASSWORD": "other"}


@pytest.fixture
def home(tmp_path):
    """A scratch HOME: no configuration file and no SSH key unless a test writes them."""
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def cimi(cloud, home):
    """`cimi(*arguments)` against the test cloud, the settings in the environment."""
    settings = {"CIMI_ENDPOINT": cloud.endpoint, "CIMI_USERNAME": cloud.username,
                "CIMI_PASSWORD": cloud.password}

    def run(*arguments, **options):
        return run_cimi(arguments, home, {**settings, **options.pop("settings", {})}, **options)

    return run
