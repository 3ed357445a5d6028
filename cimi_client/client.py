"""A CIMI client library: start from a Cloud Entry Point URL, follow hrefs and operations.

    client = CimiClient("https://cloud.example.org/cimi/cloudEntryPoint", "alice", secret)
    images = client.members("machineImages", {"$filter": "name='ttylinux'"})
    answer = client.create("machines", {"machineTemplate": {...}})
    machine = client.wait_for_state(answer.location, {"STARTED"}, timeout=300)
    client.settle(client.act(machine, "stop"), timeout=300)

No path is ever built from pieces: collections come from the entry point, creation goes to a
collection's `add` operation, actions, edits and deletions to the operations a resource offers.
Asynchronous answers (202) are settled either through their Job (`CIMI-Job-URI`) or, when the
server creates none, by following the resource's own state.
"""
import json
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import requests

from cimi_client import xmldoc

CIMI = "http://schemas.dmtf.org/cimi/1/"
ACTION = CIMI + "action/"
MEDIA_TYPES = {"json": "application/json", "xml": "application/xml"}
JOB_URI_HEADER = "CIMI-Job-URI"
JOB_SUCCEEDED = "SUCCESS"
JOB_ENDED = {"SUCCESS", "FAILED", "STOPPED", "CANCELLED"}
GONE = "GONE"
# This server's extension attribute: why a machine is waiting or has failed.
STATUS_MESSAGE = "statusMessage"
# Also this server's: the CPU a running machine used, in percent of one CPU.
CPU_USAGE = "cpuUsage"
DEFAULT_POLL_SECONDS = 0.5


class CimiError(Exception):
    """A failure the user can act on; its text is one line saying what went wrong."""


class ServiceError(CimiError):
    """The server answered with an error: `status` is the HTTP status, the text its message."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class JobFailed(ServiceError):
    """A Job ended without success; the text is its status message."""


class WaitTimedOut(CimiError):
    pass


@dataclass
class Answer:
    """What a create, action or delete was answered: the status, the resource's URI
    (`Location`), the Job following the work (`CIMI-Job-URI`) and the body, each when given."""

    status: int
    location: str | None = None
    job: str | None = None
    document: dict | None = None


class CimiClient:
    def __init__(self, endpoint, username=None, password=None, fmt="json", timeout=30.0,
                 verify=True, poll_seconds=DEFAULT_POLL_SECONDS):
        if fmt not in MEDIA_TYPES:
            raise CimiError(f"Unknown format {fmt!r}: use one of {', '.join(MEDIA_TYPES)}.")
        self.endpoint = endpoint
        self.timeout = timeout
        self.poll_seconds = poll_seconds
        self._accept = MEDIA_TYPES[fmt]
        self._verify = verify
        self._auth = (username, password or "") if username else None
        # One session (one keep-alive connection) per thread: a requests.Session is not
        # meant to be shared between threads, and a client may send from several at once
        # (`cimi run-instance --count`).
        self._sessions = threading.local()
        self._entry_point = None
        self._add_hrefs = {}
        self._add_hrefs_lock = threading.Lock()

    @property
    def http(self):
        """This thread's HTTP session."""
        session = getattr(self._sessions, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["Accept"] = self._accept
            session.verify = self._verify
            session.auth = self._auth
            self._sessions.session = session
        return session

    # --- discovery -------------------------------------------------------------------------

    @property
    def entry_point(self):
        if self._entry_point is None:
            self._entry_point = self.get(self.endpoint)
        return self._entry_point

    def offers(self, collection):
        return "href" in (self.entry_point.get(collection) or {})

    def collection_href(self, collection):
        if not self.offers(collection):
            raise CimiError(f"The cloud at {shown(self.endpoint)} offers no {collection} "
                            "collection.")
        return self.entry_point[collection]["href"]

    def members(self, collection, params=None):
        """Every member of a collection named by its entry point key (or given by href),
        fetching further pages while the server's `count` says more exist."""
        href = collection if "/" in collection else self.collection_href(collection)
        return every_member(self.get, href, params)

    # --- HTTP ------------------------------------------------------------------------------

    def get(self, href, params=None):
        return self._send("GET", href, params=params).document

    def create(self, collection, body):
        """POST a *Create body to the `add` operation of a collection (entry point key)."""
        return self._send("POST", self.add_href(collection), body)

    def add_href(self, collection):
        """Where a collection (entry point key) takes new members: its `add` operation, read
        from its first page once per client (what the server offers a user does not change
        from one request to the next)."""
        with self._add_hrefs_lock:
            if collection not in self._add_hrefs:
                listing = self.get(self.collection_href(collection), {"$first": 1, "$last": 1})
                self._add_hrefs[collection] = operation_href(listing, "add", collection)
            return self._add_hrefs[collection]

    def act(self, resource, action, **inputs):
        """POST a CIMI Action (`start`, `stop`, `capture`, ...) to the resource's operation."""
        body = {"resourceURI": CIMI + "Action", "action": ACTION + action, **inputs}
        return self._send("POST", operation_href(resource, ACTION + action, action), body)

    def attach(self, subcollection_href, body):
        """POST to a sub-collection such as a machine's `volumes`, through its `add`."""
        listing = self.get(subcollection_href)
        return self._send("POST", operation_href(listing, "add", "attach"), body)

    def edit(self, resource, body):
        return self._send("PUT", own_operation(resource, "edit"), body)

    def delete(self, resource):
        return self._send("DELETE", own_operation(resource, "delete"))

    def _send(self, method, href, body=None, params=None):
        """One request, asked again while the server answers that it is busy (503 with
        Retry-After: it turned the request away before doing anything), for up to the
        client's timeout."""
        headers = {}
        data = None
        if body is not None:
            headers["Content-Type"] = MEDIA_TYPES["json"]
            data = json.dumps(body)
        deadline = time.monotonic() + self.timeout
        while True:
            response = self._response(method, href, params, data, headers)
            pause = retry_after(response)
            if pause is None or time.monotonic() + pause > deadline:
                break
            time.sleep(pause)
        document = _document(response)
        if response.status_code >= 400:
            raise ServiceError(response.status_code, _error_message(response, document))
        return Answer(response.status_code, response.headers.get("Location"),
                      response.headers.get(JOB_URI_HEADER), document)

    def _response(self, method, href, params, data, headers):
        try:
            return self.http.request(method, href, params=params, data=data, headers=headers,
                                     timeout=self.timeout)
        except requests.Timeout:
            raise CimiError(f"{shown(href)} did not answer within {self.timeout:g} s.") from None
        except requests.RequestException as failure:
            raise CimiError(f"Cannot reach {shown(href)}: {failure_reason(failure)}") from None

    # --- waiting ---------------------------------------------------------------------------

    def settle(self, answer, timeout, until=None, resource=None, progress=None):
        """Wait for an accepted request to finish: for its Job when it has one, then, when
        `until` names states, for its resource (`resource`, else `Location`) to reach one."""
        if answer.job:
            self.wait_for_job(answer.job, timeout, progress)
        href = resource or answer.location
        if until and href:
            return self.wait_for_state(href, until, timeout, progress)
        return None

    def wait_for_operation(self, resource, rel, timeout, progress=None):
        """The resource once it offers the operation `rel`: while it is in a transitional
        state (CREATING, STOPPING, ...: CIMI's -ING states) the operation may still come, so
        this waits for the state to settle; otherwise the resource is returned as it is."""
        if offers_or_settled(resource, rel):
            return resource
        return self._poll(resource["id"], lambda document: offers_or_settled(document, rel),
                          timeout, progress, f"a {rel} operation")

    def wait_for_job(self, job_href, timeout, progress=None):
        """The Job once it has ended; JobFailed unless it ended in SUCCESS."""
        # A Job's states (RUNNING, SUCCESS) are told apart from its target's in the progress.
        shown_as_job = progress and (lambda state: progress(f"(job {state})"))
        job = self._poll(job_href, lambda document: document.get("state") in JOB_ENDED, timeout,
                         shown_as_job, "the Job to end")
        if job["state"] != JOB_SUCCEEDED:
            message = job.get("statusMessage") or f"Job {job_href} ended {job['state']}."
            raise JobFailed(job.get("returnCode") or 0, message)
        return job

    def wait_for_state(self, href, states, timeout, progress=None, deadline=None):
        """The resource once its state is one of `states`; GONE among them waits for a 404
        (a deleted resource), and returns None then. `deadline` (a time.monotonic() value)
        ends a wait that began earlier, `timeout` seconds before it: a wait shared by
        several resources."""
        return self._poll(href, lambda document: document.get("state") in states, timeout,
                          progress, " or ".join(sorted(states)), gone_ok=GONE in states,
                          deadline=deadline)

    def _poll(self, href, done, timeout, progress, awaited, gone_ok=False, deadline=None):
        """GET `href` until `done(document)` holds, within `timeout` seconds (or until
        `deadline`), at least once."""
        deadline = deadline if deadline is not None else time.monotonic() + timeout
        while True:
            try:
                document = self.get(href)
            except ServiceError as error:
                if gone_ok and error.status in (404, 410):
                    return None
                raise
            state = document.get("state")
            if progress:
                progress(state)
            if done(document):
                return document
            if time.monotonic() >= deadline:
                raise WaitTimedOut(f"{shown(href)} is still {state} after {timeout:g} s "
                                   f"(waiting for {awaited}){why(document)}")
            time.sleep(self.poll_seconds)


def retry_after(response):
    """Seconds to wait before asking again when the answer is a busy server's 503 with
    Retry-After in seconds, else None."""
    if response.status_code != 503:
        return None
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None


def why(document):
    """The end of a sentence about a resource: the server's word on why it is waiting or has
    failed (a Machine's `statusMessage`) after a colon, or a full stop when it says nothing."""
    message = (document or {}).get(STATUS_MESSAGE)
    return f": {message}" if message else "."


def every_member(get, href, params=None):
    """Every member of the collection at `href`, read with `get(href, params)` (which returns
    the collection document), fetching further pages while the server's `count` says more
    exist."""
    params = dict(params or {})
    found = []
    while True:
        page = get(href, {**params, "$first": len(found) + 1} if found else params)
        batch = members_of(page)
        found.extend(batch)
        if not batch or len(found) >= page.get("count", len(found)):
            return found


def offers_or_settled(resource, rel):
    """Whether the resource offers the operation `rel`, or is in a state where waiting will
    not make it come: while a resource is in a transitional state (CREATING, STOPPING, ...:
    CIMI's -ING states) the operation may still come."""
    state = resource.get("state") or ""
    return has_operation(resource, rel) or not state.endswith("ING") or state == "DELETING"


def members_of(collection):
    """The member list of a collection document: its one list attribute besides operations."""
    for key, value in collection.items():
        if key != "operations" and isinstance(value, list):
            return value
    return []


def has_operation(resource, rel):
    return any(operation.get("rel") == rel for operation in resource.get("operations", ()))


def operation_href(resource, rel, what):
    for operation in resource.get("operations", ()):
        if operation.get("rel") == rel:
            return operation["href"]
    name = resource.get("name") or resource.get("id", "the resource")
    owner = f" (owned by {resource['owner']})" if resource.get("owner") else ""
    state = f" in state {resource['state']}" if resource.get("state") else ""
    raise CimiError(f"The server offers you no {what} operation on {name}{owner}{state}.")


def own_operation(resource, rel):
    """Where to edit or delete a resource: its `edit`/`delete` operation, else the resource's
    own URI, which CIMI's update and delete address. A resource that does not offer the
    operation to this user is still asked, so the server says why it refuses (403 with its
    reason) instead of the client guessing."""
    for operation in resource.get("operations", ()):
        if operation.get("rel") == rel:
            return operation["href"]
    return resource["id"]


def shown(url):
    """A URL fit for messages: without any user:password@ it was given with."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def short_id(href):
    """The last segment of a resource URI: what people type to name a resource."""
    return href.rstrip("/").rpartition("/")[2]


def _document(response):
    if not response.content:
        return None
    content_type = response.headers.get("Content-Type", "")
    try:
        if "json" in content_type:
            return response.json()
        if "xml" in content_type:
            return xmldoc.parse(response.content)
    except ValueError:
        return None
    return None


def _error_message(response, document):
    if isinstance(document, dict) and document.get("message"):
        return document["message"]
    text = response.text.strip().splitlines()
    if text and not text[0].lstrip().startswith("<"):
        return f"{response.status_code} {response.reason}: {text[0]}"
    return f"{response.status_code} {response.reason} from {shown(response.url)}"


def failure_reason(failure):
    """What went wrong underneath requests' and urllib3's wrapping: "Connection refused"."""
    cause = failure.args[0] if failure.args else failure
    cause = getattr(cause, "reason", cause)
    return str(cause).partition("): ")[2] or str(cause)
