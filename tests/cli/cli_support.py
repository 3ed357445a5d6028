"""Running the `cimi` command in tests, checking what it printed, and the SSH keys tests launch with."""
import base64
import os
import struct
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from support.lanes import STATE_WAIT_SECONDS

COMMAND_SECONDS = 2 * STATE_WAIT_SECONDS
WAIT_SECONDS = str(STATE_WAIT_SECONDS)
INSTALLED_CIMI = Path(sys.executable).with_name("cimi")


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str

    @property
    def lines(self):
        return self.stdout.splitlines()


def cimi_command():
    """The installed console script (`make test` installs the project), else the module."""
    if INSTALLED_CIMI.exists():
        return [str(INSTALLED_CIMI)]
    return [sys.executable, "-m", "cli"]


def run_cimi(arguments, home, settings=None, stdin=None, path=None, merged=False):
    """Run `cimi` with HOME=`home` and the given CIMI_* environment only. `merged` sends
    stderr into stdout, as `cimi ... 2>&1 | tee log` does, with Python's default buffering
    of a pipe (block-buffered stdout), whatever the test run itself uses."""
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith("CIMI_")
                   and not (merged and name == "PYTHONUNBUFFERED")}
    environment.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
                       CIMI_TIMEOUT=WAIT_SECONDS, **(settings or {}))
    if path is not None:
        environment["PATH"] = path
    completed = subprocess.run(cimi_command() + list(arguments), env=environment, cwd=home,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT if merged else subprocess.PIPE,
                               text=True, timeout=COMMAND_SECONDS,
                               stdin=subprocess.DEVNULL if stdin is None else None,
                               input=stdin)
    return Result(completed.returncode, completed.stdout, completed.stderr)


def assert_one_error_line(result, *fragments):
    """A failure: non-zero exit, one `[ERROR] ...` line on stderr naming the fragments."""
    assert result.returncode != 0, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("[ERROR] "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], result.stderr


def fake_ssh(directory):
    """A `ssh` that prints its arguments, first on a PATH of its own."""
    bin_directory = directory / "bin"
    bin_directory.mkdir()
    script = bin_directory / "ssh"
    script.write_text("#!/bin/sh\necho ssh \"$@\"\n")
    script.chmod(0o755)
    return f"{bin_directory}{os.pathsep}{os.environ.get('PATH', '')}"


def ed25519_key(seed, comment):
    """A well-formed OpenSSH ed25519 public key line."""
    def string(data):
        return struct.pack(">I", len(data)) + data
    blob = string(b"ssh-ed25519") + string(bytes([seed]) * 32)
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {comment}"
