"""Fixtures of the `cimi` command's tests: onesim and gunicorn as real processes on free
loopback ports (tests/support/servers.py, as in tests/e2e), the instance types installed by
the admin command, and `cimi` run as a process against them with a scratch HOME and only the
CIMI_* settings a test gives it."""
import xmlrpc.client
from dataclasses import dataclass

import pytest

from cli.client import CimiClient
from cli_support import run_cimi
from support.servers import installed, onesim_process, running_gunicorn  # noqa: F401 (fixtures)


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
def other_user(onesim_process):
    """A second OpenNebula user ("other:other"), made by the administrator."""
    one = xmlrpc.client.ServerProxy(onesim_process.endpoint)
    users_group = 1
    answer = one.one.user.allocate(onesim_process.admin_session, "other", "other", "",
                                   [users_group])
    assert answer[0], answer
    return {"CIMI_USERNAME": "other", "CIMI_PASSWORD": "other"}


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
