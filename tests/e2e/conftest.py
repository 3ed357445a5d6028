"""End-to-end fixtures: onesim and gunicorn as real processes, the instance types installed
with the admin command, and a CIMI client over HTTP in the format under test (`fmt`)."""
import os
import subprocess
import sys

import pytest

from http_cimi import HttpCimiClient
from servers import ROOT, START_SECONDS, running_gunicorn


@pytest.fixture(scope="session")
def onesim_process():
    from onesim.testing import FAST_SPEED, running_onesim

    with running_onesim(seed="demo", speed=FAST_SPEED, in_process=False) as server:
        yield server


@pytest.fixture(scope="session")
def installed(onesim_process):
    environment = dict(os.environ, ONE_XMLRPC=onesim_process.endpoint,
                       ONE_AUTH=str(onesim_process.data_dir / "one_auth"))
    command = [sys.executable, "-m", "app.admin", "install-instance-types"]
    subprocess.run(command, cwd=ROOT, env=environment, check=True, timeout=START_SECONDS,
                   capture_output=True)
    return onesim_process


@pytest.fixture(scope="session")
def server_url(installed):
    """The Cloud Entry Point URL of a gunicorn server (gunicorn.conf.py, one worker)."""
    with running_gunicorn(installed.endpoint) as url:
        yield url


@pytest.fixture
def http_cimi(fmt, installed):
    return HttpCimiClient(fmt, installed.demo_session)
