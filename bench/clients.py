"""The two ways the benchmark client reaches the same data.

`RawBackend` is a plain pyone client straight to OpenNebula (every call parses the answer into
pyone's objects): the baseline a client of OpenNebula itself has. `unparsed_seconds` times a
pool call with no client-side parsing at all, the answer only read: the floor for any client.
`extended_pages_seconds` times what the server itself must read for the same machines: the
extended pool, page after page, read and optionally made a libxml2 tree (no record built),
the floor of this server's way of reading OpenNebula.
`CimiClient` asks the server under gunicorn and decodes the JSON it answers, paging through
a collection as a client must. Both give the caller usable objects, so their times compare
like for like.
"""
import collections
import re
import time
import xmlrpc.client

import pyone
import requests

from app.one import parse, transport
from app.one.gateway import POOL_ALL, VM_NOT_DONE

HTTP_TIMEOUT = (5, 600)
PAGE_FIRST, PAGE_LAST = 101, 150
PAGE_PARAMETERS = {"$first": str(PAGE_FIRST), "$last": str(PAGE_LAST)}
PAGE_SIZE = PAGE_LAST - PAGE_FIRST + 1
# OpenNebula's VM STATE ACTIVE: the VMs a CIMI machine state STARTED can stand for.
ACTIVE = 3
STARTED_FILTER = {"$filter": "state='STARTED'"}
EXPANDED_PAGE_SIZE = 1000
ONE_CALLS_METRIC = "cimi_opennebula_calls_total"
ONE_METHOD_LABEL = re.compile(r'method="([^"]+)"')


class RawBackend:
    """pyone calls with the pool filter and state the server uses for its listing."""

    def __init__(self, endpoint, session):
        self.endpoint = endpoint
        self.session = session
        self.one = pyone.OneServer(endpoint, session)

    def pool(self):
        return self.one.vmpool.info(POOL_ALL, -1, -1, VM_NOT_DONE)

    def active_pool(self):
        return self.one.vmpool.info(POOL_ALL, -1, -1, ACTIVE)

    def page(self):
        return self.one.vmpool.info(POOL_ALL, PAGE_FIRST - 1, -PAGE_SIZE, VM_NOT_DONE)

    def vm_info_caller(self, vm_id):
        """A vm.info call with a pyone client of its own (for one client thread)."""
        own = pyone.OneServer(self.endpoint, self.session)
        return lambda: own.vm.info(vm_id)

    def instantiate_caller(self, template_id, created):
        """A template.instantiate with a pyone client of its own; new VM ids join `created`."""
        own = pyone.OneServer(self.endpoint, self.session)
        return lambda: created.append(own.template.instantiate(template_id, "", False, "", False))

    def unparsed_seconds(self, method="one.vmpool.info", state=VM_NOT_DONE):
        """(seconds, body bytes) of one whole-pool call, the answer read but not parsed."""
        request = self._request(method, POOL_ALL, -1, -1, state)
        started = time.perf_counter()
        content = self._answer(request)
        return time.perf_counter() - started, len(content)

    def extended_pages_seconds(self, size, page_size, tree=False):
        """Seconds to read the extended pool of `size` VMs in windows of `page_size`, as the
        server's listing asks for it; with `tree`, each answer also goes through the server's
        own XML-RPC reading and libxml2 parse, and no further."""
        started = time.perf_counter()
        for offset in range(0, size, page_size):
            content = self._answer(self._request("one.vmpool.infoextended", POOL_ALL, offset,
                                                 -page_size, VM_NOT_DONE))
            if tree:
                parse.document(transport.read_method_response(content)[0][1])
        return time.perf_counter() - started

    def _request(self, method, *params):
        """The XML-RPC request of `method(session, *params)`."""
        return xmlrpc.client.dumps((self.session, *params), method)

    def _answer(self, request):
        """The raw answer to `request`, unparsed."""
        # A connection of its own, as pyone makes: onesim writes an answer's headers and body
        # in two segments, so on a kept-alive connection the body waits for a delayed ACK.
        response = requests.post(self.endpoint, data=request, headers={"Content-Type": "text/xml"},
                                 timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        return response.content


class CimiClient:
    """HTTP Basic requests to the server, one keep-alive session per client thread."""

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

    def walk(self, parameters=None):
        """Every machine of the collection, page after page at the largest page the server
        gives (what it answers without `$last`): (members, pages fetched)."""
        return walk_collection(lambda extra: self.get("machines", {**(parameters or {}), **extra}),
                               "machines")

    def machines_page(self, first=PAGE_FIRST, last=PAGE_LAST, expand=False):
        parameters = {"$first": str(first), "$last": str(last)}
        if expand:
            parameters["$expand"] = "*"
        return self.get("machines", parameters)

    def machine_caller(self, machine_id):
        """A GET of one machine with a keep-alive session of its own (for one client thread)."""
        own = self._session()
        return lambda: self.get(f"machines/{machine_id}", http=own)

    def create_caller(self, template_href, created):
        """A POST of a new machine from a machine template, with a session of its own; the
        new machine's id joins `created`."""
        own = self._session()
        body = {"resourceURI": "http://schemas.dmtf.org/cimi/2/MachineCreate",
                "machineTemplate": {"href": template_href}}

        def create():
            response = own.post(self.base_url + "machines", json=body, timeout=HTTP_TIMEOUT)
            if response.status_code not in (200, 201, 202):
                raise RuntimeError(f"POST machines answered {response.status_code}: "
                                   f"{response.text[:500]}")
            created.append(response.json()["id"])
        return create

    def one_calls(self):
        """{method: calls} of OpenNebula the server counted at /metrics, all outcomes."""
        root = self.base_url.split("/cimi/")[0]
        response = requests.get(root + "/metrics", timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        calls = collections.Counter()
        for line in response.text.splitlines():
            if line.startswith(ONE_CALLS_METRIC + "{"):
                method = ONE_METHOD_LABEL.search(line).group(1)
                calls["one." + method] += round(float(line.rpartition(" ")[2]))
        return calls


def walk_collection(get_page, member_key):
    """All members of a paged collection: `get_page(parameters)` answers a collection
    document. The first page, asked without `$last`, shows the largest page the server
    allows; the following pages ask for exactly that many. (members, pages fetched)."""
    document = get_page({"$first": "1"})
    members = list(document.get(member_key, ()))
    page_size, count, pages = len(members), document["count"], 1
    while len(members) < count:
        if page_size == 0:
            raise RuntimeError(f"an empty page while {count} members are counted")
        first = len(members) + 1
        document = get_page({"$first": str(first), "$last": str(first + page_size - 1)})
        page = document.get(member_key, ())
        if not page:
            raise RuntimeError(f"no members from {first} while {count} are counted")
        members.extend(page)
        pages += 1
    return members, pages
