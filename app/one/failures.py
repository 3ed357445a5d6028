"""Translation of every OpenNebula failure into a domain error, in one table each.

oned answers a failed call with `[False, message, code, resp_id, replication_index]`; the
code picks the domain error (`include/Request.h` ErrorCode). A few codes cover failures of
different kinds, told apart by the message. Transport failures (refused connection,
timeout, HTTP status, XML-RPC fault) have their own table.

Messages keep oned's wording, which names the object and the reason, without the
`[one.vm.info] ` method prefix and never with the caller's session: oned does not echo it,
but a message is scrubbed of it anyway.
"""
import http.client
import logging
import re
import xmlrpc.client


from app.errors import (
    BackendError, BackendTimeout, BackendUnavailable, BadRequest, CapacityExhausted, Conflict,
    Forbidden, NotFound, Unauthenticated,
)

log = logging.getLogger(__name__)

AUTHENTICATION = 0x0100
AUTHORIZATION = 0x0200
NO_EXISTS = 0x0400
ACTION = 0x0800
RPC_API = 0x1000
INTERNAL = 0x2000
ALLOCATE = 0x4000
LOCKED = 0x8000
REPLICATION = 0x10000

_INVALID_NAME = "Invalid NAME"
# ImageDelete::request_execute: the image's copy into its datastore still runs (LOCKED).
IMAGE_LOCKED = "Image locked"
# VirtualNetworkPool::nic_attribute, when no address range of the network has a free lease
# (or the address a NIC names is taken): one.vm.allocate answers it as INTERNAL,
# one.template.instantiate as ALLOCATE ("Error allocating a new virtual machine template.
# Cannot get ..."), one.vm.attachnic as ACTION.
_NO_LEASE = "Cannot get IP/MAC lease"


def _no_free_address(text):
    """A full network is 409, not 503: it is the state of a resource the request names, which
    the caller can change (free an address, pick another network), and retrying the same
    request will not help until then; a 503 would say this server is unwell and invite
    blind retries. Nor is it the caller's mistake (400)."""
    return CapacityExhausted("Capacity exhausted: the network has no free address to lease "
                             f"(OpenNebula: {text})")


# code -> ((text in the message or None for any, domain error or a function of the message
# giving one), ...), first match wins.
ERRORS_BY_CODE = {
    AUTHENTICATION: ((None, Unauthenticated),),
    # Also quota exceeded and restricted attributes: the caller may not do it.
    AUTHORIZATION: ((None, Forbidden),),
    NO_EXISTS: ((None, NotFound),),
    # Wrong state for the operation, or not enough room in a datastore; a rename to a name
    # oned refuses is about what the caller asked for.
    ACTION: ((_NO_LEASE, _no_free_address), (_INVALID_NAME, BadRequest), (None, Conflict)),
    RPC_API: ((None, BadRequest),),
    # Template parse errors come back as INTERNAL ("Parse error: ..."), and so do refused
    # names and values oned cannot write into its XML (`app.one.storable` keeps them away),
    # and refusals that depend on the state of an object (src/rm/RequestManagerVirtualMachine.cc,
    # RequestManagerDelete.cc, ImageManagerActions.cc in OpenNebula 7.0.2): a persistent
    # image already in use, an image still being copied, a disk saved in the wrong VM state.
    INTERNAL: ((_NO_LEASE, _no_free_address), ("Parse error", BadRequest),
               (_INVALID_NAME, BadRequest), ("NAME is too long", BadRequest), ("Error transforming", BadRequest),
               ("already in use", Conflict), (IMAGE_LOCKED, Conflict),
               ("to save disks", Conflict), ("Object is being renamed", Conflict),
               ("cannot be in state", Conflict),
               (None, BackendError)),
    # A name clash is a conflict with an existing object; everything else ALLOCATE reports
    # (missing SIZE, wrong datastore type, persistent-only datastore, bad attribute values)
    # is about what the caller asked for.
    ALLOCATE: ((_NO_LEASE, _no_free_address), ("already taken", Conflict),
               ("already exists", Conflict), ("already in use", Conflict), ("Cannot clone image in state", Conflict),
               (None, BadRequest)),
    LOCKED: ((None, Conflict),),
    REPLICATION: ((None, BackendUnavailable),),
}

UNKNOWN_CODE_ERROR = BackendError

_METHOD_PREFIX = re.compile(r"^\[one\.[\w.]+\]\s*")
# oned opens an authorization refusal with the caller's internal user id, and quota refusals
# name the user's and group's ids (src/rm/Request.cc, src/um/Quotas.cc): not for the caller.
_CALLER_PREFIX = re.compile(r"^User \[\d+\]\s*:?\s*")
_CALLER_IDS = ((re.compile(r"\bUser \[\d+\]"), "your user"),
               (re.compile(r"\bGroup \[\d+\]"), "your group"))
# "Not authorized to perform MANAGE IMAGE [12]": the refused operation and object.
_OBJECT_REFUSAL = re.compile(r"Not authorized to perform (\w+) (\w+) \[(\d+)\]")
# oned's object name (src/rm/Request.cc object_name) -> (its XML-RPC prefix, the name its
# "Error getting <name> [<id>]." says when the object does not exist).
OBJECTS = {
    "VM": ("vm", "virtual machine"),
    "IMAGE": ("image", "image"),
    "TEMPLATE": ("template", "virtual machine template"),
    "NET": ("vn", "virtual network"),
    "DOCUMENT": ("document", "document"),
    "USER": ("user", "user"),
    "GROUP": ("group", "group"),
    "DATASTORE": ("datastore", "datastore"),
    "HOST": ("host", "host"),
}
# A standing refusal, said to a CIMI client: OpenNebula's permission (USE, MANAGE, ADMIN)
# as what it lets the caller do, its object kinds as the resources a client knows.
PERMISSIONS = {"USE": "use", "MANAGE": "change or delete", "ADMIN": "administer"}
OBJECT_NOUNS = {"VM": "machine", "IMAGE": "image (a machine image or volume)",
                "TEMPLATE": "machine template", "NET": "network",
                "DOCUMENT": "resource (a configuration, template, credential or Job)"}
# oned's one message for credentials it does not accept, whatever is wrong with them.
NOT_AUTHENTICATED = ("The user name or password is not accepted by this cloud's OpenNebula "
                     "(a wrong password, an unknown or disabled user).")


def failure_error(code, message, session=""):
    """The domain error for a failed oned envelope."""
    text = clean_message(message, session)
    if code == AUTHORIZATION:
        text = _without_caller_ids(text)
    elif code == AUTHENTICATION:
        text = NOT_AUTHENTICATED
    rows = ERRORS_BY_CODE.get(code, ((None, UNKNOWN_CODE_ERROR),))
    error = next(error for needle, error in rows if needle is None or needle in text)
    return error(text or f"OpenNebula refused the request (error {code:#x}).")


def clean_message(message, session=""):
    text = _METHOD_PREFIX.sub("", str(message)).strip()
    if session:
        text = text.replace(session, "***")
        secret = session.partition(":")[2]
        if secret:
            text = text.replace(secret, "***")
    return text


def _without_caller_ids(text):
    text = _CALLER_PREFIX.sub("", text)
    for pattern, replacement in _CALLER_IDS:
        text = pattern.sub(replacement, text)
    return text[:1].upper() + text[1:]


class RefusedObject:
    """The object an authorization refusal names: its XML-RPC prefix, id and whether the
    refused operation was USE, the right to see it at all."""

    def __init__(self, operation, kind, prefix, object_name, object_id):
        self.use = operation == "USE"
        self.prefix = prefix
        self.object_id = object_id
        self.absent = NotFound(f"Error getting {object_name} [{object_id}].")
        self.standing = Forbidden(
            f"You are not allowed to {PERMISSIONS.get(operation, operation.lower())} "
            f"{OBJECT_NOUNS.get(kind, object_name)} {object_id}: its owner has not given you "
            f"that right (OpenNebula's {operation} permission).")


def refused_object(error):
    """The RefusedObject a Forbidden error names, or None (quotas, creation rights, ...)."""
    match = _OBJECT_REFUSAL.search(error.message)
    if match is None or match.group(2) not in OBJECTS:
        return None
    prefix, object_name = OBJECTS[match.group(2)]
    return RefusedObject(match.group(1), match.group(2), prefix, object_name,
                         int(match.group(3)))


# (exception class, domain error, message), first match wins: a timeout (connecting or
# reading) before the other socket errors (refused, reset, closed without an answer, name
# not resolved), since it is one of them.
ERRORS_BY_EXCEPTION = (
    (TimeoutError, BackendTimeout,
     "OpenNebula did not answer in time; the operation may still complete."),
    (OSError, BackendUnavailable, "OpenNebula cannot be reached."),
    (xmlrpc.client.ProtocolError, BackendError, "OpenNebula answered with an HTTP error."),
    (xmlrpc.client.Fault, BackendError, "OpenNebula rejected the call."),
    (xmlrpc.client.ResponseError, BackendError, "OpenNebula sent an unreadable answer."),
    (http.client.HTTPException, BackendError, "The request to OpenNebula failed."),
)

TRANSPORT_EXCEPTIONS = tuple(row[0] for row in ERRORS_BY_EXCEPTION)


def exception_error(method, exc):
    """The domain error for a failed exchange with oned; details go to the log only."""
    error, message = next((error, message) for exception_class, error, message
                          in ERRORS_BY_EXCEPTION if isinstance(exc, exception_class))
    # A fault means we sent a wrong method name or argument type: a bug on our side.
    level = logging.ERROR if isinstance(exc, xmlrpc.client.Fault) else logging.WARNING
    log.log(level, "one.%s failed: %s: %s", method, type(exc).__name__, _describe(exc))
    return error(message)


def _describe(exc):
    if isinstance(exc, xmlrpc.client.Fault):
        return f"fault {exc.faultCode}: {exc.faultString}"
    if isinstance(exc, xmlrpc.client.ProtocolError):
        return f"HTTP {exc.errcode} {exc.errmsg}"
    return str(exc)
