"""The two ways the benchmark client reaches the same data.

`RawBackend` is a plain pyone client straight to OpenNebula (every call parses the answer into
pyone's objects): the baseline. `CimiClient` asks the server under gunicorn and decodes the
JSON it answers. Both give the caller usable objects, so their times compare like for like.
`emulator_seconds` times a call with no client-side parsing at all: the backend's own share.
"""
import time
import xmlrpc.client

import pyone
import requests

from app.one.client import POOL_ALL, VM_NOT_DONE

HTTP_TIMEOUT = (5, 300)
PAGE_FIRST, PAGE_LAST = 101, 150
PAGE_PARAMETERS = {"$first": str(PAGE_FIRST), "$last": str(PAGE_LAST)}
PAGE_SIZE = PAGE_LAST - PAGE_FIRST + 1


class RawBackend:
    """pyone calls with the pool filter and state the server uses for its listing."""

    def __init__(self, endpoint, session):
        self.endpoint = endpoint
        self.session = session
        self.one = pyone.OneServer(endpoint, session)

    def pool(self):
        return self.one.vmpool.info(POOL_ALL, -1, -1, VM_NOT_DONE)

    def pool_extended(self):
        return self.one.vmpool.infoextended(POOL_ALL, -1, -1, VM_NOT_DONE)

    def page(self):
        return self.one.vmpool.info(POOL_ALL, PAGE_FIRST - 1, -PAGE_SIZE, VM_NOT_DONE)

    def vm_info_caller(self, vm_id):
        """A vm.info call with a pyone client of its own (for one client thread)."""
        own = pyone.OneServer(self.endpoint, self.session)
        return lambda: own.vm.info(vm_id)

    def emulator_seconds(self, method):
        """(seconds, body bytes) of one whole-pool call, the answer read but not parsed."""
        request = xmlrpc.client.dumps((self.session, POOL_ALL, -1, -1, VM_NOT_DONE), method)
        started = time.perf_counter()
        # A connection of its own, as pyone makes: onesim writes an answer's headers and body
        # in two segments, so on a kept-alive connection the body waits for a delayed ACK.
        response = requests.post(self.endpoint, data=request, headers={"Content-Type": "text/xml"},
                                 timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        return time.perf_counter() - started, len(response.content)


class CimiClient:
    """HTTP Basic GETs to the server, one keep-alive session per client thread."""

    def __init__(self, base_url, credentials):
        self.base_url = base_url
        self.credentials = credentials
        self.http = self._session()

    def _session(self):
        http = requests.Session()
        http.auth = self.credentials
        http.trust_env = False
        http.headers["Accept"] = "application/json"
        return http

    def get(self, path, parameters=None, http=None):
        response = (http or self.http).get(self.base_url + path, params=parameters,
                                           timeout=HTTP_TIMEOUT)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}: {response.text[:500]}")
        return response.json()

    def machines(self):
        return self.get("machines")

    def machines_page(self):
        return self.get("machines", PAGE_PARAMETERS)

    def machine_caller(self, machine_id):
        """A GET of one machine with a keep-alive session of its own (for one client thread)."""
        own = self._session()
        return lambda: self.get(f"machines/{machine_id}", http=own)
