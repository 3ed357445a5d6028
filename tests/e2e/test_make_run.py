"""`make run` (scripts/run.py): it refuses a port already taken before starting anything and
names the variable that moves it, serves (the embedded emulator, or the OpenNebula named by
ONE_XMLRPC on the real lane), exits with an error when its server dies, and stops within
5 seconds on Ctrl-C."""
import base64
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from support import lanes
from support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 120
STOP_SECONDS = 5
DEMO_AUTHORIZATION = "Basic " + base64.b64encode(b"demo:demo").decode()


@pytest.fixture
def run_env(tmp_path, opennebula):
    """The environment of a `make run` on free ports, its emulator data in tmp_path."""
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith(("CIMI_", "ONE_", "ONESIM_"))}
    environment.update(CIMI_LISTEN=f"127.0.0.1:{free_port()}", ONESIM_PORT=str(free_port()),
                       ONESIM_DATA_DIR=str(tmp_path / "onesim"), PYTHONUNBUFFERED="1")
    if lanes.REAL:
        environment["ONE_XMLRPC"] = opennebula.endpoint
    return environment


def start(environment):
    return subprocess.Popen([sys.executable, "scripts/run.py"], cwd=ROOT, env=environment,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def wait_running(process):
    """The Cloud Entry Point URL `make run` printed once everything answered, and what it
    writes from then on (`Output`)."""
    deadline = time.monotonic() + START_SECONDS
    for line in process.stdout:
        if "Cloud Entry Point:" in line:
            return line.split("Cloud Entry Point:", 1)[1].strip(), Output(process)
        assert time.monotonic() < deadline, "make run never said it was running"
    raise AssertionError(f"make run ended with {process.wait()} before it was running")


class Output:
    """The rest of a process's output, read on as a terminal does: left unread, a full pipe
    would block the server's log lines and `make run`'s own words, and with them its stop."""

    def __init__(self, process):
        self._lines = []
        self._reader = threading.Thread(target=self._read, args=(process.stdout,), daemon=True)
        self._reader.start()

    def _read(self, stream):
        for line in stream:
            self._lines.append(line)

    def text(self, timeout=10):
        """All of it, once every writer has closed the pipe."""
        self._reader.join(timeout)
        return "".join(self._lines)


def status_of(url):
    try:
        return urllib.request.urlopen(url, timeout=5).status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_taken_port_is_refused_with_the_variable_to_change(run_env):
    host, _, port = run_env["CIMI_LISTEN"].rpartition(":")
    with socket.socket() as taken:
        taken.bind((host, int(port)))
        taken.listen()
        finished = subprocess.run([sys.executable, "scripts/run.py"], cwd=ROOT, env=run_env,
                                  capture_output=True, text=True, timeout=30)
    assert finished.returncode != 0
    assert f"Port {port} on {host} is not free" in finished.stderr
    assert "Set CIMI_LISTEN to another one" in finished.stderr
    assert "is running" not in finished.stdout


def test_it_serves_and_stops_within_five_seconds_on_ctrl_c(run_env):
    """Ctrl-C while clients are being served: everything `make run` started is gone within
    5 seconds (no worker left behind holding the port), and `make run` starts again at once
    on the same ports."""
    for _ in range(2):
        process, groups = start(run_env), []
        try:
            entry_point, _ = wait_running(process)
            assert status_of(entry_point) == 200
            groups = [process.pid] + _children(process.pid)     # each child leads its own
            with busy_clients(entry_point):
                began = time.monotonic()
                os.killpg(process.pid, signal.SIGINT)      # what a terminal's Ctrl-C does
                process.wait(timeout=30)
                stopped = time.monotonic() - began
            assert stopped < STOP_SECONDS
            assert [_group_members(group) for group in groups] == [[] for _ in groups]
            with pytest.raises(OSError):
                urllib.request.urlopen(entry_point, timeout=2)
        finally:
            _kill_all(process, groups)


@contextlib.contextmanager
def busy_clients(entry_point, clients=6):
    """Clients listing machines without pause while the block runs."""
    request = urllib.request.Request(entry_point.replace("cloudEntryPoint", "machines"),
                                     headers={"Authorization": DEMO_AUTHORIZATION})
    stopping = threading.Event()

    def client():
        while not stopping.is_set():
            try:
                urllib.request.urlopen(request, timeout=5).read()
            except OSError:
                pass

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    try:
        yield
    finally:
        stopping.set()
        for thread in threads:
            thread.join(timeout=10)


def test_it_exits_with_an_error_when_its_server_dies(run_env):
    process, groups = start(run_env), []
    try:
        _, output = wait_running(process)
        groups = [process.pid] + _children(process.pid)
        listening = [pid for pid in _children(process.pid) if "gunicorn" in _command(pid)]
        assert listening, "no gunicorn child found"
        os.kill(listening[0], signal.SIGKILL)
        assert process.wait(timeout=30) != 0
        assert "the CIMI server exited with status" in output.text()
    finally:
        _kill_all(process, groups)


def _kill_all(process, groups):
    """What a failed test leaves: `make run` and the process groups of its children."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    for group in groups:
        for member in _group_members(group):
            os.kill(member, signal.SIGKILL)


def _group_members(group):
    """The live processes of a process group (zombies are already gone)."""
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                    fields = stat.read().rpartition(")")[2].split()
            except OSError:
                continue
            if fields[0] != "Z" and int(fields[2]) == group:
                members.append(int(entry))
    return members


def _children(pid):
    with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as listing:
        return [int(child) for child in listing.read().split()]


def _command(pid):
    with open(f"/proc/{pid}/cmdline", "rb") as command:
        return command.read().replace(b"\0", b" ").decode(errors="replace")
