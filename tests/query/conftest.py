"""Fixtures shared by the query tests."""
import pytest

from query_documents import twelve_machines


@pytest.fixture
def machines():
    """Twelve Machine documents, vm-1 .. vm-12 (see query_documents.machine)."""
    return twelve_machines()
