"""Fixtures of the protocol tests: the small application of `protocol_app`, no backend."""
import pytest

from protocol_app import DEMO_CREDENTIALS, build_app


@pytest.fixture
def app():
    return build_app()


@pytest.fixture
def cimi_credentials():
    return DEMO_CREDENTIALS
