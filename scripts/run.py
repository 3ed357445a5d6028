"""`make run`: the embedded OpenNebula emulator (unless ONE_XMLRPC is set) and the server.

Checks first that the ports are free (and says which variable moves each), starts both as
child processes, waits until each answers, installs the default instance types into the
emulator, prints the Cloud Entry Point URL, the web console's URL and the demo credentials,
then watches both: when one exits, the other is stopped and `make run` exits with the
child's status. Ctrl-C (or SIGTERM) stops both within STOP_SECONDS.
"""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xmlrpc.client
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("ONESIM_DATA_DIR", ROOT / "var" / "onesim"))
ONESIM_PORT = os.environ.get("ONESIM_PORT", "2633")
LISTEN = os.environ.get("CIMI_LISTEN", "127.0.0.1:8080")
BASE_PATH = os.environ.get("CIMI_BASE_PATH", "/cimi").rstrip("/")
# glibc gives every thread a malloc arena of its own, and each keeps its peak: with threaded
# workers a worker's memory would grow with its thread count. glibc reads the limit when a
# process starts, so it is given to gunicorn in its environment.
MALLOC_ARENAS = "2"
STARTUP_SECONDS = 60
# Ctrl-C must be done in under 5 s: both children usually stop in about one; whatever still
# runs after this is killed (a gunicorn worker finishing a request, a loaded emulator).
STOP_SECONDS = 4
EMULATOR, SERVER = "the OpenNebula emulator", "the CIMI server"
WATCH_SECONDS = 0.5


def require_free(host, port, variable, example):
    """Exit with a clear message when another process listens on host:port. The probe binds
    as the servers do (SO_REUSEADDR), so connections of a server that just stopped, still
    in TIME_WAIT, do not count as a process using the port."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, int(port)))
        except OSError as error:
            sys.exit(f"Port {port} on {host} is not free ({error.strerror}): another process "
                     f"uses it. Set {variable} to another one, e.g. {variable}={example}.")


def split_listen(listen):
    host, _, port = listen.rpartition(":")
    return host.strip("[]") or "0.0.0.0", port


def wait_until(ready, what, process):
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{what} exited with status {process.returncode} during start-up")
        if ready():
            return
        time.sleep(0.2)
    sys.exit(f"{what} did not answer within {STARTUP_SECONDS} s")


def onesim_answers(endpoint):
    try:
        xmlrpc.client.ServerProxy(endpoint).one.system.version("")
        return True
    except (OSError, xmlrpc.client.Error):
        return False


def server_answers(url):
    try:
        urllib.request.urlopen(url, timeout=2)
    except urllib.error.HTTPError:
        return True          # 401 without credentials: the server is up
    except OSError:
        return False
    return True


def start_onesim():
    endpoint = f"http://127.0.0.1:{ONESIM_PORT}/RPC2"
    process = subprocess.Popen([sys.executable, "-m", "onesim", "--seed", "demo",
                                "--data-dir", str(DATA_DIR), "--port", ONESIM_PORT], cwd=ROOT,
                               process_group=0)
    wait_until(lambda: onesim_answers(endpoint), EMULATOR, process)
    return process, endpoint


def install_instance_types(endpoint):
    env = dict(os.environ, ONE_XMLRPC=endpoint, ONE_AUTH=str(DATA_DIR / "one_auth"))
    subprocess.run([sys.executable, "-m", "app.admin", "install-instance-types"],
                   cwd=ROOT, env=env, check=True)


def start_server(endpoint):
    # Log lines for people at a terminal, unless asked otherwise.
    env = dict(os.environ, ONE_XMLRPC=endpoint)
    env.setdefault("CIMI_LOG_FORMAT", "text")
    env.setdefault("MALLOC_ARENA_MAX", MALLOC_ARENAS)
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
                                "wsgi:app"], cwd=ROOT, env=env, process_group=0)
    listening = f"http://{LISTEN}{BASE_PATH}/cloudEntryPoint"
    wait_until(lambda: server_answers(listening), SERVER, process)
    public = os.environ.get("CIMI_PUBLIC_URL")
    return process, f"{public.rstrip('/')}/cloudEntryPoint" if public else listening


def announce(entry_point, embedded):
    print("\ncimi-one is running.")
    print(f"  Cloud Entry Point: {entry_point}")
    print(f"  Web console:       http://{LISTEN}/console/")
    if embedded:
        print("  Demo credentials:  demo / demo")
        print(f"  Try: curl -u demo:demo {entry_point}")
    else:
        print("  Log in with your OpenNebula user name and password (HTTP Basic).")
    print("Press Ctrl-C to stop.\n", flush=True)


def watch(children):
    """Wait until a child exits; its name and exit status."""
    while True:
        for name, child in children:
            if child.poll() is not None:
                return name, child.returncode
        time.sleep(WATCH_SECONDS)


def stop(children):
    """gunicorn's quick shutdown (SIGINT: no waiting for its graceful timeout) and the
    emulator's SIGTERM; whatever is still running after STOP_SECONDS is killed, with its
    whole process group. Each child leads a process group of its own (a terminal's Ctrl-C
    reaches this script alone, which then signals each child once), so no gunicorn worker
    can outlive its master."""
    for name, child in reversed(children):
        if child.poll() is None:
            child.send_signal(signal.SIGINT if name == SERVER else signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for name, child in children:
        try:
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"{name} did not stop within {STOP_SECONDS} s; killed.", file=sys.stderr)
        _kill_group(child.pid)
        child.wait()


def _kill_group(group):
    try:
        os.killpg(group, signal.SIGKILL)
    except ProcessLookupError:
        pass


def main():
    children = []
    endpoint = os.environ.get("ONE_XMLRPC")
    embedded = not endpoint
    host, port = split_listen(LISTEN)
    require_free(host, port, "CIMI_LISTEN", f"{host}:{int(port) + 1}")
    if embedded:
        require_free("127.0.0.1", ONESIM_PORT, "ONESIM_PORT", str(int(ONESIM_PORT) + 1))
    for stop_signal in (signal.SIGTERM, signal.SIGHUP):    # SIGHUP: the terminal closed
        signal.signal(stop_signal, lambda *_: sys.exit(0))
    status = 0
    try:
        if embedded:
            onesim, endpoint = start_onesim()
            children.append((EMULATOR, onesim))
            install_instance_types(endpoint)
        server, entry_point = start_server(endpoint)
        children.append((SERVER, server))
        announce(entry_point, embedded)
        name, status = watch(children)
        print(f"{name} exited with status {status}; stopping.", file=sys.stderr)
        status = status or 1
    except KeyboardInterrupt:
        print("\nStopping.", flush=True)
    finally:
        stop(children)
    sys.exit(status)


if __name__ == "__main__":
    main()
