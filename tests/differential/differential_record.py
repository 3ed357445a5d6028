"""What a scenario observes on one backend, reduced to what must be equal on both.

A `Session` drives one backend at the XML-RPC level as one user. A `Recorder` keeps, in
order, one observation per step of a scenario:
- ("result", step): a call's envelope, normalized (`normalized_envelope`);
- ("shape", step): a document's element paths in document order (`element_paths`);
- ("states", walk): the distinct (STATE, LCM_STATE) names seen while polling a walk.
Values that legitimately differ between two clouds (ids, times, names made unique per run)
are normalized away here, so the comparison can demand equality of everything else.
"""
import itertools
import re
import time
import xmlrpc.client

from lxml import etree

from onesim.vm.states import LcmState, VmState

# Calls whose integer answer is a snapshot or disk id, which may equal the VM's id by chance:
# compared as is. Any other answer equal to the call's object id reads "<target>".
VALUE_RESULTS = frozenset({"vm.snapshotcreate", "vm.disksnapshotcreate", "vm.diskresize"})
# Calls answering the id of an object they create.
NEW_ID_RESULTS = ("allocate", "clone", "instantiate", "disksaveas")
POLL_SECONDS = 0.05


class ScenarioBroken(Exception):
    """A call a scenario depends on failed: the rest of the scenario cannot run."""


class RunNames:
    """Names unique to one run (`dfx1a2b3c-...`), recognised and masked in messages."""

    def __init__(self, tag):
        self.tag = tag
        self.counter = itertools.count()
        self.pattern = re.compile(re.escape(tag) + r"[\w.-]*")

    def new(self, label):
        return f"{self.tag}-{label}-{next(self.counter)}"

    def mask(self, text):
        return self.pattern.sub("<name>", text)


def normalized_message(names, message):
    return re.sub(r"\d+", "N", names.mask(message))


class Recorder:
    def __init__(self, names):
        self.names = names
        self.observations = {}
        self.documents = {}
        self.aborted = None

    def record(self, kind, step, value):
        key = (kind, step)
        if key in self.observations:
            raise AssertionError(f"step {step!r} recorded twice")
        self.observations[key] = value


class Session:
    """One user's XML-RPC calls on one backend, recorded as `step`s of a scenario."""

    def __init__(self, endpoint, credentials, recorder):
        self.proxy = xmlrpc.client.ServerProxy(endpoint, allow_none=False)
        self.credentials = credentials
        self.recorder = recorder

    def raw(self, method, *args):
        return getattr(self.proxy, f"one.{method}")(self.credentials, *args)

    def call(self, step, method, *args):
        """The call's envelope, recorded; the value for a success, None for a failure."""
        envelope = self.raw(method, *args)
        self.recorder.record("result", step, normalized_envelope(self.recorder.names, method, args, envelope))
        if envelope[0] and isinstance(envelope[1], str) and envelope[1].startswith("<"):
            self.document(step, envelope[1])
        return envelope[1] if envelope[0] else None

    def document(self, step, document):
        """Record the shape of a document read elsewhere (a poll's answer)."""
        self.recorder.documents[step] = document
        self.recorder.record("shape", step, element_paths(document))

    def ok(self, step, method, *args):
        """Like `call`, but a failure ends the scenario (what follows depends on it)."""
        envelope_value = self.call(step, method, *args)
        if envelope_value is None:
            raise ScenarioBroken(f"{step}: one.{method} failed")
        return envelope_value

    def shape(self, step, method, *args, prune):
        """Record the element paths of a document after `prune(root)` removed what is not ours."""
        envelope = self.raw(method, *args)
        if not envelope[0]:
            self.recorder.record("result", step, normalized_envelope(self.recorder.names, method, args, envelope))
            raise ScenarioBroken(f"{step}: one.{method} failed")
        root = etree.fromstring(envelope[1].encode())
        prune(root)
        self.recorder.documents[step] = etree.tostring(root, encoding="unicode")
        self.recorder.record("shape", step, paths_of(root))
        return root

    def value(self, step, text):
        """Record a value both backends must agree on (run-unique names masked)."""
        self.recorder.record("value", step, None if text is None else normalized_message(self.recorder.names, text))


def only_ids(ids):
    """A pruner keeping the pool entries whose ID is one of `ids`."""
    wanted = {str(object_id) for object_id in ids}

    def prune(root):
        for child in list(root):
            if child.findtext("ID") not in wanted:
                root.remove(child)
    return prune


def network_seen_by(vm_ids):
    """A pruner removing the leases and VM id lists of a shared network but for `vm_ids`.

    Other tests' VMs use network 0 too; their leases and ids are not ours to compare. Nor is
    an ALLOCATED map left without our leases: oned writes it into a range from the first
    lease ever taken from it on, so whether it is there says only whether anything leased an
    address of that oned before (onesim starts afresh for every run).
    """
    ours = {str(vm_id) for vm_id in vm_ids}

    def prune(root):
        others = [lease for lease in root.iter("LEASE") if lease.findtext("VM") not in ours]
        for listing in ("UPDATED_VMS", "OUTDATED_VMS", "UPDATING_VMS", "ERROR_VMS"):
            others += [vm for parent in root.iter(listing) for vm in parent if vm.text not in ours]
        for element in others:
            element.getparent().remove(element)
        for allocated in list(root.iter("ALLOCATED")):
            allocated.text = _allocated_to(allocated.text or "", ours)
            if not allocated.text:
                allocated.getparent().remove(allocated)
    return prune


# An AR's ALLOCATED map (a pool's short AR) is " <index> <owner>" per lease, the owner being
# the object type bit of a VM (PoolObjectSQL::VM) | the VM's id.
VM_OWNER_BIT = 0x1000000000


def _allocated_to(text, vm_ids):
    """The ALLOCATED map with only the leases of `vm_ids` (strings)."""
    numbers = text.split()
    return "".join(f" {index} {owner}" for index, owner in zip(numbers[::2], numbers[1::2])
                   if str(int(owner) & (VM_OWNER_BIT - 1)) in vm_ids)


def normalized_envelope(names, method, args, envelope):
    """What must be equal: success, the kind of value, error code and message (ids masked)."""
    target = next((arg for arg in args if isinstance(arg, int) and not isinstance(arg, bool)), None)
    if not envelope[0]:
        object_id = envelope[3] if len(envelope) > 3 else None
        return ("failure", hex(envelope[2]) if len(envelope) > 2 else None,
                normalized_message(names, envelope[1]),
                "<target>" if target is not None and object_id == target and target >= 0 else object_id,
                len(envelope))
    value = envelope[1]
    if isinstance(value, str) and value.startswith("<"):
        value = "<document>"
    elif isinstance(value, bool) or not isinstance(value, int) or method in VALUE_RESULTS:
        value = names.mask(value) if isinstance(value, str) else value
    elif method.endswith(NEW_ID_RESULTS):
        value = "<new id>"
    elif value == target:
        value = "<target>"
    return ("success", value, len(envelope))


def element_paths(document):
    return paths_of(etree.fromstring(document.encode()))


def paths_of(root):
    """Every element's path in document order; an empty leaf is marked, its value is not kept."""
    paths = []

    def walk(node, prefix):
        if not isinstance(node.tag, str):
            return
        path = f"{prefix}/{node.tag}"
        children = [child for child in node if isinstance(child.tag, str)]
        empty = not children and not (node.text or "").strip()
        paths.append(path + (" (empty)" if empty else ""))
        for child in children:
            walk(child, path)
    walk(root, "")
    return paths


IMAGE_STATES = ("INIT", "READY", "USED", "DISABLED", "LOCKED", "ERROR", "CLONE", "DELETE", "USED_PERS",
                "LOCKED_USED", "LOCKED_USED_PERS")


def vm_state(session, vm_id):
    """The VM's state name, its LCM state's name while ACTIVE (as `onevm list` shows it)."""
    return vm_state_of(vm_document(session, vm_id))


def vm_document(session, vm_id):
    return session.raw("vm.info", vm_id)[1]


def vm_state_of(document):
    root = etree.fromstring(document.encode())
    state = VmState(int(root.findtext("STATE")))
    return LcmState(int(root.findtext("LCM_STATE"))).name if state == VmState.ACTIVE else state.name


def image_state(session, image_id):
    """The image's state name, or "gone" once oned no longer finds it."""
    return image_state_of(image_document(session, image_id))


def image_document(session, image_id):
    envelope = session.raw("image.info", image_id)
    return envelope[1] if envelope[0] else None


def image_state_of(document):
    if document is None:
        return "gone"
    return IMAGE_STATES[int(etree.fromstring(document.encode()).findtext("STATE"))]


def walk(session, name, probe, until, timeout=90.0, state_of=None, on_new_state=None):
    """Poll `probe()` until `until(state)`; record the distinct states seen, in order.

    With `state_of`, `probe()` answers a document, `state_of(document)` its state, and
    `on_new_state(state, document)` gets the very document in which a new state was seen.
    """
    seen = []
    deadline = time.monotonic() + timeout
    while True:
        answer = probe()
        state = answer if state_of is None else state_of(answer)
        if not seen or seen[-1] != state:
            seen.append(state)
            if on_new_state is not None:
                on_new_state(state, answer)
        if until(state):
            break
        if time.monotonic() > deadline:
            seen.append("timeout")
            break
        time.sleep(POLL_SECONDS)
    session.recorder.record("states", name, seen)
    if seen[-1] == "timeout":
        raise ScenarioBroken(f"{name}: stuck in {seen[-2]}")
    return state
