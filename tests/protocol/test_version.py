"""CIMI-Specification-Version negotiation, in both formats: the answer names the version used,
a client accepting none of this server's versions gets a 400 CIMI error before anything runs."""
import pytest

from app.protocol.error_responses import ERROR_RESOURCE_URI
from app.protocol.version import HEADER, SPECIFICATION_VERSION
from cimiclient import CimiTestClient

THINGS = "/cimi/things"


@pytest.fixture
def cimi(client, fmt, cimi_credentials):
    return CimiTestClient(client, fmt, cimi_credentials)


@pytest.mark.parametrize("accepted", [
    None, "", "  ", "1.1.0", "1.1", " 1.1.0 ", "2.0, 1.1", "1.0.1,1.1.0", "bogus, 1.1",
])
def test_an_accepted_version_is_answered_with_ours(cimi, accepted):
    headers = {} if accepted is None else {HEADER: accepted}
    result = cimi.get(THINGS, headers=headers)
    assert result.status == 200
    assert result.headers[HEADER] == SPECIFICATION_VERSION == "1.1.0"


@pytest.mark.parametrize("accepted", [
    "1.0", "1.0.1", "2.0", "1.1.1", "1", "1.1.0.0", "01.1", "v1.1", "1.x", ",", "2.0, 1.0.1",
])
def test_no_acceptable_version_is_a_400_naming_ours(cimi, accepted):
    result = cimi.post(THINGS, {"resourceURI": "http://schemas.dmtf.org/cimi/1/Thing",
                                "name": "never made"}, headers={HEADER: accepted})
    assert result.status == 400
    assert result.headers[HEADER] == SPECIFICATION_VERSION
    assert result.document["resourceURI"] == ERROR_RESOURCE_URI
    assert SPECIFICATION_VERSION in result.document["message"]


def test_the_version_is_checked_on_every_method(cimi):
    for method in ("GET", "DELETE"):
        result = cimi.request(method, THINGS + "/7", headers={HEADER: "9.9"})
        assert result.status == 400, method
