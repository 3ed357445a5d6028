"""The OpenNebula of the lane (onesim as a real process, or the real lane's OpenNebula) and
gunicorn on free loopback ports, with the instance types installed by the admin command: the
servers of the end-to-end tests (tests/e2e) and of the `cimi` command's tests (tests/cli). A
conftest imports the fixtures it uses."""
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from support import lanes

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 60


@pytest.fixture(scope="session")
def onesim_process():
    """This worker's emulator as a process, with fault injection; skipped on the real lane."""
    if lanes.REAL:
        pytest.skip(lanes.EMULATOR_ONLY)
    from onesim.testing import FAST_SPEED, running_onesim

    with running_onesim(seed="demo", speed=FAST_SPEED, in_process=False) as server:
        yield server


@pytest.fixture(scope="session")
def opennebula_process(request):
    """The OpenNebula of the lane, served by a process of its own."""
    if lanes.REAL:
        return request.getfixturevalue("real_opennebula")
    return lanes.Emulator(request.getfixturevalue("onesim_process"))


@pytest.fixture(scope="session")
def installed(opennebula_process):
    """The lane's OpenNebula, with the instance types installed by the admin command."""
    environment = dict(os.environ, ONE_XMLRPC=opennebula_process.endpoint,
                       ONE_AUTH=str(opennebula_process.admin_auth_file))
    command = [sys.executable, "-m", "app.admin", "install-instance-types"]
    with lanes.exclusive(opennebula_process, "instance types"):
        subprocess.run(command, cwd=ROOT, env=environment, check=True, timeout=START_SECONDS,
                       capture_output=True)
    return opennebula_process


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_gunicorn(one_endpoint, listen=None, threads=4, workers=1, environment=None):
    """The Cloud Entry Point URL of a gunicorn server (gunicorn.conf.py, `workers` workers of
    `threads` threads) on `listen` (a free port on 127.0.0.1 by default), with `environment`
    added to this process's, stopped at the end."""
    with gunicorn_server(one_endpoint, listen, threads, workers, environment) as server:
        yield server.url


class Gunicorn:
    def __init__(self, process, url):
        self.process = process
        self.url = url

    def kill(self):
        """SIGKILL the master and its workers at once (its own process group), as a crash of
        the host or an OOM kill would: nothing of the server runs any cleanup."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


@contextlib.contextmanager
def gunicorn_server(one_endpoint, listen=None, threads=4, workers=1, environment=None):
    """`running_gunicorn`'s server as a running `Gunicorn`, in a process group of its own so
    that a kill reaches its workers too; stopped at the end unless killed."""
    listen = listen or f"127.0.0.1:{free_port()}"
    environment = dict(os.environ, ONE_XMLRPC=one_endpoint, CIMI_LISTEN=listen,
                       CIMI_WORKERS=str(workers), CIMI_THREADS=str(threads),
                       **(environment or {}))
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
                                "wsgi:app"], cwd=ROOT, env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    url = f"http://{listen}/cimi/cloudEntryPoint"
    try:
        _wait_until_answering(process, url)
        yield Gunicorn(process, url)
    finally:
        _stop_group(process)


def _stop_group(process):
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _wait_until_answering(process, url):
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, f"gunicorn exited with status {process.returncode}"
        try:
            requests.get(url, timeout=2)
            return
        except (requests.ConnectionError, requests.Timeout):
            # Refused before gunicorn listens; unanswered while its worker is still booting
            # (the master accepts connections first), which takes longer on a loaded machine.
            time.sleep(0.1)
    raise AssertionError(f"the server did not answer at {url}")
