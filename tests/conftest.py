"""Fixtures for every test.

- `opennebula`: the OpenNebula of the lane (tests/support/lanes.py): this worker's emulator, or
  the real OpenNebula of CIMI_TEST_ONE_XMLRPC when CIMI_TEST_LANE=real; `.endpoint`,
  `.admin_session`, `.demo_session` (the user the tests act as), `.user_session(role)`.
- `onesim_server`: this worker's emulator, in process, with fast life-cycle timers and fault
  injection; a test that asks for it is skipped on the real lane.
- `app`: the application against `opennebula`, TESTING on; `client` comes from pytest-flask.
- `fmt`: "json" and "xml"; a test using it (or `cimi`) runs once per format.
- `cimi_credentials`: the session `cimi` acts with (the lane's demo user).
- `cimi`: a `cimiclient.CimiTestClient` bound to `client`, `fmt` and `cimi_credentials`;
  `cimi.as_user("name:password")` acts as someone else, `cimi.as_user(None)` as nobody.
"""
from pathlib import Path

import pytest

from cimiclient import CimiTestClient
from support import lanes


def pytest_ignore_collect(collection_path, config):
    """The real lane runs only the tests that make sense on any OpenNebula; the differential
    test needs a real one."""
    tests = Path(__file__).parent
    if collection_path.parent != tests or not collection_path.is_dir():
        return None
    if lanes.REAL:
        ignored = collection_path.name not in lanes.REAL_LANE_TESTS
    else:
        ignored = collection_path.name == "differential"
    return True if ignored else None


@pytest.fixture(scope="session")
def real_opennebula():
    """The real lane's OpenNebula, rid of what this worker's users left in an earlier run."""
    opennebula = lanes.real_opennebula()
    opennebula.remove_leftovers()
    return opennebula


@pytest.fixture(scope="session")
def onesim_server():
    if lanes.REAL:
        pytest.skip(lanes.EMULATOR_ONLY)
    from onesim.testing import FAST_SPEED, running_onesim

    with running_onesim(seed="demo", speed=FAST_SPEED, in_process=True) as server:
        yield server


@pytest.fixture(scope="session")
def opennebula(request):
    if lanes.REAL:
        return request.getfixturevalue("real_opennebula")
    return lanes.Emulator(request.getfixturevalue("onesim_server"))


@pytest.fixture
def app(opennebula):
    from app import create_app

    return create_app({"ONE_XMLRPC": opennebula.endpoint, "TESTING": True})


@pytest.fixture(params=["json", "xml"])
def fmt(request):
    return request.param


@pytest.fixture
def cimi_credentials(opennebula):
    return opennebula.demo_session


@pytest.fixture
def cimi(client, fmt, cimi_credentials):
    return CimiTestClient(client, fmt, cimi_credentials)
