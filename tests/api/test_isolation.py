"""Two users, one of every private object: what user A owns does not exist for user B.

A (the demo user) owns one private object of every kind a user can make: a machine (with its
disks, network interfaces, volumes, snapshots and event log), a Job, a credential, machine
and volume templates and configurations, a machine image, a volume and a volume image. For
every route the application serves (read from its OpenAPI document, whose paths are its URL
map's, so a new route is covered or this test names it), B's GET, PUT, POST and DELETE of
A's objects answer exactly what they answer for an id that exists nowhere: a 404 that names
no user, with no internal id; B's collections, also with `$expand`, never list them; and A's
objects are unchanged after B tried everything. In JSON and XML.
"""
import contextlib
import re
import time
from itertools import product

import pytest

from api_support import (
    ACTION, CIMI, STATE_WAIT_SECONDS, delete_images, documented_routes, terminate_all,
)
from app import create_app
from app.errors import DomainError
from app.one import gateway_for
from cimiclient import CimiTestClient

BASE = "/cimi/"
MISSING_ID = 2147483000
# A part of a resource (a disk, an interface, a snapshot, an event) named in a route.
PART_ID = "0"
# Collections of objects no user owns privately: the cloud administrator's shared networks
# and the addresses leased in them; the Cloud Entry Point and resource metadata are the same
# for everyone.
SHARED = {"networks", "addresses", "resourceMetadata", "cloudEntryPoint", ""}

# Reads are tried plain and expanded; changes plain.
QUERIES = {True: ({}, {"$expand": "*"}), False: ({},)}
# Collections whose objects share one OpenNebula pool, hence one id space.
POOLS = (
    {"machines", "eventLogs"},
    {"machineImages", "volumes", "volumeImages"},
    {"machineTemplates"},
    {"credentials", "machineConfigs", "volumeConfigs", "volumeTemplates", "jobs"},
)


def unique(prefix):
    return f"{prefix}-{time.monotonic_ns()}"


class Owner:
    """A's client and the hrefs of A's objects, by collection."""

    def __init__(self, client):
        self.client = client
        self.hrefs = {}

    def create(self, collection, body):
        result = self.client.post(BASE + collection, body)
        assert result.status in (201, 202), result.document
        self.hrefs[collection] = result.headers["Location"]
        return result

    def wait_for(self, href, state):
        deadline = time.monotonic() + STATE_WAIT_SECONDS
        while (current := self.client.get(href).document.get("state")) != state:
            assert time.monotonic() < deadline, f"{href} stayed {current}, never {state}"
            time.sleep(0.05)

    def id_of(self, collection):
        return self.hrefs[collection].rsplit("/", 1)[1]


@pytest.fixture(scope="module")
def owner(opennebula, instance_types):
    """A's objects, made once for the module; removed by oneadmin at the end."""
    application = create_app({"ONE_XMLRPC": opennebula.endpoint})
    with application.app_context():
        a = Owner(CimiTestClient(application.test_client(), "json", opennebula.demo_session))
        try:
            _make_objects(a)
            yield a
        finally:
            _remove_objects(gateway_for(opennebula.admin_session), a)


def _make_objects(a):
    images = a.client.get(BASE + "machineImages", params={"$filter": "name='ttylinux'"})
    ttylinux = images.document["machineImages"][0]["id"]
    a.create("machines", {"resourceURI": CIMI + "MachineCreate", "name": unique("a-machine"),
                          "machineTemplate": {"machineImage": {"href": ttylinux}}})
    a.wait_for(a.hrefs["machines"], "STARTED")
    restarted = a.client.post(a.hrefs["machines"], {"resourceURI": CIMI + "Action",
                                                    "action": ACTION + "restart"})
    assert restarted.status == 202, restarted.document
    a.hrefs["jobs"] = restarted.headers["CIMI-Job-URI"]
    a.hrefs["eventLogs"] = a.hrefs["machines"].replace("/machines/", "/eventLogs/")
    a.create("credentials", {"resourceURI": CIMI + "CredentialCreate", "name": unique("a-key"),
                             "credentialTemplate": {"publicKey": _public_key()}})
    a.create("machineTemplates", {"resourceURI": CIMI + "MachineTemplate",
                                  "name": unique("a-template"),
                                  "machineImage": {"href": ttylinux}})
    a.create("machineConfigs", {"resourceURI": CIMI + "MachineConfiguration",
                                "name": unique("a-config"), "cpu": 1, "memory": 262144})
    a.create("machineImages", {"resourceURI": CIMI + "MachineImage", "name": unique("a-image"),
                               "imageLocation": "https://images.example.org/tiny.qcow2"})
    a.create("volumeConfigs", {"resourceURI": CIMI + "VolumeConfiguration",
                               "name": unique("a-vconfig"), "capacity": 1024})
    a.create("volumeTemplates", {"resourceURI": CIMI + "VolumeTemplate",
                                 "name": unique("a-vtemplate"),
                                 "volumeConfig": {"href": a.hrefs["volumeConfigs"]}})
    a.create("volumes", {"resourceURI": CIMI + "VolumeCreate", "name": unique("a-volume"),
                         "volumeTemplate": {"volumeConfig": {"capacity": 1024,
                                                             "format": "raw"}}})
    a.wait_for(a.hrefs["volumes"], "AVAILABLE")
    a.create("volumeImages", {"resourceURI": CIMI + "VolumeImage", "name": unique("a-snap"),
                              "volume": {"href": a.hrefs["volumes"]}})


def _public_key():
    from credential_keys import fresh_key
    return fresh_key("a@isolation")


def _remove_objects(one, a):
    ids = {collection: int(a.id_of(collection)) for collection in a.hrefs}
    if "machines" in ids:
        terminate_all(one, [ids["machines"]])
    delete_images(one, {ids[kind] for kind in ("machineImages", "volumes", "volumeImages")
                        if kind in ids})
    with contextlib.suppress(DomainError):
        if "machineTemplates" in ids:
            one.call("template.delete", ids["machineTemplates"], False)
    for kind in ("credentials", "machineConfigs", "volumeConfigs", "volumeTemplates", "jobs"):
        if kind in ids:
            with contextlib.suppress(DomainError):
                one.document_delete(ids[kind])


@pytest.fixture
def intruder(cimi, opennebula):
    """B: another ordinary user, owning nothing."""
    return cimi.as_user(opennebula.user_session("isolation-b"))


def item_routes(client):
    """(path, methods) of every CIMI route that names an object."""
    return [(path, methods) for path, methods in documented_routes(client) if "{" in path]


def collection_of(rule):
    return rule[len(BASE):].split("/", 1)[0]


def url_for(rule, object_id):
    """The rule with its first argument `object_id` and any other a part id."""
    first = True

    def argument(_match):
        nonlocal first
        value, first = (object_id if first else PART_ID), False
        return str(value)
    return re.sub(r"\{[^}]+\}", argument, rule)


def answer(result, object_id):
    """(status, message) of an answer, with the object's id written as <id>."""
    message = (result.document or {}).get("message", "")
    return result.status, message.replace(str(object_id), "<id>")


def request_body(owner, rule, method):
    collection = collection_of(rule)
    if method == "PUT":
        document = owner.client.get(owner.hrefs[collection]).document
        return {key: value for key, value in document.items()
                if key not in ("id", "created", "updated", "operations")} | {"name": "stolen"}
    if method != "POST":
        return None
    if rule.endswith("/volumes"):
        return {"resourceURI": CIMI + "MachineVolume", "initialLocation": "/dev/vdc",
                "volume": {"href": owner.hrefs["volumes"]}}
    return {"resourceURI": CIMI + "Action", "action": ACTION + "stop"}


def tried_ids(owner, collection, method):
    """Reading tries the ids of all of A's objects kept in the same OpenNebula pool (another
    type of document through this collection, say); changing tries the collection's own."""
    if method == "GET":
        pool = next(kinds for kinds in POOLS if collection in kinds)
        return {owner.id_of(kind) for kind in pool}
    return {owner.id_of(collection)}


def test_every_route_answers_for_anothers_object_as_for_a_missing_one(client, owner, intruder):
    exercised = set()
    for rule, methods in item_routes(client):
        collection = collection_of(rule)
        if collection in SHARED:
            continue
        assert collection in owner.hrefs, f"{rule}: no private object of {collection} to try"
        exercised.add(collection)
        for method in methods:
            body = request_body(owner, rule, method)
            for object_id, query in product(tried_ids(owner, collection, method),
                                            QUERIES[method == "GET"]):
                hidden = intruder.request(method, url_for(rule, object_id), body, query)
                missing = intruder.request(method, url_for(rule, MISSING_ID), body, query)
                assert answer(hidden, object_id) == answer(missing, MISSING_ID), (
                    method, rule, object_id, hidden.document)
                assert hidden.status != 403 and "User [" not in str(hidden.document)
                if object_id == owner.id_of(collection) and method in ("GET", "DELETE"):
                    assert hidden.status == 404, (method, rule, hidden.document)
    assert exercised == set(owner.hrefs)
    for collection, href in owner.hrefs.items():
        result = owner.client.get(href)
        assert result.status == 200, (collection, result.document)
        assert result.document.get("name") != "stolen"
    owner.wait_for(owner.hrefs["machines"], "STARTED")


@pytest.mark.parametrize("query", [{}, {"$expand": "*"}])
def test_no_collection_lists_anothers_objects(client, owner, intruder, query):
    for rule in list_routes(client):
        result = intruder.get(rule, params=query)
        assert result.status == 200, (rule, result.document)
        listed = str(result.document)
        for href in owner.hrefs.values():
            assert href not in listed, (rule, href)


def list_routes(client):
    return [path for path, methods in documented_routes(client)
            if "{" not in path and "GET" in methods and collection_of(path) not in SHARED]
