"""The web console's pages as the server serves them (the console itself is tested in a
browser, tests/browser): outside the CIMI base path, with a self-only Content-Security-Policy,
naming the Cloud Entry Point without echoing the Host header, assets from the package."""
import re

import pytest

from app import create_app
from app.console import CONTENT_SECURITY_POLICY
from test_metrics import samples, value

ENTRY_POINT = re.compile(r'<meta name="cimi-entry-point" content="([^"]*)">')
MODULES = ("main", "api", "ui", "poller", "machines", "launch", "volumes", "images",
           "credentials")


def entry_point_of(response):
    return ENTRY_POINT.search(response.get_data(as_text=True)).group(1)


def test_the_page_names_the_entry_point_under_the_base_path(client):
    response = client.get("/console/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert entry_point_of(response) == "/cimi/cloudEntryPoint"
    assert client.get("/console").status_code in (301, 308)


@pytest.mark.parametrize("settings, expected", [
    ({"CIMI_BASE_PATH": "/api/v1"}, "/api/v1/cloudEntryPoint"),
    ({"CIMI_PUBLIC_URL": "https://cloud.example.org/cimi/"},
     "https://cloud.example.org/cimi/cloudEntryPoint"),
])
def test_the_entry_point_follows_the_configuration(opennebula, settings, expected):
    application = create_app({"ONE_XMLRPC": opennebula.endpoint, "TESTING": True, **settings})
    assert entry_point_of(application.test_client().get("/console/")) == expected


def test_any_host_gets_the_page_and_none_is_echoed_in_it(client):
    """The console writes no absolute URL from the request: a foreign Host header reaches
    neither the page nor the API calls it makes (those go to the page's own origin)."""
    response = client.get("/console/", headers={"Host": "evil.example"})
    assert response.status_code == 200
    assert "evil.example" not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/console/", "/console/console.css", "/console/favicon.svg"]
                         + [f"/console/js/{module}.js" for module in MODULES])
def test_every_console_response_allows_this_origin_only(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    policy = dict(directive.split(" ", 1) for directive in CONTENT_SECURITY_POLICY.split("; "))
    assert policy["default-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert {policy[name] for name in ("script-src", "style-src", "connect-src", "img-src")} \
        == {"'self'"}


def test_scripts_are_modules_served_as_javascript_from_the_package(client):
    page = client.get("/console/").get_data(as_text=True)
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing from another site
    assert "<script>" not in page and "style=" not in page  # nothing inline
    for module in MODULES:
        response = client.get(f"/console/js/{module}.js")
        assert response.mimetype in ("text/javascript", "application/javascript"), module
        imports = re.findall(r'from "([^"]+)"', response.get_data(as_text=True))
        assert all(target.startswith("./") for target in imports), module


def test_no_storage_keeps_the_credentials(client):
    for module in MODULES:
        source = client.get(f"/console/js/{module}.js").get_data(as_text=True)
        assert "localStorage" not in source and "sessionStorage" not in source, module
        assert "document.cookie" not in source, module


def test_an_unknown_asset_is_a_cimi_404(client):
    response = client.get("/console/js/missing.js")
    assert response.status_code == 404
    assert response.json["resourceURI"] == "http://schemas.dmtf.org/cimi/1/Error"


def test_assets_are_counted_under_their_route_template(client):
    before = samples(client)
    client.get("/console/js/api.js")
    after = samples(client)
    request = {"route": "/console/<path:filename>", "method": "GET", "status": "200"}
    assert value(after, "cimi_requests_total", **request) == \
        value(before, "cimi_requests_total", **request) + 1


@pytest.mark.parametrize("path", ["/console/", "/console/console.css"])
def test_the_console_answers_whatever_accept_asks(client, path):
    """The API's format negotiation (406) is the API's: a client asking for text/html alone
    still gets the console."""
    assert client.get(path, headers={"Accept": "text/html"}).status_code == 200
