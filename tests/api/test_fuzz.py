"""Bounded fuzzing of every route, in both formats: whatever the path, query, headers and
body, the answer is never a 5xx, and every 4xx carries the CIMI error body.

The routes are read from the OpenAPI document the server serves (whose paths are the URL
map's; tests/api/test_openapi.py checks it), so a new route is fuzzed too. The
requests come from an ordinary user of their own, so a lucky create or delete touches no
other test's objects, and some of them that user's own, so that routes naming them go past the
lookup. Examples are derandomized and bounded (MAX_EXAMPLES per format, some 10 s on the
emulator).
"""
import base64
import contextlib
import json
import os
import time
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api_support import (
    CIMI, DOCUMENT_TYPES, HTTP_METHODS, delete_images, documented_routes, terminate_all,
)
from app.errors import DomainError
from app.protocol.error_responses import ERROR_RESOURCE_URI
from app.protocol.names import CIMI_NAMESPACE

MEDIA_TYPES = {"json": "application/json", "xml": "application/xml"}
# CIMI_FUZZ_EXAMPLES=N explores N random examples per format instead (not derandomized).
EXPLORE = os.environ.get("CIMI_FUZZ_EXAMPLES")
MAX_EXAMPLES = int(EXPLORE or 400)
BASE = "/cimi/"
RESOURCE_TYPES = ("Machine", "MachineCreate", "Action", "Volume", "VolumeCreate",
                  "Credential", "CredentialCreate", "MachineTemplate", "MachineConfiguration",
                  "MachineImage", "VolumeConfiguration", "VolumeTemplate", "VolumeImage",
                  "MachineVolume", "Job", "Nothing")
KEYS = ("resourceURI", "name", "description", "properties", "cpu", "memory", "disks",
        "capacity", "format", "action", "href", "machineTemplate", "machineImage",
        "machineConfig", "volumeTemplate", "volumeConfig", "volume", "volumes",
        "credentialTemplate", "publicKey", "initialLocation", "visibility", "imageLocation",
        "networkInterfaces", "userData", "state", "id", "force", "properties")
QUERY_NAMES = ("$filter", "$first", "$last", "$expand", "$select", "$orderby", "$format",
               "$count", "other")
ACCEPTS = ("application/json", "application/xml", "text/xml", "*/*", "text/html",
           "application/json;q=0", "application/xml;q=0.5, application/json;q=0.4")
CONTENT_TYPES = ("application/json", "application/xml", "text/xml", "text/plain",
                 "application/json; charset=latin-1", "application/xml; charset=utf-16",
                 "multipart/form-data; boundary=x", "application/x-www-form-urlencoded")
HUGE_DIGITS = ("2147483648", "4294967296", "9223372036854775808", "9" * 5000, "-" + "9" * 5000,
               "1e400", "-0", "0x10", "１２")

huge_integers = st.one_of(st.integers(-(2**70), 2**70), st.sampled_from(HUGE_DIGITS))
weird_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "\x00", "\r\n", "\u2028", "]]>", "<a/>", "'", "\"", "%00", "%ZZ",
                     "..", "%2F", "\ud7ff", "\U0001F680" * 30, "name='x' and", "(((((", "*"]),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**80), 2**80),
                    st.floats(allow_nan=False, allow_infinity=False), weird_text,
                    st.sampled_from([CIMI + name for name in RESOURCE_TYPES]))
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=12)), children,
                        max_size=6)),
    max_leaves=25)


def raw_json(value):
    return json.dumps(value).encode()


def deep(depth, opener, closer):
    return (opener * depth + closer * depth).encode()


raw_bodies = st.one_of(
    st.binary(max_size=300),
    st.builds(lambda digits, key: ('{"resourceURI": "%sMachineConfiguration", "%s": %s}'
                                   % (CIMI, key, digits)).encode(),
              st.sampled_from(HUGE_DIGITS), st.sampled_from(KEYS)),
    st.builds(lambda digits, key: (f'<MachineConfiguration xmlns="{CIMI_NAMESPACE}">'
                                   f"<{key}>{digits}</{key}></MachineConfiguration>").encode(),
              st.sampled_from(HUGE_DIGITS), st.sampled_from(KEYS)),
    st.builds(lambda text: (f'<Volume xmlns="{CIMI_NAMESPACE}"><name>{text}</name></Volume>')
              .encode("utf-8", "surrogatepass"), weird_text),
    st.sampled_from([deep(5000, "[", "]"), deep(5000, '{"a":', "}")[:-1] + b"1" + b"}" * 5000,
                     deep(3000, "<a>", "</a>"), b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>',
                     b"\xef\xbb\xbf{}", b"\xff\xfe{\x00}\x00", b"{}" * 100]),
)


def fill(path, values):
    """The path's URL with each `{parameter}` replaced by one of `values` (percent-encoded)."""
    parts = []
    values = iter(values)
    for segment in path.split("/"):
        parts.append(quote(str(next(values)), safe="%")
                     if segment.startswith("{") else segment)
    return "/".join(parts)


@st.composite
def requests(draw, routes, owned_ids):
    path, allowed = draw(st.sampled_from(routes))
    arguments = draw(st.lists(st.one_of(st.sampled_from(owned_ids), st.sampled_from(owned_ids),
                                        st.integers(0, 5), huge_integers, weird_text),
                              min_size=path.count("{"), max_size=path.count("{")))
    method = draw(st.one_of(st.sampled_from(allowed), st.sampled_from(HTTP_METHODS)))
    query = draw(st.dictionaries(st.one_of(st.sampled_from(QUERY_NAMES), st.text(max_size=8)),
                                 st.one_of(weird_text, huge_integers.map(str)), max_size=4))
    headers = {"Accept": draw(st.one_of(st.sampled_from(ACCEPTS), st.none()))}
    if draw(st.booleans()):
        headers["CIMI-Specification-Version"] = draw(st.sampled_from(["1.1.0", "2", "1.1, 9.9",
                                                                      ""]))
    if draw(st.booleans()):
        headers["If-Match"] = draw(st.sampled_from(['"x"', "*", 'W/"1"', "", '"' + "9" * 500]))
    body = None
    if method in ("POST", "PUT", "PATCH") and draw(st.booleans()):
        body = draw(st.one_of(documents, raw_bodies))
        headers["Content-Type"] = draw(st.one_of(st.none(), st.sampled_from(CONTENT_TYPES)))
    return method, fill(path, arguments), query, headers, body


@pytest.fixture
def fuzzer(cimi, opennebula):
    return cimi.as_user(opennebula.user_session("fuzzer"))


@pytest.fixture
def owned_ids(fuzzer, backend, instance_types):
    """Ids of objects the fuzzing user owns, so that routes naming them go past the lookup;
    removed by oneadmin at the end."""
    images = fuzzer.get(BASE + "machineImages", params={"$filter": "name='ttylinux'"})
    ttylinux = images.document["machineImages"][0]["id"]
    suffix = time.monotonic_ns()
    created = {}
    try:
        for collection, body in (
                ("machines", {"resourceURI": CIMI + "MachineCreate", "name": f"fz-{suffix}",
                              "machineTemplate": {"machineImage": {"href": ttylinux}}}),
                ("volumeConfigs", {"resourceURI": CIMI + "VolumeConfiguration",
                                   "name": f"fz-{suffix}", "capacity": 1024}),
                ("machineConfigs", {"resourceURI": CIMI + "MachineConfiguration",
                                    "name": f"fz-{suffix}", "cpu": 1, "memory": 262144})):
            result = fuzzer.post(BASE + collection, body)
            assert result.status == 201, result.document
            created[collection] = int(result.headers["Location"].rsplit("/", 1)[1])
        yield sorted(set(created.values()))
    finally:
        _remove_everything_of(backend.gateway, fuzzer.user)


def _remove_everything_of(one, user_name):
    """What the user owns: what the fixture made and whatever a lucky request created."""
    def owned(items):
        return [item.id for item in items if item.owner.uname == user_name]
    terminate_all(one, owned(one.vm_page().items))
    delete_images(one, set(owned(one.image_page().items)))
    for template_id in owned(one.template_page().items):
        with contextlib.suppress(DomainError):
            one.template_delete(template_id)
    for document_type in DOCUMENT_TYPES:
        for document_id in owned(one.document_page(document_type).items):
            with contextlib.suppress(DomainError):
                one.document_delete(document_id)


def encoded(client, body):
    """The body as bytes: raw ones as they are, documents in the client's format (what
    cannot be written in it, such as a list or a key that is no XML name, as JSON)."""
    if isinstance(body, bytes):
        return body
    if not isinstance(body, dict):
        return raw_json(body)
    try:
        return client.encode(body)
    except (ValueError, TypeError, AttributeError):
        return raw_json(str(body))


def test_no_request_gets_a_5xx_and_every_4xx_is_a_cimi_error(client, fuzzer, owned_ids):
    routes = documented_routes(client)

    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=not EXPLORE, database=None,
              suppress_health_check=list(HealthCheck))
    @given(requests(routes, owned_ids))
    def check(request):
        method, url, query, headers, body = request
        headers = {name: value for name, value in headers.items() if value is not None}
        headers.setdefault("Accept", MEDIA_TYPES[fuzzer.fmt])
        if body is not None:
            headers.setdefault("Content-Type", MEDIA_TYPES[fuzzer.fmt])
        data = None if body is None else encoded(fuzzer, body)
        response = fuzzer.client.open(url, method=method, query_string=query, data=data,
                                      headers={**headers, "Authorization":
                                               _authorization(fuzzer.credentials)})
        assert response.status_code < 500, (method, url, query, response.get_data()[:300])
        if response.status_code >= 400:
            _assert_cimi_error(response)

    check()


def _authorization(credentials):
    return "Basic " + base64.b64encode(credentials.encode()).decode()


def _assert_cimi_error(response):
    text = response.get_data(as_text=True)
    if response.mimetype == "application/json":
        document = json.loads(text)
        assert document["resourceURI"] == ERROR_RESOURCE_URI, text
        assert document["status"] == response.status_code, text
    else:
        assert response.mimetype in ("application/xml", "text/xml"), text
        assert f"<status>{response.status_code}</status>" in text, text
        assert text.startswith("<?xml") or text.startswith("<Error"), text
