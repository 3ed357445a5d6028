"""`make run`: the embedded OpenNebula emulator (unless ONE_XMLRPC is set) and the server.

Starts both as child processes, waits until each answers, installs the default instance
types into the emulator, prints the Cloud Entry Point URL and the demo credentials, and
stops both on Ctrl-C.
"""
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xmlrpc.client
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "var" / "onesim"
ONESIM_PORT = os.environ.get("ONESIM_PORT", "2633")
LISTEN = os.environ.get("CIMI_LISTEN", "127.0.0.1:8080")
BASE_PATH = os.environ.get("CIMI_BASE_PATH", "/cimi").rstrip("/")
STARTUP_SECONDS = 60


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
                                "--data-dir", str(DATA_DIR), "--port", ONESIM_PORT], cwd=ROOT)
    wait_until(lambda: onesim_answers(endpoint), "the OpenNebula emulator", process)
    return process, endpoint


def install_instance_types(endpoint):
    env = dict(os.environ, ONE_XMLRPC=endpoint, ONE_AUTH=str(DATA_DIR / "one_auth"))
    subprocess.run([sys.executable, "-m", "app.admin", "install-instance-types"],
                   cwd=ROOT, env=env, check=True)


def start_server(endpoint):
    env = dict(os.environ, ONE_XMLRPC=endpoint)
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
                                "wsgi:app"], cwd=ROOT, env=env)
    entry_point = f"http://{LISTEN}{BASE_PATH}/cloudEntryPoint"
    wait_until(lambda: server_answers(entry_point), "the CIMI server", process)
    return process, entry_point


def announce(entry_point, embedded):
    print("\ncimi-one is running.")
    print(f"  Cloud Entry Point: {entry_point}")
    if embedded:
        print("  Demo credentials:  demo / demo")
        print(f"  Try: curl -u demo:demo {entry_point}")
    else:
        print("  Log in with your OpenNebula user name and password (HTTP Basic).")
    print("Press Ctrl-C to stop.\n", flush=True)


def main():
    children = []
    endpoint = os.environ.get("ONE_XMLRPC")
    embedded = not endpoint
    try:
        if embedded:
            onesim, endpoint = start_onesim()
            children.append(onesim)
            install_instance_types(endpoint)
        server, entry_point = start_server(endpoint)
        children.append(server)
        announce(entry_point, embedded)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for child in reversed(children):
            child.terminate()
        for child in children:
            child.wait(timeout=30)


if __name__ == "__main__":
    main()
