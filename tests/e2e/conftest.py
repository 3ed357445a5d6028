"""End-to-end fixtures: onesim and gunicorn as real processes (tests/support/servers.py), the
instance types installed with the admin command, and a CIMI client over HTTP in the format
under test (`fmt`)."""
import pytest

from http_cimi import HttpCimiClient
from support.servers import (  # noqa: F401 (fixtures)
    installed, onesim_process, opennebula_process, running_gunicorn,
)


@pytest.fixture(scope="session")
def server_url(installed):
    """The Cloud Entry Point URL of a gunicorn server (gunicorn.conf.py, one worker)."""
    with running_gunicorn(installed.endpoint) as url:
        yield url


@pytest.fixture
def http_cimi(fmt, installed):
    return HttpCimiClient(fmt, installed.demo_session)
