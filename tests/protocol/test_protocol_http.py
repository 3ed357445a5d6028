"""The protocol over HTTP, in both formats: negotiation, request checks, error bodies,
credentials, hrefs and request bodies."""
import base64
import io
import logging

import pytest

from app.protocol import ACTION_URI, CIMI_NAMESPACE, resource_uri
from app.protocol.error_responses import AUTHENTICATE_CHALLENGE, ERROR_RESOURCE_URI
from protocol_app import build_app
from cimiclient import CimiTestClient

THINGS = "/cimi/things"
MEDIA = {"json": "application/json", "xml": "application/xml"}


def assert_error(result, status, message_part=""):
    assert result.status == status
    assert result.headers["CIMI-Specification-Version"] == "1.1.0"
    document = result.document
    # requestId: in an application that identifies its requests (app.logs), as the real one does.
    assert set(document) - {"requestId"} == {"resourceURI", "status", "error", "message"}
    assert document.get("requestId") == result.headers.get("X-Request-ID")
    assert document["resourceURI"] == ERROR_RESOURCE_URI
    assert document["status"] == status
    assert message_part in document["message"]
    return document


def basic(credentials):
    return "Basic " + base64.b64encode(credentials.encode("utf-8")).decode("ascii")


# --- negotiation -------------------------------------------------------------------------

@pytest.mark.parametrize("accept, expected", [
    (None, "application/json"),
    ("*/*", "application/json"),
    ("application/json", "application/json"),
    ("application/xml", "application/xml"),
    ("text/xml", "text/xml"),
    ("application/*", "application/json"),
    ("application/json;q=0.5, application/xml", "application/xml"),
    ("application/xml;q=0.2, application/json;q=0.9", "application/json"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/xml"),
])
def test_accept_chooses_the_format(client, accept, expected):
    response = client.get(THINGS, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.mimetype == expected
    assert response.headers["Vary"] == "Accept"
    if expected == "application/json":
        assert response.json["resourceURI"] == resource_uri("ThingCollection")
    else:
        assert response.data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<Collection')


@pytest.mark.parametrize("value, expected", [
    ("json", "application/json"), ("xml", "application/xml"), ("XML", "application/xml"),
    ("application/xml", "application/xml"),
])
def test_format_parameter_overrides_accept(client, value, expected):
    other = "application/xml" if expected == "application/json" else "application/json"
    response = client.get(THINGS, query_string={"$format": value}, headers={"Accept": other})
    assert response.status_code == 200
    assert response.mimetype == expected


@pytest.mark.parametrize("query, accept", [
    ({}, "text/html"), ({}, "application/json;q=0"), ({"$format": "yaml"}, "application/json"),
])
def test_nothing_acceptable_is_406_in_json(client, query, accept):
    response = client.get(THINGS, query_string=query, headers={"Accept": accept})
    assert response.status_code == 406
    assert response.mimetype == "application/json"
    assert response.json["status"] == 406
    assert response.json["error"] == "Not Acceptable"


def test_each_request_is_negotiated_on_its_own(client):
    formats = [client.get(THINGS, headers={"Accept": accept}).mimetype
               for accept in ("application/xml", "application/json", "text/xml")]
    assert formats == ["application/xml", "application/json", "text/xml"]
    proxied = build_app({"CIMI_PROXY_HOPS": 1}).test_client()
    hosts = [proxied.get("/cimi/base", headers={"X-Forwarded-Host": host}).json["baseURI"]
             for host in ("a.example", "b.example")]
    assert hosts == ["http://a.example/cimi/", "http://b.example/cimi/"]


def test_406_is_decided_before_the_view_runs(client):
    response = client.post(THINGS, data=b"{}", content_type="application/json",
                           headers={"Accept": "image/png"})
    assert response.status_code == 406


def test_every_response_carries_the_specification_version(cimi):
    for result in (cimi.get(THINGS), cimi.get("/cimi/nowhere"), cimi.delete(THINGS + "/7"),
                   cimi.as_user(None).get("/cimi/whoami")):
        assert result.headers["CIMI-Specification-Version"] == "1.1.0"


def test_an_empty_response_has_no_content_type(cimi):
    result = cimi.delete(THINGS + "/7")
    assert result.status == 200 and result.document is None
    assert "Content-Type" not in result.headers


# --- request checks ----------------------------------------------------------------------

@pytest.mark.parametrize("content_type", [
    "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None])
def test_bodies_that_are_neither_json_nor_xml_are_415(cimi, content_type):
    headers = {"Content-Type": content_type} if content_type else {"Content-Type": ""}
    result = cimi.post(THINGS, b"name=x", headers=headers)
    assert_error(result, 415, "application/json or application/xml")


@pytest.mark.parametrize("content_type", ["text/xml", "application/xml; charset=utf-8",
                                          "application/json; charset=utf-8"])
def test_json_and_xml_content_types_with_parameters_are_accepted(client, content_type):
    body = b'{"name": "x"}' if "json" in content_type else b"<Thing><name>x</name></Thing>"
    response = client.post(THINGS, data=body, headers={"Content-Type": content_type,
                                                       "Authorization": basic("demo:demo")})
    assert response.status_code == 201


def test_an_oversize_body_is_413_with_a_cimi_error_body(cimi):
    body = {"resourceURI": resource_uri("Thing"), "name": "x" * (70 * 1024)}
    assert_error(cimi.post(THINGS, body), 413, "limit of 65536 bytes")


def test_an_oversize_body_without_content_length_is_413_when_read(client, fmt):
    body = b'{"name": "' + b"x" * (70 * 1024) + b'"}'
    response = client.post(
        "/cimi/echo", input_stream=io.BytesIO(body),
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked",
                 "Accept": MEDIA[fmt]},
        environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413
    assert response.mimetype == MEDIA[fmt]
    assert b"limit of 65536 bytes" in response.data


def test_a_small_body_without_content_length_is_read_whole(client):
    response = client.post(
        "/cimi/echo", input_stream=io.BytesIO(b'{"name": "chunked"}'),
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 200
    assert response.json == {"name": "chunked"}


# --- error bodies ------------------------------------------------------------------------

@pytest.mark.parametrize("kind, status, phrase", [
    ("BadRequest", 400, "Bad Request"), ("Forbidden", 403, "Forbidden"),
    ("NotFound", 404, "Not Found"), ("Conflict", 409, "Conflict"),
    ("PreconditionFailed", 412, "Precondition Failed"), ("BackendError", 502, "Bad Gateway"),
    ("BackendUnavailable", 503, "Service Unavailable"),
    ("BackendTimeout", 504, "Gateway Timeout"),
])
def test_domain_errors_map_to_statuses_with_one_body_shape(cimi, kind, status, phrase):
    result = cimi.get(f"/cimi/fail/{kind}")
    document = assert_error(result, status)
    assert document["error"] == phrase
    assert document["message"] == f"{kind} happened"
    assert result.headers["Content-Type"] == f"{MEDIA[cimi.fmt]}; charset=utf-8"
    assert "WWW-Authenticate" not in result.headers


def test_unauthenticated_is_401_with_a_basic_challenge(cimi):
    result = cimi.get("/cimi/fail/Unauthenticated")
    assert_error(result, 401, "Unauthenticated happened")
    assert result.headers["WWW-Authenticate"] == AUTHENTICATE_CHALLENGE == 'Basic realm="cimi-one"'


def test_the_xml_error_body(client):
    response = client.get("/cimi/fail/Conflict", headers={"Accept": "application/xml"})
    assert response.data.decode() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Error xmlns="{CIMI_NAMESPACE}"><status>409</status><error>Conflict</error>'
        "<message>Conflict happened</message></Error>")


def test_unknown_urls_are_404(cimi):
    for url in ("/cimi/nowhere", "/", THINGS + "/not-a-number", THINGS + "/7/deeper"):
        document = assert_error(cimi.get(url), 404, "No resource exists at this URL.")
        assert "did you mean" not in document["message"]


def test_a_missing_resource_raised_by_a_restx_view_is_404(cimi):
    assert_error(cimi.get(THINGS + "/3"), 404, "No Thing 3.")


@pytest.mark.parametrize("url, allowed", [
    (THINGS, {"GET", "POST"}), (THINGS + "/7", {"GET", "DELETE"}), ("/cimi/fail/Conflict", {"GET"}),
])
def test_wrong_methods_are_405_with_allow(cimi, url, allowed):
    result = cimi.put(url, {"resourceURI": resource_uri("Thing"), "name": "x"})
    assert_error(result, 405, "not allowed")
    assert allowed <= {m.strip() for m in result.headers["Allow"].split(",")}


def test_unexpected_failures_are_500_without_details_but_logged(cimi, caplog):
    with caplog.at_level(logging.ERROR):
        result = cimi.get("/cimi/fail/unexpected")
    document = assert_error(result, 500)
    assert "secret" not in document["message"] and "Traceback" not in document["message"]
    assert "oned.conf" not in str(result.document)
    assert any(record.exc_info and "secret stack detail" in str(record.exc_info[1])
               for record in caplog.records)


# --- credentials -------------------------------------------------------------------------

@pytest.mark.parametrize("credentials", ["demo:demo", "alice:pa:ss:word", "jösé:pässwörd 日本", "bob:"])
def test_basic_credentials_become_the_session_string(cimi, credentials):
    result = cimi.as_user(credentials).get("/cimi/whoami")
    assert result.status == 200
    assert result.document["name"] == credentials


@pytest.mark.parametrize("authorization", [
    None, basic(":password"), "Bearer abc", "Basic !!!not-base64!!!", "Basic " ])
def test_missing_or_unusable_credentials_are_401(cimi, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    result = cimi.as_user(None).get("/cimi/whoami", headers=headers)
    assert_error(result, 401)
    assert result.headers["WWW-Authenticate"] == 'Basic realm="cimi-one"'


# --- hrefs -------------------------------------------------------------------------------

def test_hrefs_come_from_the_listening_address_and_the_base_path(cimi):
    document = cimi.get("/cimi/base", headers={"Host": "LocalHost:80"}).document
    assert document["baseURI"] == "http://localhost/cimi/"
    assert document["id"] == "http://localhost/cimi/things/a%20b%2Fc"


@pytest.mark.parametrize("host", [
    "evil.example", "localhost:8080", "evil.example@localhost", "localhost/evil", "localhost:80x"])
def test_a_host_the_server_does_not_listen_on_is_refused(cimi, host):
    result = cimi.post(THINGS, full_thing(), headers={"Host": host})
    document = assert_error(result, 400, "CIMI_PUBLIC_URL")
    assert "evil" not in document["message"] and "Location" not in result.headers


def test_the_public_url_makes_hrefs_whatever_the_host(fmt):
    public = CimiTestClient(build_app({"CIMI_PUBLIC_URL": "https://cloud.example.org/api/"})
                            .test_client(), fmt, "demo:demo")
    for host in ("evil.example", "localhost"):
        result = public.post(THINGS, full_thing(), headers={"Host": host})
        assert result.headers["Location"] == "https://cloud.example.org/api/things/7"


@pytest.mark.parametrize("url", ["cloud.example.org", "ftp://cloud.example.org/",
                                 "https://cloud.example.org/?a=1", "https://u@cloud.example.org/"])
def test_a_public_url_that_is_not_an_absolute_http_url_stops_the_start(monkeypatch, url):
    from app import config
    monkeypatch.setenv("CIMI_PUBLIC_URL", url)
    with pytest.raises(ValueError, match="CIMI_PUBLIC_URL"):
        config.from_environment()


@pytest.mark.parametrize("base_path, expected", [
    ("", "http://localhost/"), ("/api/cimi/", "http://localhost/api/cimi/")])
def test_base_uri_always_ends_with_one_slash(base_path, expected):
    with build_app({"CIMI_BASE_PATH": base_path}).test_request_context("/"):
        from app.protocol import base_uri, href
        assert base_uri() == expected
        assert href("machines", 4) == expected + "machines/4"


FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "public.example.org"}


def test_forwarded_headers_are_ignored_by_default(cimi):
    assert cimi.get("/cimi/base", headers=FORWARDED).document["baseURI"] == "http://localhost/cimi/"
    assert cimi.get("/cimi/base", headers={"X-Forwarded-Proto": "https"}).document[
        "baseURI"] == "http://localhost/cimi/"


def test_forwarded_headers_are_honoured_when_proxies_are_trusted(fmt):
    trusting = CimiTestClient(build_app({"CIMI_PROXY_HOPS": 1}).test_client(), fmt, "demo:demo")
    result = trusting.get("/cimi/base", headers=FORWARDED)
    assert result.document["baseURI"] == "https://public.example.org/cimi/"


# --- request bodies ----------------------------------------------------------------------

def full_thing(name="web ünïcødé & <co> \"1\" ]]> 日本 🚀"):
    return {
        "resourceURI": resource_uri("Thing"),
        "name": name,
        "description": "line1\nline2\ttab",
        "properties": {"owner": "alice & bob", "ключ": "значение", "empty": ""},
        "cpu": 4,
        "enabled": True,
        "image": {"href": "http://localhost/cimi/machineImages/3"},
        "volumes": [{"href": "http://localhost/cimi/volumes/9", "initialLocation": "/dev/vdb"}],
        "tags": ["a", "b"],
    }


def test_a_body_round_trips_in_both_formats(cimi):
    sent = full_thing()
    result = cimi.post(THINGS, sent)
    assert result.status == 201
    assert result.headers["Location"] == "http://localhost/cimi/things/7"
    expected = {key: value for key, value in sent.items() if key != "resourceURI"}
    received = {key: value for key, value in result.document.items()
                if key not in ("resourceURI", "id", "operations")}
    assert received == expected
    assert result.document["resourceURI"] == resource_uri("Thing")
    assert result.document["operations"][2] == {
        "rel": ACTION_URI + "start", "href": "http://localhost/cimi/things/7"}


def test_a_collection_reads_the_same_in_both_formats(cimi):
    document = cimi.get(THINGS).document
    assert document["resourceURI"] == resource_uri("ThingCollection")
    assert document["count"] == 3
    assert [member["name"] for member in document["things"]] == ["thing 0", "thing 1", "thing 2"]
    assert document["things"][0]["resourceURI"] == resource_uri("Thing")
    assert document["operations"] == [{"rel": "add", "href": "http://localhost/cimi/things"}]


@pytest.mark.parametrize("change, field", [
    ({"cpu": "many"}, "cpu: Not a valid integer."),
    ({"name": None}, "name"),
    ({"image": {"name": "no href"}}, "image.href: Missing data for required field."),
    ({"volumes": [{"initialLocation": "x"}]}, "volumes[0].href: Missing data for required field."),
])
def test_invalid_values_are_400_naming_the_field(cimi, change, field):
    body = {**full_thing(), **change}
    body = {key: value for key, value in body.items() if value is not None}
    assert_error(cimi.post(THINGS, body), 400, field)


@pytest.mark.parametrize("body", [b"", b"   \n"])
def test_an_empty_body_is_400(cimi, body):
    assert_error(cimi.post(THINGS, body), 400, "empty")


def test_malformed_bodies_are_400(cimi):
    body = b'{"name": "x"' if cimi.fmt == "json" else b"<Thing><name>x</Thing>"
    expected = "malformed" if cimi.fmt == "json" else "not well-formed"
    assert_error(cimi.post(THINGS, body), 400, expected)


def test_an_xml_bomb_is_a_clear_400(client):
    from test_protocol_parsing import BILLION_LAUGHS, EXTERNAL_ENTITY

    for body in (BILLION_LAUGHS, EXTERNAL_ENTITY):
        response = client.post("/cimi/echo", data=body, headers={
            "Content-Type": "application/xml", "Accept": "application/xml"})
        assert response.status_code == 400
        assert b"must not contain a DTD" in response.data
        assert b"lollol" not in response.data and b"root:" not in response.data


def test_xml_bodies_need_no_namespace_and_lists_follow_the_schema(client):
    body = (b'<Thing><name>n</name><cpu>2</cpu><enabled>false</enabled>'
            b'<volume href="v"><initialLocation>/dev/vdc</initialLocation></volume>'
            b'<tags>t</tags></Thing>')
    response = client.post("/cimi/echo", data=body, content_type="application/xml")
    assert response.status_code == 200
    assert response.json == {"name": "n", "cpu": 2, "enabled": False,
                             "volumes": [{"href": "v", "initialLocation": "/dev/vdc"}],
                             "tags": ["t"]}
