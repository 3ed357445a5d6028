"""The protocol as the real application serves it: flask-restx's routes and its own 404/405
answer with the CIMI error body, never flask-restx's JSON or Werkzeug's HTML. No backend is
needed: every request here is settled before OpenNebula would be called."""
import pytest

from app import create_app
from app.protocol.error_responses import ERROR_RESOURCE_URI
from cimiclient import MEDIA_TYPES

UNREACHABLE_ONED = "http://127.0.0.1:9/RPC2"


@pytest.fixture
def app():
    return create_app({"ONE_XMLRPC": UNREACHABLE_ONED, "TESTING": True,
                       "MAX_CONTENT_LENGTH": 4096})


def assert_cimi_error(result, status):
    assert result.status == status
    assert result.headers["CIMI-Specification-Version"] == "1.1.0"
    assert result.document["resourceURI"] == ERROR_RESOURCE_URI
    assert result.document["status"] == status
    assert "did you mean" not in result.document["message"].lower()


def test_the_entry_point_is_served_in_both_formats(cimi):
    result = cimi.get("/cimi/cloudEntryPoint")
    assert result.status == 200
    assert result.headers["Content-Type"] == f"{MEDIA_TYPES[cimi.fmt]}; charset=utf-8"
    assert result.headers["CIMI-Specification-Version"] == "1.1.0"
    assert result.document["baseURI"] == "http://localhost/cimi/"


@pytest.mark.parametrize("url", ["/cimi/nothingHere", "/nowhere", "/cimi/machines/not-an-id/x",
                                 "/cimi/swagger.json", "/swaggerui/nothing-here.css"])
def test_unknown_urls_are_cimi_404s(cimi, url):
    assert_cimi_error(cimi.get(url), 404)


@pytest.mark.parametrize("method", ["delete", "put"])
def test_wrong_methods_on_restx_routes_are_cimi_405s(cimi, method):
    if method == "put":
        result = cimi.put("/cimi/cloudEntryPoint", {"resourceURI": ERROR_RESOURCE_URI})
    else:
        result = cimi.delete("/cimi/cloudEntryPoint")
    assert_cimi_error(result, 405)
    assert "GET" in result.headers["Allow"]


def test_a_collection_without_credentials_is_401_with_the_challenge(cimi):
    result = cimi.as_user(None).get("/cimi/machines")
    assert_cimi_error(result, 401)
    assert result.headers["WWW-Authenticate"] == 'Basic realm="cimi-one"'


def test_request_checks_apply_to_every_route(cimi):
    assert_cimi_error(cimi.post("/cimi/machines", b"name=x",
                                headers={"Content-Type": "text/plain"}), 415)
    assert_cimi_error(cimi.post("/cimi/machines", b"{" + b" " * 5000 + b"}"), 413)
    refused = cimi.get("/cimi/cloudEntryPoint", headers={"Accept": "text/html"})
    assert refused.status == 406 and refused.document["status"] == 406


def test_an_unreachable_backend_is_503_in_the_cimi_shape(cimi):
    assert_cimi_error(cimi.get("/cimi/machines"), 503)
