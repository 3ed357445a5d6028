"""Fixtures for every test.

- `onesim_server`: one OpenNebula emulator for the whole session, with fast life-cycle timers.
- `app`: the application against `onesim_server`, TESTING on; `client` comes from pytest-flask.
- `fmt`: "json" and "xml"; a test using it (or `cimi`) runs once per format.
- `cimi_credentials`: the session `cimi` acts with (the emulator's demo user).
- `cimi`: a `cimiclient.CimiTestClient` bound to `client`, `fmt` and `cimi_credentials`;
  `cimi.as_user("name:password")` acts as someone else, `cimi.as_user(None)` as nobody.
"""
import pytest

from cimiclient import CimiTestClient


@pytest.fixture(scope="session")
def onesim_server():
    from onesim.testing import FAST_SPEED, running_onesim

    with running_onesim(seed="demo", speed=FAST_SPEED, in_process=True) as server:
        yield server


@pytest.fixture
def app(onesim_server):
    from app import create_app

    return create_app({"ONE_XMLRPC": onesim_server.endpoint, "TESTING": True})


@pytest.fixture(params=["json", "xml"])
def fmt(request):
    return request.param


@pytest.fixture
def cimi_credentials(onesim_server):
    return onesim_server.demo_session


@pytest.fixture
def cimi(client, fmt, cimi_credentials):
    return CimiTestClient(client, fmt, cimi_credentials)
