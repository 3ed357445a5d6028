"""The Gateway class: OpenNebula calls as the caller's own user, records in, records out.

Every method is one XML-RPC call (`app.one.transport` marshals and carries it;
removing attributes in an update reads the template first; a marking gateway marks a cloned
or saved image with a second call), returns records or plain ids, and raises the domain
errors of `app.errors`. Templates are always passed as dicts and built by
`app.one.templates`.
"""
import time
from dataclasses import dataclass

from app.errors import (
    BackendTimeout, BadRequest, Conflict, DomainError, Forbidden, NotFound, Unauthenticated,
)
from app.metrics import observe_call
from app.one import parse
from app.one.counts import exact_count
from app.one.failures import (
    IMAGE_LOCKED, TRANSPORT_EXCEPTIONS, exception_error, failure_error, refused_object,
)
from app.one.records import Page, Permissions
from app.one.storable import uncarriable_character
from app.one.templates import build_template
from app.one.transport import OneCaller

# Pool filter flags (`include/PoolSQL.h`).
POOL_ALL = -2          # everything the user may see
POOL_MINE = -3         # owned by the user

# VM pool state filter (`VirtualMachinePoolAPI::info`).
VM_ANY_STATE = -2      # including DONE
VM_NOT_DONE = -1

# `end < -1` makes oned page (`LIMIT start, -end`), but -1 means "to the end", so a page of
# one is fetched as a page of two and cut. A whole pool from an offset uses this page size.
_ALL_FROM_OFFSET = 2**31 - 1
# XML-RPC's <int> is 32 bits: xmlrpc.client cannot send anything beyond.
XMLRPC_INT_MIN, XMLRPC_INT_MAX = -2**31, 2**31 - 1

_PERMISSION_FIELDS = tuple(Permissions.__dataclass_fields__)


@dataclass
class Marking:
    """Attributes a gateway writes into what it creates, and whether it has sent a call that
    may change OpenNebula (anything but `*.info*`) since."""
    marks: dict
    changing_call_sent: bool = False


class Gateway:
    """OpenNebula as one user sees it; build one per request with `app.one.gateway_for`."""

    def __init__(self, transport, session, counts, budget, marking=None):
        """`budget` is the request's `app.one.budget.RequestBudget`: its deadline and slot."""
        self._caller = OneCaller(transport.timed(budget.timeouts), session)
        self._session = session
        self._counts = counts
        self._budget = budget
        # What to write into every object this gateway creates (`app.one.allocations_marked`).
        self._marking = marking
        self._marks = marking.marks if marking is not None else {}

    def call(self, method, *args):
        """One raw call, e.g. call("vm.info", 5): the success value or a domain error."""
        _check_carriable(self._session, args)
        self._budget.admit()
        if self._marking is not None and not _reads_only(method):
            self._marking.changing_call_sent = True
        envelope = self._envelope(method, args)
        if envelope[0]:
            return envelope[1]
        error = failure_error(envelope[2], envelope[1], self._session)
        if isinstance(error, Forbidden):
            error = self._unless_hidden(error)
        raise error

    def _envelope(self, method, args):
        """oned's answer envelope, or the domain error of a failed exchange (past the
        request's deadline: the deadline's); counted in the metrics by outcome either way."""
        started = time.monotonic()
        try:
            envelope = self._caller.envelope(method, args)
        except TRANSPORT_EXCEPTIONS as exc:
            error = exception_error(method, exc)
            if isinstance(error, BackendTimeout) and self._budget.cut_short():
                error = self._budget.expired()
            observe_call(method, type(error).__name__, time.monotonic() - started)
            raise error from None
        outcome = "ok" if envelope[0] else type(failure_error(envelope[2], envelope[1])).__name__
        observe_call(method, outcome, time.monotonic() - started)
        return envelope

    def _unless_hidden(self, refusal):
        """A refusal about an object the caller may not even see (USE) is the NotFound of a
        missing one, so ids cannot be probed; for any other operation one info call tells
        whether the object is visible (then the refusal stands, e.g. another user's public
        image cannot be deleted)."""
        refused = refused_object(refusal)
        if refused is None:
            return refusal
        if refused.use or not self._envelope(f"{refused.prefix}.info", (refused.object_id,))[0]:
            return refused.absent
        return refused.standing

    # --- users and infrastructure -------------------------------------------------------

    def whoami(self):
        """The calling user; raises Unauthenticated for bad credentials."""
        return parse.one(self.call("user.info", -1), parse.user)

    def user(self, user_id):
        return parse.one(self.call("user.info", user_id), parse.user)

    def user_update(self, user_id, attributes, merge=True):
        """Write the user's TEMPLATE (e.g. its SSH_PUBLIC_KEY); a user may update its own.

        A removal writes the template back whole, read decrypted: oned encrypts attributes
        such as SSH_PRIVATE_KEY when they are written, so they go back in clear and are
        stored encrypted once."""
        self._update("user", user_id, attributes, merge, lambda: self._decrypted_user(user_id))

    def _decrypted_user(self, user_id):
        return parse.one(self.call("user.info", user_id, True), parse.user).template

    def datastores(self):
        return parse.pool(self.call("datastorepool.info"), parse.datastore)

    def hosts(self):
        return parse.pool(self.call("hostpool.info"), parse.host)

    # --- VMs ----------------------------------------------------------------------------

    def vm_page(self, offset=0, size=None, state=VM_NOT_DONE, mine=False, extended=False):
        """A window of the VM pool, in oned's order.

        oned sorts pools by id, descending with the shipped oned.conf (API_LIST_ORDER);
        windows are positions in that order, so consecutive pages never overlap.
        `state` is VM_NOT_DONE, VM_ANY_STATE or one STATE number. Short bodies (the default)
        carry no USER_TEMPLATE, hence no CIMI metadata, and no permissions; ask for
        `extended` when those are needed.
        """
        method = "vmpool.infoextended" if extended else "vmpool.info"
        return self._page(method, parse.vm, offset, size, _pool_filter(mine), state)

    def vm_count(self, state=VM_NOT_DONE, mine=False, at_least=0, guess=None):
        """How many VMs `vm_page` lists in all (at least `at_least`), searched with windows of
        two short bodies from the size last found, else from `guess`, and remembered for a
        few seconds (`app.one.counts`)."""
        pool_filter = _pool_filter(mine)

        def vms_at(position):
            return pool_size(self.call("vmpool.info", pool_filter, position, -2, state), "VM")

        def searched(remembered):
            return exact_count(vms_at, at_least, remembered if remembered is not None else guess)
        return self._counts.count(self._session, ("vm", pool_filter, state), searched, at_least)

    def vm(self, vm_id):
        return parse.one(self.call("vm.info", vm_id), parse.vm)

    def vms_by_ids(self, vm_ids, extended=True):
        """The listed VMs that exist and are visible, in oned's order, in one call."""
        if not vm_ids:
            return ()
        ids = ",".join(str(int(vm_id)) for vm_id in vm_ids)
        return parse.pool(self.call("vmpool.infoset", ids, extended), parse.vm)

    def vm_allocate(self, attributes, hold=False):
        """A new VM from a full template dict; its id."""
        vm_id = self.call("vm.allocate", build_template(self._marked(attributes)), hold)
        self._counts.forget(self._session)
        return vm_id

    def vm_action(self, action, vm_id):
        """One `one.vm.action` (terminate, poweroff, resume, ...); asynchronous in oned."""
        self.call("vm.action", action, vm_id)
        self._counts.forget(self._session)

    def vm_update(self, vm_id, attributes, merge=True):
        """Write USER_TEMPLATE attributes: merged into it, or replacing it whole.

        In every `*_update`, a value of None or "" removes the attribute (see `_update`).
        """
        self._update("vm", vm_id, attributes, merge, lambda: self.vm(vm_id).user_template)

    def vm_rename(self, vm_id, name):
        self.call("vm.rename", vm_id, name)

    def vm_resize(self, vm_id, cpu=None, vcpu=None, memory_mb=None):
        """Change capacity; None keeps a value. oned enforces quotas for non-admins."""
        capacity = {key: value for key, value in
                    (("CPU", cpu), ("VCPU", vcpu), ("MEMORY", memory_mb)) if value is not None}
        self.call("vm.resize", vm_id, build_template(capacity), True)

    def vm_attach_disk(self, vm_id, disk):
        """Hot-plug one DISK vector (e.g. {"IMAGE_ID": 3}); read its DISK_ID from vm()."""
        self.call("vm.attach", vm_id, build_template({"DISK": disk}))

    def vm_detach_disk(self, vm_id, disk_id):
        self.call("vm.detach", vm_id, disk_id)

    def vm_disk_saveas(self, vm_id, disk_id, image_name, image_type="", snapshot_id=-1):
        """Save a disk as a new image (type "" keeps the source's); the new image's id."""
        image_id = self.call("vm.disksaveas", vm_id, disk_id, image_name, image_type,
                             snapshot_id)
        self._mark_image(image_id)
        return image_id

    def vm_snapshot_create(self, vm_id, name=""):
        """A system snapshot of a running VM; its snapshot id."""
        return self.call("vm.snapshotcreate", vm_id, name)

    def vm_snapshot_revert(self, vm_id, snapshot_id):
        # oned 7.0.2 answers -1 here and to snapshotdelete, not the VM's id as other VM calls
        # do: these methods hand nothing on.
        self.call("vm.snapshotrevert", vm_id, snapshot_id)

    def vm_snapshot_delete(self, vm_id, snapshot_id):
        self.call("vm.snapshotdelete", vm_id, snapshot_id)

    def vm_disk_snapshot_create(self, vm_id, disk_id, name):
        """A snapshot of one disk; its snapshot id (numbered per disk)."""
        return self.call("vm.disksnapshotcreate", vm_id, disk_id, name)

    def vm_disk_snapshot_revert(self, vm_id, disk_id, snapshot_id):
        self.call("vm.disksnapshotrevert", vm_id, disk_id, snapshot_id)

    def vm_disk_snapshot_delete(self, vm_id, disk_id, snapshot_id):
        self.call("vm.disksnapshotdelete", vm_id, disk_id, snapshot_id)

    # --- VM templates -------------------------------------------------------------------

    def template_page(self, offset=0, size=None, mine=False):
        return self._page("templatepool.info", parse.vm_template, offset, size,
                          _pool_filter(mine))

    def template(self, template_id, extended=False):
        return parse.one(self.call("template.info", template_id, extended), parse.vm_template)

    def template_allocate(self, attributes):
        return self.call("template.allocate", build_template(self._marked(attributes)))

    def template_update(self, template_id, attributes, merge=True):
        self._update("template", template_id, attributes, merge,
                     lambda: self.template(template_id).template)

    def template_delete(self, template_id, with_images=False):
        self.call("template.delete", template_id, with_images)

    def template_instantiate(self, template_id, name="", hold=False, extra=None,
                             persistent=False):
        """A new VM from a template, `extra` merged over it; the new VM's id.

        All five arguments are always sent: oned 7.0 reads `hold` and `extra` together.
        """
        extra = self._marked(extra or {})
        extra_template = build_template(extra) if extra else ""
        vm_id = self.call("template.instantiate", template_id, name, hold, extra_template,
                          persistent)
        self._counts.forget(self._session)
        return vm_id

    def template_rename(self, template_id, name):
        self.call("template.rename", template_id, name)

    # --- images -------------------------------------------------------------------------

    def image_page(self, offset=0, size=None, mine=False, users=True):
        """`users`: read each image's `vm_ids` too (all the VMs using it, which can be many)."""
        return self._page("imagepool.info", parse.image if users else parse.image_alone,
                          offset, size, _pool_filter(mine))

    def image(self, image_id, users=True):
        return parse.one(self.call("image.info", image_id),
                         parse.image if users else parse.image_alone)

    def image_allocate(self, attributes, datastore_id):
        return self.call("image.allocate", build_template(self._marked(attributes)),
                         datastore_id)

    def image_update(self, image_id, attributes, merge=True):
        self._update("image", image_id, attributes, merge, lambda: self.image(image_id).template)

    def image_delete(self, image_id):
        """oned refuses to delete an image whose copy still runs before it looks at who asks
        (ImageDelete::request_execute), which would tell someone who may never delete it to
        wait. A chmod that changes no bit needs exactly the MANAGE right a delete needs
        (RequestManagerChmod::chmod): its refusal, when it is refused, is the answer. oned's
        own words for the owner name a --force flag this API does not have."""
        try:
            self.call("image.delete", image_id)
        except Conflict as refusal:
            if IMAGE_LOCKED not in refusal.message:
                raise
            self._chmod("image", image_id, {})
            raise Conflict(f"Image {image_id} is still being written to its datastore: it can "
                           "be deleted once it is ready.") from None

    def image_rename(self, image_id, name):
        self.call("image.rename", image_id, name)

    def image_chmod(self, image_id, **bits):
        self._chmod("image", image_id, bits)

    def image_persistent(self, image_id, persistent):
        self.call("image.persistent", image_id, bool(persistent))

    def image_clone(self, image_id, name, datastore_id=-1):
        """A copy of the image; the new image's id (LOCKED until the copy is done)."""
        clone_id = self.call("image.clone", image_id, name, datastore_id)
        self._mark_image(clone_id)
        return clone_id

    # --- documents (CIMI resources with no OpenNebula twin) -----------------------------

    def document_page(self, document_type, offset=0, size=None, mine=False):
        return self._page("documentpool.info", parse.one_document, offset, size,
                          _pool_filter(mine), document_type)

    def document(self, document_id, document_type=None):
        """A document; NotFound also when it exists with another type than the one asked."""
        found = parse.one(self.call("document.info", document_id), parse.one_document)
        if document_type is not None and found.type != document_type:
            raise NotFound(f"Error getting document [{document_id}].")
        return found

    def document_allocate(self, document_type, attributes):
        return self.call("document.allocate", build_template(self._marked(attributes)),
                         document_type)

    def document_update(self, document_id, attributes, merge=True):
        self._update("document", document_id, attributes, merge,
                     lambda: self.document(document_id).template)

    def document_delete(self, document_id):
        self.call("document.delete", document_id)

    def document_rename(self, document_id, name):
        self.call("document.rename", document_id, name)

    def document_chmod(self, document_id, **bits):
        self._chmod("document", document_id, bits)

    # --- virtual networks ---------------------------------------------------------------

    def vnet_page(self, offset=0, size=None, mine=False):
        return self._page("vnpool.info", parse.vnet, offset, size, _pool_filter(mine))

    def vnet(self, vnet_id):
        return parse.one(self.call("vn.info", vnet_id), parse.vnet)

    # --- shared -------------------------------------------------------------------------

    def _marked(self, attributes):
        return {**attributes, **self._marks} if self._marks else attributes

    def _mark_image(self, image_id):
        """Mark an image that oned made without a template from us (a clone, a saved disk):
        one more call, and only while marking. Its failure fails nothing: the mark only helps
        a retry find the image when the answer was lost."""
        if not self._marks:
            return
        try:
            self.image_update(image_id, self._marks, merge=True)
        except DomainError:
            pass

    def _page(self, method, build, offset, size, pool_filter, *more):
        if size is not None and size < 1:
            return Page(items=(), total=None)
        start, end = _window(offset, size)
        fetched = parse.pool(self.call(method, pool_filter, start, end, *more), build)
        return Page(items=fetched[:size], total=_total(offset, end, fetched))

    def _update(self, kind, object_id, attributes, merge, current_template):
        """`one.<kind>.update`, where None or "" removes an attribute.

        oned drops empty attributes when it parses a template, so a merge cannot clear one:
        removals read the current template and write it back whole (not atomic: an update
        made by someone else in between is overwritten).
        """
        removed = {name for name, value in attributes.items() if value is None or value == ""}
        if merge and removed:
            attributes, merge = {**current_template(), **attributes}, False
        kept = {name: value for name, value in attributes.items() if name not in removed}
        self.call(f"{kind}.update", object_id, build_template(kept), int(merge))

    def _chmod(self, kind, object_id, bits):
        """Set the named permission bits (Permissions field names); the others are kept."""
        unknown = set(bits) - set(_PERMISSION_FIELDS)
        if unknown:
            raise TypeError(f"unknown permission bits: {sorted(unknown)}")
        values = [int(bool(bits[name])) if name in bits else -1 for name in _PERMISSION_FIELDS]
        self.call(f"{kind}.chmod", object_id, *values)


def pool_size(xml, element):
    """The number of objects in a pool document: the root's `element` children, from the
    parsed document. No text search can be trusted here: a template value (an image name a
    VM's DISK repeats, say) may hold `<VM><ID>1` itself."""
    return sum(1 for _ in parse.document(xml).iterchildren(element))


def _check_carriable(session, args):
    """oned's XML-RPC library refuses a whole call holding a character outside Unicode's
    Basic Multilingual Plane, with a fault: such credentials cannot be an OpenNebula user's,
    such an argument is the caller's to change."""
    if uncarriable_character(session):
        raise Unauthenticated("OpenNebula credentials cannot hold control characters or "
                              "characters outside Unicode's Basic Multilingual Plane.")
    for arg in args:
        found = uncarriable_character(arg) if isinstance(arg, str) else None
        if found:
            raise BadRequest(f"OpenNebula cannot receive U+{ord(found):04X}: control characters "
                             "and characters outside Unicode's Basic Multilingual Plane are "
                             "refused.")
        if isinstance(arg, int) and not isinstance(arg, bool) and not (
                XMLRPC_INT_MIN <= arg <= XMLRPC_INT_MAX):
            raise BadRequest(f"{arg} is out of the range OpenNebula's XML-RPC integers have "
                             f"({XMLRPC_INT_MIN} to {XMLRPC_INT_MAX}).")


def _reads_only(method):
    """Whether a call of `method` ("vm.info", "vmpool.infoset") only reads."""
    return method.rpartition(".")[2].startswith("info")


def _pool_filter(mine):
    return POOL_MINE if mine else POOL_ALL


def _window(offset, size):
    """oned's (start, end) arguments for a page at `offset` of `size` objects (None: all)."""
    if size is None:
        return (-1, -1) if offset == 0 else (offset, -_ALL_FROM_OFFSET)
    return offset, -max(size, 2)


def _total(offset, end, fetched):
    """The pool's size when the answer reaches its end, else None (oned does not count)."""
    reached_end = end == -1 or len(fetched) < -end
    if reached_end and (fetched or offset == 0):
        return offset + len(fetched)
    return None

