"""A small CIMI client over real HTTP, speaking JSON or XML."""
import base64
import json

import requests

from app.protocol.render import to_json, to_xml
from app.protocol.xmlparse import parse_xml
from cimiclient import typed

MEDIA_TYPES = {"json": "application/json", "xml": "application/xml"}


class HttpCimiClient:
    """CIMI over HTTP in one format; documents come back in JSON's dict shape."""

    def __init__(self, fmt, credentials):
        self.fmt = fmt
        self.user = credentials.partition(":")[0]
        self.http = requests.Session()
        token = base64.b64encode(credentials.encode()).decode()
        self.http.headers.update({"Accept": MEDIA_TYPES[fmt], "Authorization": f"Basic {token}"})

    def request(self, method, url, body=None, headers=None, **options):
        headers = dict(headers or {})
        data = None
        if body is not None:
            headers["Content-Type"] = MEDIA_TYPES[self.fmt]
            data = to_xml(body) if self.fmt == "xml" else to_json(body)
        response = self.http.request(method, url, data=data, headers=headers, timeout=30,
                                     **options)
        return response.status_code, _document(response), response.headers

    def get(self, url, **options):
        return self.request("GET", url, **options)

    def post(self, url, body, headers=None):
        return self.request("POST", url, body, headers)

    def delete(self, url):
        return self.request("DELETE", url)


def _document(response):
    if not response.content:
        return None
    if response.headers["Content-Type"].startswith("application/json"):
        return json.loads(response.content)
    return typed(parse_xml(response.content))
