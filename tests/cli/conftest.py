"""Fixtures of the `cimi` command's tests: onesim and gunicorn as real processes on free
loopback ports (tests/support/servers.py, as in tests/e2e), the instance types installed by
the admin command, and `cimi` run as a process against them with a scratch HOME and only the
CIMI_* settings a test gives it."""
from dataclasses import dataclass

import pytest

from cimi_client.client import CimiClient
from cli_support import run_cimi
from support.servers import (  # noqa: F401 (fixtures)
    installed, onesim_process, opennebula_process, running_gunicorn,
)


@dataclass
class Cloud:
    endpoint: str
    username: str
    password: str

    def client(self, **options):
        return CimiClient(self.endpoint, self.username, self.password, poll_seconds=0.1,
                          **options)


@pytest.fixture(scope="session")
def cloud(installed):
    user, _, password = installed.demo_session.partition(":")
    with running_gunicorn(installed.endpoint) as endpoint:
        yield Cloud(endpoint, user, password)


@pytest.fixture(scope="session")
def other_user(opennebula_process):
    """A second OpenNebula user of the users group, made by the administrator."""
    name, _, password = opennebula_process.user_session("other").partition(":")
    return {"CIMI_USERNAME": name, "CIMI_PASSWORD": password}


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
