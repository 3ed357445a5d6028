"""What a POST with an Idempotency-Key did, kept in OpenNebula for its retries.

Records
=======
One OpenNebula document of type `documents.IDEMPOTENCY_RECORD` per attempt, owned by the
caller (oned's umask keeps it private), named after the key's digest, so a key is private to
the user who sent it and no process keeps anything in memory. A record holds the request's
fingerprint (method, path and body), its state and, once known, its outcome: the status, the
paths of the Location and CIMI-Job-URI it answered (under the base URI, so any host serving
the cloud can rebuild them) and an error's message.

    PENDING   the request is being carried out
    DONE      its outcome is recorded
    UNKNOWN   it ended without knowing whether OpenNebula acted (a timeout, an unreachable or
              failing oned, a server failure): a retry looks for what it may have created
    ABANDONED it left nothing behind and its time is over: a retry acts in its place

Who acts
========
oned has no unique document names, so every request first allocates its own record and then
lists the caller's records: of the records with the same name that are neither expired nor
abandoned, the one with the lowest id is the one that acts. oned allocates ids in order and
a record is listed as soon as its allocation returns, so two concurrent first requests agree:
the earlier acts, the later sees it PENDING and answers 409. A request that does not act
deletes its own record again.

Finding a lost outcome
======================
The acting request marks everything it creates in OpenNebula (`MARK`: the record's id, in the
VM's USER_TEMPLATE, the image's, template's or document's TEMPLATE). A retry that finds the
record UNKNOWN, or PENDING for longer than a request may take, looks for the Job or the
object of the collection it was posted to carrying that mark, and answers it as the outcome.
When nothing is found, the first attempt is left to finish (409) until that time is over,
then abandoned. A snapshot's or an attached volume's href cannot be found again this way:
only their Job is (the answer then has no Location).

Records expire `lifetimes.seconds` after their allocation; expired records are deleted by
later requests of the same user, a few at a time.
"""
import hashlib
import time
import uuid
from dataclasses import dataclass

from app.errors import BackendError, BackendTimeout, Conflict, DomainError, Unprocessable
from app.one import documents as types
from app.services import documents, jobs, links

PENDING = "PENDING"
DONE = "DONE"
UNKNOWN = "UNKNOWN"
ABANDONED = "ABANDONED"
MARK = "CIMI_IDEMPOTENCY"
NAME_PREFIX = "idempotency "
# Expired records deleted by one request at most: the lazy clean-up stays cheap.
EXPIRED_DELETED_PER_REQUEST = 10
# What a POST to each collection creates, by where OpenNebula keeps it.
_VM, _IMAGE, _TEMPLATE = "vm", "image", "template"
CREATED_KINDS = {
    links.MACHINES: _VM,
    links.MACHINE_TEMPLATES: _TEMPLATE,
    links.MACHINE_IMAGES: _IMAGE,
    links.VOLUMES: _IMAGE,
    links.VOLUME_IMAGES: _IMAGE,
    links.MACHINE_CONFIGURATIONS: types.MACHINE_CONFIGURATION,
    links.VOLUME_CONFIGURATIONS: types.VOLUME_CONFIGURATION,
    links.VOLUME_TEMPLATES: types.VOLUME_TEMPLATE,
    links.CREDENTIALS: types.CREDENTIAL,
}


@dataclass(frozen=True)
class Lifetimes:
    seconds: int           # how long a record is kept
    pending_seconds: int   # how long a request may be in progress


@dataclass(frozen=True)
class Outcome:
    status: int
    location: str = ""     # path under the base URI, or ""
    job: str = ""
    message: str = ""      # an error's message
    with_body: bool = False    # whether the answer carried the resource at `location`


@dataclass(frozen=True)
class Request:
    key: str
    fingerprint: str       # digest of method, path with query, and body
    path: str              # the request's path under the base URI


@dataclass(frozen=True)
class Claim:
    """The right to carry out the request under the record `record_id`."""
    record_id: int

    @property
    def marks(self):
        return {MARK: self.record_id}


def fingerprint(method, target, body):
    """What makes two requests the same request: method, path with query, and body bytes."""
    digest = hashlib.sha256()
    for part in (method.encode("ascii"), target.encode("utf-8"), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def claim(caller, request, lifetimes):
    """A Claim when this request is the one to act, else the Outcome of the first one.
    Raises Unprocessable when the key was used for another request, Conflict while the first
    one is in progress."""
    now = int(time.time())
    name = _record_name(request.key)
    own_id = _allocated(caller.gateway, name, {
        "STATE": PENDING, "FINGERPRINT": request.fingerprint, "CIMI_PATH": request.path,
        "STARTED": now, "EXPIRES": now + lifetimes.seconds, "ATTEMPT": uuid.uuid4().hex})
    try:
        decision = _decide(caller, request, lifetimes, name, own_id, now)
    except BaseException:
        _forget(caller.gateway, own_id)
        raise
    if not isinstance(decision, Claim):
        _forget(caller.gateway, own_id)
    return decision


def _allocated(gateway, name, attributes):
    """The new record's id. When its allocation fails in a way that oned may have carried out
    (a timeout), the record is looked for and deleted, so that it does not hold the key as
    if in progress; a record oned makes later still does, until its time is over."""
    try:
        return documents.allocate(gateway, types.IDEMPOTENCY_RECORD, name, attributes)
    except (BackendTimeout, BackendError):
        try:
            for record in documents.all_of(gateway, types.IDEMPOTENCY_RECORD, mine=True):
                if record.template.get("ATTEMPT") == attributes["ATTEMPT"]:
                    gateway.document_delete(record.id)
        except DomainError:
            pass
        raise


def settle(caller, claim_, outcome):
    """Record the outcome of the request carried out under `claim_`."""
    _write(caller.gateway, claim_.record_id, _done(outcome))


def release(caller, claim_):
    """Forget a request that changed nothing: a retry carries it out afresh."""
    _forget(caller.gateway, claim_.record_id)


def leave_unknown(caller, claim_):
    """Record that the request ended without knowing whether OpenNebula acted."""
    _write(caller.gateway, claim_.record_id, {"STATE": UNKNOWN})


def _decide(caller, request, lifetimes, name, own_id, now):
    records = documents.all_of(caller.gateway, types.IDEMPOTENCY_RECORD, mine=True)
    _delete_expired(caller.gateway, records, now, own_id)
    contenders = [record for record in records
                  if record.name == name and _live(record, now) and record.id <= own_id]
    for record in contenders:
        if record.id == own_id:
            break
        template = record.template
        if template.get("FINGERPRINT") != request.fingerprint:
            raise Unprocessable(
                "This Idempotency-Key was already used for a different request (another "
                "method, URL or body); use a new key for a new request.")
        state = template.get("STATE")
        if state == DONE:
            return _recorded(template)
        in_time = now - documents.whole(template.get("STARTED")) < lifetimes.pending_seconds
        if state == UNKNOWN or not in_time:
            found = _lost_outcome(caller, record)
            if found is not None:
                _write(caller.gateway, record.id, _done(found))
                return found
        if in_time:
            raise Conflict("A request with this Idempotency-Key is still in progress, or its "
                           "outcome is not known yet; retry later to get it.")
        _write(caller.gateway, record.id, {"STATE": ABANDONED})
    return Claim(own_id)


def _lost_outcome(caller, record):
    """The outcome of an attempt that may have acted without recording it, from what it
    marked in OpenNebula; None when nothing carries its mark."""
    path = record.template.get("CIMI_PATH", "")
    job = _marked_job(caller.gateway, record.id)
    if job is not None:
        # An action on the resource itself creates nothing to locate; a capture follows the
        # image it creates, which is the Location.
        target = job.template.get("TARGET_PATH", "")
        location = "" if target == path or path.startswith(target + "/") else target
        return Outcome(202, location=location, job=f"{jobs.SEGMENT}/{job.id}")
    kind = CREATED_KINDS.get(path)
    created = _marked_object(caller.gateway, kind, record.id) if kind is not None else None
    if created is None:
        return None
    return Outcome(201, location=f"{path}/{created}", with_body=True)


def _marked_job(gateway, record_id):
    return next((document for document in documents.all_of(gateway, types.JOB, mine=True)
                 if _carries_mark(document.template, record_id)), None)


def _marked_object(gateway, kind, record_id):
    """The id of the caller's object of that kind carrying the mark, or None."""
    if kind == _VM:
        items = [(vm.id, vm.user_template) for vm in gateway.vm_page(mine=True, extended=True).items]
    elif kind == _IMAGE:
        items = [(image.id, image.template) for image in gateway.image_page(mine=True).items]
    elif kind == _TEMPLATE:
        items = [(found.id, found.template) for found in gateway.template_page(mine=True).items]
    else:
        items = [(document.id, document.template)
                 for document in documents.all_of(gateway, kind, mine=True)]
    return next((object_id for object_id, template in items
                 if _carries_mark(template, record_id)), None)


def _carries_mark(template, record_id):
    return template.get(MARK) == str(record_id)


def _recorded(template):
    return Outcome(documents.whole(template.get("STATUS")), template.get("CIMI_LOCATION", ""),
                   template.get("CIMI_JOB", ""), template.get("CIMI_MESSAGE", ""),
                   template.get("WITH_BODY") == "YES")


def _done(outcome):
    return {"STATE": DONE, "STATUS": outcome.status, "CIMI_LOCATION": outcome.location or None,
            "CIMI_JOB": outcome.job or None, "CIMI_MESSAGE": outcome.message or None,
            "WITH_BODY": outcome.with_body}


def _write(gateway, record_id, attributes):
    gateway.document_update(record_id, {name: value for name, value in attributes.items()
                                        if value is not None}, merge=True)


def _live(record, now):
    template = record.template
    return template.get("STATE") != ABANDONED and not _expired(template, now)


def _expired(template, now):
    return documents.whole(template.get("EXPIRES")) <= now


def _delete_expired(gateway, records, now, own_id):
    expired = [record for record in records
               if record.id != own_id and _expired(record.template, now)]
    for record in expired[:EXPIRED_DELETED_PER_REQUEST]:
        _forget(gateway, record.id)


def _forget(gateway, record_id):
    try:
        gateway.document_delete(record_id)
    except DomainError:
        pass


def _record_name(key):
    return NAME_PREFIX + hashlib.sha256(key.encode("utf-8")).hexdigest()
