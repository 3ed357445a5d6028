"""A CIMI client over the Flask test client, speaking JSON or XML.

Every call returns `CimiResult(status, document, headers)`; `document` is in CIMI's JSON dict
shape whichever format went over the wire (XML is read back with the server's own parser, and
its text leaves that look like integers or booleans are typed as JSON would have them), or
None for an empty body. Dict bodies are sent in the client's format (XML bodies need a
`resourceURI` to name their root element); bytes and str bodies are sent as given.
"""
import base64
import json
import re
from typing import Any, NamedTuple

from werkzeug.datastructures import Headers

from app.protocol.render import to_json, to_xml
from app.protocol.xmlparse import parse_xml

MEDIA_TYPES = {"json": "application/json", "xml": "application/xml"}
# Text attributes whose values must stay strings even when they look like numbers.
TEXT_ATTRIBUTES = {"name", "description", "id", "href", "rel", "key", "message", "error",
                   "userData", "resourceURI", "baseURI", "action", "state", "imageLocation",
                   "requestId"}
_INTEGER = re.compile(r"^-?(0|[1-9][0-9]*)$")
# Numbers with a fraction: a JSON number rendered by Python (`37.5`, `0.0`).
_DECIMAL = re.compile(r"^-?(0|[1-9][0-9]*)\.[0-9]+$")


class CimiResult(NamedTuple):
    status: int
    document: Any
    headers: Headers


class CimiTestClient:
    def __init__(self, client, fmt, credentials):
        self.client = client
        self.fmt = fmt
        self.credentials = credentials

    @property
    def user(self):
        """The name of the OpenNebula user this client acts as."""
        return self.credentials.partition(":")[0]

    def as_user(self, credentials):
        """The same client acting as `credentials` ("user:password"; None for no credentials)."""
        return CimiTestClient(self.client, self.fmt, credentials)

    def get(self, url, params=None, headers=None):
        return self.request("GET", url, params=params, headers=headers)

    def post(self, url, body=None, params=None, headers=None):
        return self.request("POST", url, body, params, headers)

    def put(self, url, body=None, params=None, headers=None):
        return self.request("PUT", url, body, params, headers)

    def delete(self, url, params=None, headers=None):
        return self.request("DELETE", url, params=params, headers=headers)

    def request(self, method, url, body=None, params=None, headers=None):
        sent = Headers({"Accept": MEDIA_TYPES[self.fmt]})
        if self.credentials is not None:
            token = base64.b64encode(self.credentials.encode("utf-8")).decode("ascii")
            sent["Authorization"] = f"Basic {token}"
        data = None
        if body is not None:
            sent["Content-Type"] = MEDIA_TYPES[self.fmt]
            data = self.encode(body)
        for name, value in (headers or {}).items():
            sent[name] = value
        response = self.client.open(url, method=method, query_string=params, data=data,
                                    headers=sent)
        return CimiResult(response.status_code, decode(response), response.headers)

    def encode(self, body):
        if isinstance(body, (bytes, str)):
            return body
        return to_xml(body) if self.fmt == "xml" else to_json(body)


def decode(response):
    data = response.get_data()
    if not data:
        return None
    if response.mimetype == MEDIA_TYPES["json"]:
        return json.loads(data)
    if response.mimetype.endswith("xml"):
        return typed(parse_xml(data))
    raise AssertionError(f"unexpected response type {response.content_type!r}: {data[:200]!r}")


def typed(value, attribute=None):
    """XML text leaves typed as JSON has them: integers and true/false, except text attributes
    and property values."""
    if isinstance(value, dict):
        return {key: value[key] if key == "properties" else typed(value[key], key) for key in value}
    if isinstance(value, list):
        return [typed(item, attribute) for item in value]
    if attribute in TEXT_ATTRIBUTES:
        return value
    if value in ("true", "false"):
        return value == "true"
    if _INTEGER.match(value):
        return int(value)
    if _DECIMAL.match(value):
        return float(value)
    return value
