"""The OpenAPI document at `<base>/openapi.json` and Swagger UI at `<base>/docs`.

The document is checked against the application it describes: every route of the URL map
under the base path is in it with its methods, collections take the CIMI query parameters,
request bodies are the marshmallow schemas' JSON Schemas, and the statuses that requests
really get (in JSON and XML) are the documented ones, with bodies the documented schemas
accept. The UI's page and every file it loads come from this server.
"""
import re
import time
from urllib.parse import urljoin, urlsplit

import pytest
from flask_restx import apidoc
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from api_support import CIMI
from app.cimi.api import DOCS_ENDPOINT, OPENAPI_ENDPOINT
from app.cimi.openapi import declared_methods

BASE = "/cimi"
DOCUMENT = BASE + "/openapi.json"
DESCRIPTION_ENDPOINTS = {OPENAPI_ENDPOINT, DOCS_ENDPOINT, apidoc.apidoc.name + ".static"}
COLLECTION_QUERY = {"$filter", "$select", "$expand", "$first", "$last", "$orderby", "$format"}
MEDIA_TYPES = {"application/json", "application/xml", "text/xml"}
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
UNUSED_ID = 2147483647


@pytest.fixture
def document(client):
    response = client.get(DOCUMENT)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def _path(rule_text):
    return re.sub(r"<(?:[^:>]*:)?(\w+)>", r"{\1}", rule_text[len(BASE):])


def _served_routes(app):
    """(document path, methods) of every CIMI route the application serves."""
    return {(_path(rule.rule), frozenset(rule.methods - {"HEAD", "OPTIONS"}))
            for rule in app.url_map.iter_rules()
            if rule.rule.startswith(BASE + "/") and rule.endpoint not in DESCRIPTION_ENDPOINTS}


def _operation(document, method, path):
    return document["paths"][path][method.lower()]


def _resolved(document, item):
    while "$ref" in item:
        item = _at(document, item["$ref"])
    return item


def _at(document, reference):
    node = document
    for part in reference.removeprefix("#/").split("/"):
        node = node[part]
    return node


def _accepts(document, schema_reference, instance):
    """Whether the schema at `schema_reference` accepts `instance` (references resolved
    within the document)."""
    validator = Draft202012Validator({**document, "$ref": schema_reference})
    return list(validator.iter_errors(instance))


def test_the_document_is_valid_openapi(document):
    validate(document)
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": "http://localhost/cimi"}]


def test_every_route_is_described_with_its_methods(app, document):
    served = _served_routes(app)
    assert served, "no CIMI route found"
    for path, methods in served:
        assert path in document["paths"], path
        described = {method.upper() for method in document["paths"][path]
                     if method != "parameters"}
        assert described == methods, path
    assert len(document["paths"]) == len({path for path, _ in served})


def test_every_route_method_declares_itself(app):
    """A route without a declaration would be missing from the document."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(BASE + "/") or rule.endpoint in DESCRIPTION_ENDPOINTS:
            continue
        declared = {method for method, _ in declared_methods(app, rule)}
        assert declared == rule.methods - {"HEAD", "OPTIONS"}, rule.rule


def test_the_description_is_no_cimi_collection(cimi, document):
    entry_point = cimi.get(BASE + "/cloudEntryPoint").document
    hrefs = [value["href"] for value in entry_point.values() if isinstance(value, dict)]
    assert hrefs
    for href in hrefs:
        path = urlsplit(href).path[len(BASE):]
        assert "openapi" not in path and "docs" not in path
        operation = _operation(document, "GET", path)
        assert COLLECTION_QUERY <= {parameter["name"] for parameter in operation["parameters"]}


def test_collections_take_every_cimi_query_parameter(document):
    listings = 0
    for path, operations in document["paths"].items():
        get = operations.get("get")
        answer = get and get["responses"]["200"].get("content", {}).get("application/json")
        if answer and answer["schema"]["$ref"].endswith("Collection"):
            listings += 1
            names = {parameter["name"] for parameter in get["parameters"]}
            assert COLLECTION_QUERY <= names, path
    assert listings >= 14


def test_request_bodies_are_the_marshmallow_schemas(app, document):
    bodies = 0
    for rule in app.url_map.iter_rules():
        for method, declaration in declared_methods(app, rule):
            operation = _operation(document, method, _path(rule.rule))
            if declaration.body is None:
                assert "requestBody" not in operation
                continue
            bodies += 1
            content = operation["requestBody"]["content"]
            assert set(content) == MEDIA_TYPES
            references = {media["schema"]["$ref"] for media in content.values()}
            assert len(references) == 1
            schema = _at(document, references.pop())
            declared = {field.data_key or name: field
                        for name, field in declaration.body().fields.items()}
            assert set(schema["properties"]) == set(declared), rule.rule
            # A resource's PUT body is the resource: what only the server sets is read-only.
            assert {name for name, field in declared.items() if field.dump_only} == {
                name for name, value in schema["properties"].items() if value.get("readOnly")}
            assert set(schema.get("required", ())) == {
                name for name, field in declared.items() if field.required}
    assert bodies >= 10


@pytest.mark.parametrize("url, accept", [(DOCUMENT, "application/vnd.oai.openapi+json"),
                                         (BASE + "/docs", "text/html")])
def test_the_description_answers_in_its_own_format(client, url, accept):
    response = client.get(url, headers={"Accept": accept})
    assert response.status_code == 200
    assert client.get(BASE + "/machines", headers={"Accept": accept}).status_code == 406


def test_the_description_needs_no_credentials_and_names_the_host(client):
    assert client.get(DOCUMENT).status_code == 200
    assert client.get(BASE + "/docs", headers={"Accept": BROWSER_ACCEPT}).status_code == 200
    refused = client.get(DOCUMENT, headers={"Host": "elsewhere.example"})
    assert refused.status_code == 400
    assert refused.get_json()["resourceURI"] == CIMI + "Error"


# Where flask-restx always serves its Swagger UI's scripts and styles.
SWAGGER_UI_FILES = "/swaggerui/"


def test_the_ui_loads_only_files_this_server_serves(client):
    page = client.get(BASE + "/docs", headers={"Accept": BROWSER_ACCEPT})
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert DOCUMENT in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(asset.endswith(".js") for asset in assets)
    assert any(asset.endswith(".css") for asset in assets)
    fetched = set()
    while assets:
        asset = assets.pop()
        assert asset.startswith((BASE + "/docs/", SWAGGER_UI_FILES)), asset
        if asset in fetched:
            continue
        fetched.add(asset)
        response = client.get(asset)
        assert response.status_code == 200, asset
        if asset.endswith(".css"):
            assets += [urljoin(asset, url) for url in
                       re.findall(r"url\(['\"]?([^'\")]+)", response.get_data(as_text=True))
                       if not url.startswith("data:")]
        response.close()


def _documented_statuses(document, method, path):
    return {int(status) for status in _operation(document, method, path)["responses"]}


def _check_answer(document, method, path, result, fmt):
    """The answer's status is documented for the operation; a JSON body is one the
    documented schema accepts."""
    assert result.status in _documented_statuses(document, method, path), (method, path)
    if fmt != "json" or result.document is None:
        return
    response = _resolved(document,
                         _operation(document, method, path)["responses"][str(result.status)])
    schema = response["content"]["application/json"]["schema"]["$ref"]
    assert _accepts(document, schema, result.document) == []


def _a_member(cimi, collection, key):
    return cimi.get(f"{BASE}/{collection}").document[key][0]["id"]


@pytest.mark.parametrize("method, path, url, kwargs, expected", [
    ("GET", "/machineConfigs", "/machineConfigs", {}, 200),
    ("GET", "/machineConfigs", "/machineConfigs", {"params": {"$first": "x"}}, 400),
    ("GET", "/machineConfigs", "/machineConfigs", {"params": {"$format": "yaml"}}, 406),
    ("GET", "/machineConfigs/{resource_id}", f"/machineConfigs/{UNUSED_ID}", {}, 404),
    ("GET", "/machines/{machine_id}", f"/machines/{UNUSED_ID}", {}, 404),
    ("DELETE", "/jobs/{resource_id}", f"/jobs/{UNUSED_ID}", {}, 404),
    ("POST", "/credentials", "/credentials",
     {"body": b"key", "headers": {"Content-Type": "text/plain"}}, 415),
    ("POST", "/machineConfigs", "/machineConfigs",
     {"body": {"resourceURI": CIMI + "MachineConfiguration", "cpu": "many"}}, 400),
    ("POST", "/machineConfigs", "/machineConfigs",
     {"body": {"resourceURI": CIMI + "MachineConfiguration", "name": "x" * 2_000_000}},
     413),
    ("GET", "/", "/", {}, 200),
    ("GET", "/resourceMetadata", "/resourceMetadata", {}, 200),
])
def test_requests_get_documented_statuses(cimi, document, instance_types, method, path, url,
                                          kwargs, expected):
    result = cimi.request(method, BASE + url, **kwargs)
    assert result.status == expected, result.document
    _check_answer(document, method, path, result, cimi.fmt)


def test_credentials_missing_is_a_documented_401(cimi, document):
    result = cimi.as_user(None).get(BASE + "/machines")
    assert result.status == 401
    _check_answer(document, "GET", "/machines", result, cimi.fmt)


def test_conditional_reads_and_updates_get_documented_statuses(cimi, document, instance_types):
    member = _a_member(cimi, "machineConfigs", "machineConfigurations")
    path = "/machineConfigs/{resource_id}"
    read = cimi.get(member)
    _check_answer(document, "GET", path, read, cimi.fmt)
    unchanged = cimi.get(member, headers={"If-None-Match": read.headers["ETag"]})
    assert unchanged.status == 304
    _check_answer(document, "GET", path, unchanged, cimi.fmt)
    stale = cimi.put(member, read.document, headers={"If-Match": '"stale"'})
    assert stale.status == 412
    _check_answer(document, "PUT", path, stale, cimi.fmt)



def test_creating_and_deleting_get_documented_statuses(cimi, document):
    body = {"resourceURI": CIMI + "MachineConfiguration", "name": f"oa-{time.monotonic_ns()}",
            "cpu": 1, "memory": 262144}
    request_body = _operation(document, "POST", "/machineConfigs")["requestBody"]
    assert _accepts(document, request_body["content"]["application/json"]["schema"]["$ref"],
                    body) == []
    assert _accepts(document, request_body["content"]["application/json"]["schema"]["$ref"],
                    {**body, "cpu": 0}) != []
    created = cimi.post(BASE + "/machineConfigs", body)
    assert created.status == 201, created.document
    try:
        _check_answer(document, "POST", "/machineConfigs", created, cimi.fmt)
    finally:
        deleted = cimi.delete(created.headers["Location"])
    assert deleted.status == 200
    _check_answer(document, "DELETE", "/machineConfigs/{resource_id}", deleted, cimi.fmt)


def test_the_ui_files_are_counted_by_route_template(client):
    asset = SWAGGER_UI_FILES + "swagger-ui.css"
    assert client.get(asset).status_code == 200
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'route="/swaggerui/<path:filename>"' in metrics
    assert "swagger-ui.css" not in metrics
