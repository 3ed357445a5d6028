"""Fixtures of the API tests: the instance types installed once, an administrator's view of
the backend to prove that failed requests leave nothing behind, and machine helpers."""
import time

import pytest

from app import create_app
from app.one import Gateway, gateway_for
from app.one.documents import MACHINE_CONFIGURATION
from app.services.machine_configurations import install_instance_types

from api_support import CIMI, STATE_WAIT_SECONDS, terminate_all
from support.lanes import exclusive


@pytest.fixture(autouse=True)
def faults_cleared(opennebula):
    """No fault a test injects outlives it, even one its request never reached: the emulator
    serves every later test of this worker."""
    yield
    opennebula.clear_faults()


@pytest.fixture(scope="session")
def instance_types(opennebula):
    """The StratusLab instance types, installed by oneadmin as `make run` does (by one worker
    at a time: the real lane's workers share one OpenNebula)."""
    application = create_app({"ONE_XMLRPC": opennebula.endpoint})
    with application.app_context(), exclusive(opennebula, "instance types"):
        install_instance_types(gateway_for(opennebula.admin_session))


@pytest.fixture
def entry_point(cimi, instance_types):
    result = cimi.get("/cimi/cloudEntryPoint")
    assert result.status == 200
    return result.document


class Backend:
    """OpenNebula as oneadmin sees it, straight through the gateway."""

    def __init__(self, opennebula):
        self.opennebula = opennebula
        self.session = opennebula.admin_session
        self.demo_name = opennebula.demo_session.partition(":")[0]

    @property
    def gateway(self):
        return gateway_for(self.session)

    def objects(self):
        """Ids of everything a CIMI request of this worker could create: live VMs, images,
        VM templates and machine configuration documents of its users (requests act as their
        caller, so whatever they create is the caller's; on the real lane other workers'
        objects come and go meanwhile)."""
        one = self.gateway
        return {
            "vms": self.owned_ids(one.vm_page().items),
            "images": self.owned_ids(one.image_page().items),
            "templates": self.owned_ids(one.template_page().items),
            "configurations": self.owned_ids(one.document_page(MACHINE_CONFIGURATION).items),
        }

    def settled(self, expected):
        """The objects once they are `expected`, or when the wait (a hang guard) ends: what a
        request undid may linger a moment (a terminated VM takes a few driver steps to reach
        DONE, oned removes a deleted image in the background)."""
        deadline = time.monotonic() + STATE_WAIT_SECONDS
        while (current := self.objects()) != expected and time.monotonic() < deadline:
            time.sleep(0.05)
        return current

    def owned_ids(self, items):
        """Ids of the items this worker's users own."""
        return {item.id for item in self.owned(items)}

    def owned(self, items):
        return [item for item in items if self.opennebula.owns(item.owner.uname)]


@pytest.fixture
def backend(app, opennebula):
    return Backend(opennebula)


@pytest.fixture
def unchanged_backend(backend, opennebula):
    """Asserts at the end of the test that OpenNebula holds exactly what it held before, once
    what the request undid is gone: a terminated VM takes a few driver steps to reach DONE."""
    before = backend.objects()
    yield backend
    opennebula.clear_faults()
    assert backend.settled(before) == before


@pytest.fixture
def collection_href(entry_point):
    def href(key):
        return entry_point[key]["href"]
    return href


@pytest.fixture
def image_href(cimi, collection_href):
    """The href of the ttylinux image, found by name through the collection."""
    result = cimi.get(collection_href("machineImages"), params={"$filter": "name='ttylinux'"})
    assert result.status == 200
    (image,) = result.document["machineImages"]
    return image["id"]


@pytest.fixture
def configuration_href(cimi, collection_href):
    def href(name):
        result = cimi.get(collection_href("machineConfigs"), params={"$filter": f"name='{name}'"})
        assert result.status == 200
        (configuration,) = result.document["machineConfigurations"]
        return configuration["id"]
    return href


@pytest.fixture
def machine_create(image_href):
    """A MachineCreate body launching ttylinux; keyword arguments go into machineTemplate."""
    def body(name="test-machine", **template):
        return {"resourceURI": CIMI + "MachineCreate", "name": name,
                "machineTemplate": {"machineImage": {"href": image_href}, **template}}
    return body


@pytest.fixture
def launched(cimi, collection_href, machine_create, backend):
    """Launch machines through the API; every one is terminated at the end of the test."""
    created = []

    def launch(body=None):
        result = cimi.post(collection_href("machines"), body or machine_create())
        assert result.status == 201, result.document
        created.append(int(result.document["id"].rsplit("/", 1)[1]))
        return result

    yield launch
    terminate_all(backend.gateway, created)


@pytest.fixture
def wait_for_state(cimi):
    """Poll a machine until it reaches `state`; the bound is a hang guard, not a timing check."""
    def wait(href, state):
        deadline = time.monotonic() + STATE_WAIT_SECONDS
        while True:
            result = cimi.get(href)
            current = result.document.get("state") if result.status == 200 else result.status
            if current == state:
                return result.document
            assert time.monotonic() < deadline, f"{href} stayed {current}, never {state}"
            time.sleep(0.05)
    return wait


@pytest.fixture
def wait_for_job(cimi):
    """Poll a Job until it has finished; the bound is a hang guard, not a timing check."""
    def wait(href):
        deadline = time.monotonic() + STATE_WAIT_SECONDS
        while True:
            result = cimi.get(href)
            assert result.status == 200, result.document
            if result.document["state"] in ("SUCCESS", "FAILED"):
                return result.document
            assert result.document["state"] in ("QUEUED", "RUNNING")
            assert time.monotonic() < deadline, f"{href} never finished"
            time.sleep(0.05)
    return wait


@pytest.fixture
def started(launched, wait_for_state):
    """Launch a machine from ttylinux and wait until STARTED: its href."""
    def launch():
        href = launched().document["id"]
        wait_for_state(href, "STARTED")
        return href
    return launch


@pytest.fixture
def started_machine(started):
    """The href of a machine launched from ttylinux and STARTED."""
    return started()


@pytest.fixture
def calls(monkeypatch):
    """Every XML-RPC call the application makes, as (method, arguments)."""
    made = []
    original = Gateway.call

    def recording(self, method, *args):
        made.append((method, args))
        return original(self, method, *args)

    monkeypatch.setattr(Gateway, "call", recording)
    return made
