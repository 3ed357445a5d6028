"""The fault matrix: every operation that makes several OpenNebula calls completes or undoes
what it did.

For each operation the calls its request makes as the caller are recorded first (at the
transport, under the whole gateway: envelopes, error translation); then, for every call in
turn and every kind of fault (an XML-RPC error envelope, a timeout, an unreachable oned), the
request is made again with that one call failing. OpenNebula is then read as oneadmin:

- an error answer (4xx/5xx) leaves everything as it was: the same VMs in the same states, the
  same images and documents with the same templates, the same user key;
- a 201/202 answer creates only what the answer names (Location, CIMI-Job-URI, a new
  machine's disks) and leaves nothing marked incomplete;
- no answer is a 500.

A timeout here is one whose call oned never carried out; a call oned committed and answered
too late is the idempotent retry's case. Emulator only: the matrix makes hundreds of requests
(machine launches among them), minutes on a real oned.
"""
import time
import xmlrpc.client
from dataclasses import dataclass, field

import pytest

from app.one import gateway_for
from app.one.transport import PooledTransport
INCOMPLETE = "CIMI_INCOMPLETE"  # app.services.undo.INCOMPLETE
from app.services.credentials import USER_KEY

from api_support import CIMI, ACTION, DOCUMENT_TYPES, delete_images, terminate_all
from credential_keys import credential_create, fresh_key
from support.lanes import STATE_WAIT_SECONDS
from volume_support import (  # noqa: F401 (fixtures)
    MIB_KIB, create_document, volume_create, volumes,
)

KINDS = ("error", "timeout", "unreachable")
RUNNING = (3, 3)        # OpenNebula (STATE, LCM_STATE): ACTIVE, RUNNING
POWEROFF = (8, 0)
INTERNAL = 0x2000
KIND_OF_COLLECTION = {"machines": "vm", "volumes": "image", "machineImages": "image",
                      "volumeImages": "image", "credentials": "document", "jobs": "document"}


class CallTap:
    """The XML-RPC calls made with one session, and a fault armed at one of them."""

    def __init__(self, session):
        self.session = session
        self.calls = []
        self.fault = None       # (call index, kind)

    def install(self, monkeypatch):
        """Every exchange goes through `PooledTransport.post` (a request's timed view of the
        process's transport included)."""
        original = PooledTransport.post
        tap = self

        def post(transport, request_body, timeout):
            params, method = xmlrpc.client.loads(request_body)
            if params and params[0] == tap.session:
                index = len(tap.calls)
                tap.calls.append(method)
                if tap.fault is not None and tap.fault[0] == index:
                    return injected(tap.fault[1], method)
            return original(transport, request_body, timeout)

        monkeypatch.setattr(PooledTransport, "post", post)

    def run(self, operation, fault=None):
        self.calls, self.fault = [], fault
        try:
            return operation()
        finally:
            self.fault = None


def injected(kind, method):
    if kind == "error":
        return ([False, f"[{method}] Injected failure.", INTERNAL, -1, 0],)
    if kind == "timeout":
        raise TimeoutError("injected: no answer in time")
    raise ConnectionRefusedError("injected: connection refused")


@dataclass(frozen=True)
class World:
    """What the caller owns in OpenNebula, as oneadmin reads it."""
    vms: dict = field(default_factory=dict)          # id -> OpenNebula (STATE, LCM_STATE)
    images: dict = field(default_factory=dict)       # id -> (name, template)
    documents: dict = field(default_factory=dict)    # id -> (type, name, template)
    user_key: str = ""

    def ids(self):
        return ({("vm", one_id) for one_id in self.vms}
                | {("image", one_id) for one_id in self.images}
                | {("document", one_id) for one_id in self.documents})

    def incomplete(self):
        templates = [template for _, template in self.images.values()]
        templates += [template for _, _, template in self.documents.values()]
        return [template for template in templates if template.get(INCOMPLETE, "0") != "0"]


class Observer:
    def __init__(self, backend, user_id):
        self.backend = backend
        self.user_id = user_id

    def world(self):
        one, owned = self.backend.gateway, self.backend.owned
        return World(
            vms={vm.id: (vm.state, vm.lcm_state) for vm in owned(one.vm_page().items)},
            images={image.id: (image.name, comparable(image.template))
                    for image in owned(one.image_page().items)},
            documents={document.id: (document.type, document.name,
                                     comparable(document.template))
                       for document_type in DOCUMENT_TYPES
                       for document in owned(one.document_page(document_type).items)},
            user_key=one.user(self.user_id).template.get(USER_KEY, ""))

    def settled(self, expected):
        """The world once it is `expected`, or when the wait (a hang guard) ends: what a request
        undid may linger a moment (a VM going back to RUNNING, an image being deleted)."""
        deadline = time.monotonic() + STATE_WAIT_SECONDS
        while (current := self.world()) != expected and time.monotonic() < deadline:
            time.sleep(0.05)
        return current


def changes(before, after):
    """What differs between two worlds, entry by entry."""
    found = {}
    for name in ("vms", "images", "documents"):
        old, new = getattr(before, name), getattr(after, name)
        found.update({(name, key): (old.get(key), new.get(key))
                      for key in old.keys() | new.keys() if old.get(key) != new.get(key)})
    if before.user_key != after.user_key:
        found["user_key"] = (before.user_key, after.user_key)
    return found


def comparable(template):
    """A template without the update time, which undoing a change stamps anew."""
    return {name: value for name, value in template.items() if name != "CIMI_UPDATED"}


def told(cimi, result, backend):
    """(kind, id) of every object the answer names: its Location, its Job, its own id, and
    the disks of a machine it created."""
    hrefs = [result.headers.get("Location"), result.headers.get("CIMI-Job-URI")]
    if isinstance(result.document, dict):
        hrefs.append(result.document.get("id"))
    named = set()
    for href in filter(None, hrefs):
        base, collection, one_id = href.rstrip("/").split("/")[-3:]
        if base == "cimi" and collection in KIND_OF_COLLECTION and one_id.isdigit():
            named.add((KIND_OF_COLLECTION[collection], int(one_id)))
    for kind, one_id in list(named):
        if kind == "vm":
            named |= {("image", disk.image_id) for disk in backend.gateway.vm(one_id).disks
                      if disk.image_id is not None}
    return named


def removed_told_objects(backend, objects):
    one = backend.gateway
    terminate_all(one, [one_id for kind, one_id in objects if kind == "vm"])
    delete_images(one, [one_id for kind, one_id in objects if kind == "image"])
    for kind, one_id in objects:
        if kind == "document":
            one.document_delete(one_id)


# --- the operations ---------------------------------------------------------------------

class Operation:
    """One request of the matrix: `prepare` once, `request` for every case, `reset` after a
    case to bring back what the next case needs (objects the answer named are removed by the
    matrix itself)."""

    def __init__(self, cimi, hrefs, backend):
        self.cimi, self.hrefs, self.backend = cimi, hrefs, backend

    def prepare(self):
        pass

    def reset(self):
        pass

    def finish(self):
        """Remove what `prepare` made that the test's fixtures do not."""


class MachineCreateWithVolumes(Operation):
    def request(self):
        return self.cimi.post(self.hrefs["machines"], self.hrefs["machine_create"](
            name=f"fault-{time.monotonic_ns()}",
            volumeTemplates=[{"volumeTemplate": {"volumeConfig": {"capacity": MIB_KIB}}}]))


class PublicVolumeCreate(Operation):
    def request(self):
        return self.cimi.post(self.hrefs["volumes"], volume_create(
            name=f"fault-{time.monotonic_ns()}", visibility="public"))


class MachineOperation(Operation):
    """An operation on a STARTED machine, which `reset` starts again when it was stopped."""

    def prepare(self):
        self.machine = self.hrefs["started_machine"]()

    def reset(self):
        """Wait until OpenNebula has the VM RUNNING again, with no operation under way (CIMI
        shows a hot-plug or a snapshot as STARTED already), resuming it if it was stopped."""
        one = self.backend.gateway
        vm_id = int(self.machine.rsplit("/", 1)[1])
        deadline = time.monotonic() + STATE_WAIT_SECONDS
        while True:
            vm = one.vm(vm_id)
            state = (vm.state, vm.lcm_state)
            if state == RUNNING:
                return
            if state == POWEROFF:
                one.vm_action("resume", vm_id)
            assert time.monotonic() < deadline, f"machine {vm_id} stayed {state}"
            time.sleep(0.05)


class Capture(MachineOperation):
    def request(self):
        return self.cimi.post(self.machine, action("capture", image={
            "name": f"fault-{time.monotonic_ns()}", "description": "captured"}))


class StopWithImage(MachineOperation):
    def request(self):
        return self.cimi.post(self.machine, action("stop", image={
            "name": f"fault-{time.monotonic_ns()}", "description": "kept at stop"}))


class Stop(MachineOperation):
    def request(self):
        return self.cimi.post(self.machine, action("stop"))


class Snapshot(MachineOperation):
    def request(self):
        return self.cimi.post(self.machine, action("snapshot"))


class MachineUpdate(MachineOperation):
    def request(self):
        return self.cimi.put(self.machine, {"resourceURI": CIMI + "Machine",
                                            "name": f"fault-{time.monotonic_ns()}",
                                            "description": f"changed {time.monotonic_ns()}"})


class VolumeOperation(Operation):
    """An operation on an AVAILABLE volume of the caller's."""

    def prepare(self):
        self.volume = self.hrefs["volumes_made"](volume_create(name=f"fault-{time.monotonic_ns()}"))
        self.hrefs["wait_for_state"](self.volume["id"], "AVAILABLE")


class VolumeUpdate(VolumeOperation):
    def request(self):
        return self.cimi.put(self.volume["id"], {
            "resourceURI": CIMI + "Volume", "name": f"fault-{time.monotonic_ns()}",
            "description": f"changed {time.monotonic_ns()}", "visibility": "public"})

    def reset(self):
        self.hrefs["wait_for_state"](self.volume["id"], "AVAILABLE")


class VolumeSnapshot(VolumeOperation):
    def request(self):
        return self.cimi.post(self.hrefs["volumeImages"], {
            "resourceURI": CIMI + "VolumeImage", "name": f"fault-{time.monotonic_ns()}",
            "volume": {"href": self.volume["id"]}})

    def reset(self):
        self.hrefs["wait_for_state"](self.volume["id"], "AVAILABLE")


class VolumeAttach(MachineOperation):
    def prepare(self):
        super().prepare()
        self.volume = self.hrefs["volumes_made"](volume_create(name=f"fault-{time.monotonic_ns()}"))
        self.hrefs["wait_for_state"](self.volume["id"], "AVAILABLE")

    def request(self):
        return self.cimi.post(self.machine + "/volumes", {
            "resourceURI": CIMI + "MachineVolume", "volume": {"href": self.volume["id"]}})

    def reset(self):
        """Detach what a case attached, once the hot-plug has settled."""
        attached = self.cimi.get(self.machine + "/volumes").document.get("machineVolumes", [])
        for attachment in attached:
            deadline = time.monotonic() + STATE_WAIT_SECONDS
            while (status := self.cimi.delete(attachment["id"]).status) == 409:
                assert time.monotonic() < deadline, "the hot-plug never settled"
                time.sleep(0.05)
            assert status == 202
        self.hrefs["wait_for_state"](self.volume["id"], "AVAILABLE")
        super().reset()


class MachineTemplateUpdate(Operation):
    """A PUT that renames the template and rewrites it whole."""

    def prepare(self):
        result = self.cimi.post(self.hrefs["machineTemplates"], self.template_body())
        assert result.status == 201, result.document
        self.template = result.document["id"]

    def template_body(self):
        return {"resourceURI": CIMI + "MachineTemplate", "name": f"fault-{time.monotonic_ns()}",
                "machineImage": {"href": self.hrefs["image"]},
                "description": f"changed {time.monotonic_ns()}"}

    def request(self):
        return self.cimi.put(self.template, self.template_body())

    def finish(self):
        assert self.cimi.delete(self.template).status == 200


class VolumeConfigurationUpdate(Operation):
    """A PUT of a document-backed resource: rename, then the whole template."""

    def prepare(self):
        self.configuration = self.hrefs["documents_made"](
            self.hrefs["volumeConfigs"], self.body())["id"]

    def body(self):
        return {"resourceURI": CIMI + "VolumeConfiguration", "name": f"fault-{time.monotonic_ns()}",
                "capacity": MIB_KIB, "description": f"changed {time.monotonic_ns()}"}

    def request(self):
        return self.cimi.put(self.configuration, self.body())


class CredentialOperation(Operation):
    """Operations that move the user's default credential; `default` is kept default."""

    def prepare(self):
        self.made = []
        self.default = self.created(default=True)

    def finish(self):
        """Deleting them through the API takes the default's key out of the user's template
        too, as later tests expect."""
        for href in self.made:
            assert self.cimi.delete(href).status in (200, 404)

    def created(self, default):
        properties = {"default": "true"} if default else {}
        result = self.cimi.post(self.hrefs["credentials"], credential_create(
            fresh_key(), name=f"fault-{time.monotonic_ns()}", properties=properties))
        assert result.status == 201, result.document
        self.made.append(result.document["id"])
        return result.document["id"]

    def reset(self):
        self.marked(self.default, True)

    def marked(self, href, default):
        properties = {"default": "true"} if default else {}
        result = self.cimi.put(href, {"resourceURI": CIMI + "Credential",
                                      "properties": properties})
        assert result.status == 200, result.document


class DefaultCredentialCreate(CredentialOperation):
    def request(self):
        return self.cimi.post(self.hrefs["credentials"], credential_create(
            fresh_key(), name=f"fault-{time.monotonic_ns()}", properties={"default": "true"}))


class CredentialMadeDefault(CredentialOperation):
    def prepare(self):
        super().prepare()
        self.other = self.created(default=False)

    def request(self):
        return self.cimi.put(self.other, {"resourceURI": CIMI + "Credential",
                                          "properties": {"default": "true"}})

    def reset(self):
        self.marked(self.other, False)
        super().reset()


class DefaultCredentialDelete(CredentialOperation):
    def request(self):
        return self.cimi.delete(self.default)

    def reset(self):
        if self.cimi.get(self.default).status == 404:
            self.default = self.created(default=True)


def action(name, **inputs):
    return {"resourceURI": CIMI + "Action", "action": ACTION + name, **inputs}


OPERATIONS = {
    "machine create with volumeTemplates": MachineCreateWithVolumes,
    "volume create, public": PublicVolumeCreate,
    "capture": Capture,
    "stop with an image": StopWithImage,
    "stop": Stop,
    "snapshot": Snapshot,
    "machine update": MachineUpdate,
    "volume update": VolumeUpdate,
    "volume snapshot": VolumeSnapshot,
    "volume attach": VolumeAttach,
    "machine template update": MachineTemplateUpdate,
    "volume configuration update": VolumeConfigurationUpdate,
    "default credential create": DefaultCredentialCreate,
    "credential made default": CredentialMadeDefault,
    "default credential delete": DefaultCredentialDelete,
}


@pytest.fixture
def tap(monkeypatch, opennebula):
    tap = CallTap(opennebula.demo_session)
    tap.install(monkeypatch)
    return tap


@pytest.fixture
def hrefs(collection_href, machine_create, started, wait_for_state, volumes, create_document,
          image_href):
    return {"machineTemplates": collection_href("machineTemplates"), "image": image_href,
            "volumeConfigs": collection_href("volumeConfigs"), "documents_made": create_document,
            "machines": collection_href("machines"), "volumes": collection_href("volumes"),
            "volumeImages": collection_href("volumeImages"), "volumes_made": volumes,
            "credentials": collection_href("credentials"), "machine_create": machine_create,
            "started_machine": started, "wait_for_state": wait_for_state}


@pytest.mark.parametrize("name", OPERATIONS)
def test_a_failing_call_leaves_nothing_half_done(name, cimi, onesim_server, opennebula, backend,
                                                 tap, hrefs):
    operation = OPERATIONS[name](cimi, hrefs, backend)
    operation.prepare()
    try:
        check_every_call(operation, name, cimi, opennebula, backend, tap)
    finally:
        operation.finish()


def check_every_call(operation, name, cimi, opennebula, backend, tap):
    observer = Observer(backend, gateway_for(opennebula.demo_session).whoami().id)
    first = observer.world()
    recorded = tap.run(operation.request)
    assert recorded.status in (201, 202, 200), recorded.document
    calls = list(tap.calls)
    removed_told_objects(backend, told(cimi, recorded, backend) - first.ids())
    operation.reset()
    assert calls, "the operation made no OpenNebula call"
    for index, method in enumerate(calls):
        for kind in KINDS:
            before = observer.world()
            result = tap.run(operation.request, fault=(index, kind))
            case = f"{name}: {kind} at call {index} ({method}) -> {result.status}"
            assert result.status != 500, (case, result.document)
            if result.status >= 400:
                assert "message" in result.document, (case, result.document)
                # A timed-out action keeps its Job, and the answer names it (CIMI-Job-URI):
                # it tells whether OpenNebula acted. Nothing else may remain.
                named = told(cimi, result, backend) - before.ids()
                assert all(kind == "document" for kind, _ in named), case
                removed_told_objects(backend, named)
                after = observer.settled(before)
                assert after == before, (case, result.document, changes(before, after))
            else:
                named = told(cimi, result, backend)
                after = observer.world()
                assert after.ids() - before.ids() <= named, case
                assert not after.incomplete(), case
                removed_told_objects(backend, named - before.ids())
            operation.reset()
