"""The server under test as a process: gunicorn with the project's own configuration.

gunicorn runs in a session of its own, so the whole process group (master and workers) can
be stopped by its id when the benchmark ends, fails or is interrupted. Its log goes to a
file, shown when it fails to start.
"""
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from scripts.run import MALLOC_ARENAS

REPO_ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"
START_SECONDS = 60
STOP_SECONDS = 20
LOG_TAIL_LINES = 30
KIB = 1024


def free_port():
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


class Gunicorn:
    """`gunicorn -c gunicorn.conf.py wsgi:app` against `one_endpoint`, on a free port."""

    def __init__(self, one_endpoint, log_path, credentials):
        self.port = free_port()
        self.base_url = f"http://{LOOPBACK}:{self.port}/cimi/"
        self.log_path = Path(log_path)
        # As `make run` serves (scripts/run.py): glibc's malloc arenas limited.
        environment = {"MALLOC_ARENA_MAX": MALLOC_ARENAS, **os.environ,
                       "CIMI_LISTEN": f"{LOOPBACK}:{self.port}", "ONE_XMLRPC": one_endpoint}
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
                cwd=REPO_ROOT, env=environment, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            self._wait_until_serving(credentials)
        except BaseException:
            self.stop()
            raise

    def _wait_until_serving(self, credentials):
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with status {self.process.returncode}:\n"
                                   + self.log_tail())
            if self._answers(credentials):
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {START_SECONDS} s:\n" + self.log_tail())

    def _answers(self, credentials):
        try:
            response = requests.get(self.base_url, auth=credentials, timeout=5)
        except requests.RequestException:
            return False
        return response.status_code == 200

    def log_tail(self):
        lines = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(lines[-LOG_TAIL_LINES:])

    def worker_pids(self):
        return children_of(self.process.pid)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        # Workers left behind by a master that died are still in its process group.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)


@contextlib.contextmanager
def running_gunicorn(one_endpoint, log_path, credentials):
    server = Gunicorn(one_endpoint, log_path, credentials)
    try:
        yield server
    finally:
        server.stop()


def children_of(parent_pid):
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _parent_of(entry) == parent_pid:
            children.append(int(entry.name))
    return sorted(children)


def _parent_of(proc_entry):
    try:
        stat = (proc_entry / "stat").read_text()
    except OSError:
        return None
    # The command name in parentheses may hold spaces: fields are counted after it.
    return int(stat.rpartition(")")[2].split()[1])


def peak_memory_kib(pid):
    """VmHWM: the most resident memory the process ever had, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmHWM for process {pid}")


def reset_peak_memory(pid):
    """Start VmHWM afresh from the current resident size (Linux clear_refs value 5)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")
