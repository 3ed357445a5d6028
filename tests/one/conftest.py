"""Fixtures for the gateway tests."""
import socket

import pytest

import app.one
from onefake import SESSION, FakeOned, make_app


@pytest.fixture
def fake_oned():
    fake = FakeOned()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def one_app(fake_oned):
    application = make_app(fake_oned.url)
    yield application
    application.extensions["one"].close()


@pytest.fixture
def gateway(one_app):
    with one_app.app_context():
        yield app.one.gateway_for(SESSION)


@pytest.fixture
def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
