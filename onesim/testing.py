"""Start an emulator for tests: `with running_onesim() as one: pyone.OneServer(one.endpoint, ...)`.

`running_onesim(data_dir=None, seed="demo", speed=FAST_SPEED, in_process=True,
hypervisor=Hypervisor())` yields a
handle with `.endpoint` ("http://127.0.0.1:<port>/RPC2"), `.admin_session`,
`.demo_session` ("demo:demo"), `.data_dir` and the fault controls `fail_next`, `delay`,
`fail_boots`, `set_reachable`, `clear_faults`, and `seed_vms` (onesim.bulk) and `calls`
(calls answered per XML-RPC method). Without `data_dir` a temporary directory is
used and removed afterwards. `in_process=False` runs `python -m onesim` as a subprocess and
drives faults through its control endpoint. Ports are always free ports on 127.0.0.1.
"""
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import xmlrpc.client
from pathlib import Path

from .bulk import seed_vms
from .errors import OneError
from .hypervisor import Hypervisor
from .seed import DEMO_USER, admin_session
from .service import Onesim

FAST_SPEED = 50.0
START_TIMEOUT = 30.0
DEMO_SESSION = "{}:{}".format(*DEMO_USER)


class _Handle:
    demo_session = DEMO_SESSION

    def __init__(self, data_dir, endpoint):
        self.data_dir = Path(data_dir)
        self.endpoint = endpoint

    @property
    def admin_session(self):
        return admin_session(self.data_dir)


class InProcessOnesim(_Handle):
    def __init__(self, data_dir, seed, speed, hypervisor):
        self.onesim = Onesim(data_dir, port=0, seed=seed, speed=speed, hypervisor=hypervisor)
        super().__init__(data_dir, self.onesim.url)
        self.emulator = self.onesim.emulator
        self.faults = self.emulator.faults

    def fail_next(self, method, count=1, code=0x2000, message="Injected failure."):
        self.faults.fail_next(method, count, code, message)

    def delay(self, method, seconds):
        self.faults.delay(method, seconds)

    def fail_boots(self, count=1):
        self.faults.fail_boots(count)

    def set_reachable(self, reachable):
        self.onesim.endpoint.set_reachable(reachable)

    def clear_faults(self):
        self.onesim.control.clear()

    def seed_vms(self, owner_session, template, count, running=0):
        try:
            return seed_vms(self.emulator, owner_session, template, count, running)
        except OneError as error:
            raise RuntimeError(error.message) from error

    def calls(self):
        with self.emulator.lock:
            return dict(self.emulator.calls)

    def stop(self):
        self.onesim.stop()


class SubprocessOnesim(_Handle):
    def __init__(self, data_dir, seed, speed, hypervisor):
        data_dir = Path(data_dir)
        for name in ("onesim.port", "control.port"):
            (data_dir / name).unlink(missing_ok=True)
        command = [sys.executable, "-m", "onesim", "--port", "0", "--data-dir", str(data_dir),
                   "--seed", seed, "--speed", str(speed), *hypervisor.command_line()]
        self.process = subprocess.Popen(command, cwd=Path(__file__).resolve().parent.parent,
                                        stdout=subprocess.DEVNULL, env=dict(os.environ))
        port = self._wait_for(data_dir / "onesim.port")
        control_port = self._wait_for(data_dir / "control.port")
        super().__init__(data_dir, f"http://127.0.0.1:{port}/RPC2")
        self.control = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{control_port}/CONTROL")

    def _wait_for(self, path):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"onesim exited with status {self.process.returncode}")
            if path.exists() and path.read_text().strip():
                return int(path.read_text())
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("onesim did not start")

    def _control(self, method, *arguments):
        envelope = getattr(self.control, method)(self.admin_session, *arguments)
        if not envelope[0]:
            raise RuntimeError(envelope[1])
        return envelope[1]

    def seed_vms(self, owner_session, template, count, running=0):
        return self._control("onesim.seed_vms", owner_session, template, count, running)

    def calls(self):
        return dict(self._control("onesim.calls"))

    def fail_next(self, method, count=1, code=0x2000, message="Injected failure."):
        self._control("onesim.fail_next", method, count, code, message)

    def delay(self, method, seconds):
        self._control("onesim.delay", method, float(seconds))

    def fail_boots(self, count=1):
        self._control("onesim.fail_boots", count)

    def set_reachable(self, reachable):
        self._control("onesim.reachable", reachable)

    def clear_faults(self):
        self._control("onesim.clear")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextlib.contextmanager
def running_onesim(data_dir=None, seed="demo", speed=FAST_SPEED, in_process=True, hypervisor=Hypervisor()):
    with contextlib.ExitStack() as stack:
        if data_dir is None:
            data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="onesim-"))
        kind = InProcessOnesim if in_process else SubprocessOnesim
        handle = kind(data_dir, seed, speed, hypervisor)
        try:
            yield handle
        finally:
            handle.stop()
