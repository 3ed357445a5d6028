"""Fixtures for the emulator's own tests.

- `sim`: one in-process emulator (demo seed, fast timers) shared by the session.
- `admin`, `demo`: pyone clients as oneadmin and as the demo user.
- `raw(session)`: a plain xmlrpc.client proxy returning oned's raw envelopes.
- `new_user`: creates a fresh user, returns (uid, "name:password").
- `validate_xml(text)`: validates a document against OpenNebula's XSDs (see onesim_xsd.py).
- `wait_for(predicate)`: polls until true (a hang guard, not a timing assertion).
- `unique`: a fresh name per call.
"""
import itertools
import time
import xmlrpc.client

import pyone
import pytest

from onesim.testing import running_onesim
from onesim_xsd import validate_document

_names = itertools.count()


@pytest.fixture(scope="session")
def sim():
    with running_onesim(seed="demo", in_process=True) as handle:
        yield handle


@pytest.fixture
def admin(sim):
    return pyone.OneServer(sim.endpoint, session=sim.admin_session)


@pytest.fixture
def demo(sim):
    return pyone.OneServer(sim.endpoint, session=sim.demo_session)


@pytest.fixture
def raw(sim):
    def proxy(session):
        server = xmlrpc.client.ServerProxy(sim.endpoint)

        class Call:
            def __getattr__(self, method):
                return lambda *args: getattr(server, f"one.{method}")(session, *args)

        return _Dotted(Call())
    return proxy


class _Dotted:
    """raw(session).image.info(3) -> one.image.info(session, 3)."""

    def __init__(self, call, prefix=""):
        self._call = call
        self._prefix = prefix

    def __getattr__(self, name):
        return _Dotted(self._call, f"{self._prefix}{name}.")

    def __call__(self, *args):
        return getattr(self._call, self._prefix[:-1])(*args)


@pytest.fixture
def unique():
    return lambda prefix="obj": f"{prefix}-{next(_names)}-{time.monotonic_ns()}"


@pytest.fixture
def new_user(admin, unique):
    def create(groups=()):
        name = unique("user")
        uid = admin.user.allocate(name, "secret", "", list(groups))
        return uid, f"{name}:secret"
    return create


@pytest.fixture
def validate_xml():
    return validate_document


@pytest.fixture
def wait_for():
    def poll(predicate, timeout=30.0, interval=0.02):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(interval)
        raise AssertionError("condition not reached")
    return poll
