"""Jobs: the asynchronous operations a caller started, followed in OpenNebula.

Starting a Job (for every service whose operation answers 202)
==============================================================
Wrap the OpenNebula call that starts the operation; the service returns the Job's URI and
the route answers 202 with it:

    from app.services import jobs

    with jobs.tracked(caller, jobs.machine(vm), "start", "started") as job_uri:
        caller.gateway.vm_action("resume", vm_id)
    return job_uri
    ...
    return respond(None, 202, jobs.job_header(job_uri))       # in the route

- target: `jobs.machine(vm)` (the VM record the service read before acting, with the
  segments of a part of the machine when the CIMI resource is one: a MachineVolume is
  `jobs.machine(vm, "volumes", disk_id)`) or `jobs.image(image_id, links.MACHINE_IMAGES)`.
  The Job's state follows that OpenNebula object.
- action: a CIMI action name ("start", "capture"), shown as its action URI; "add", "edit" and
  "delete" are shown as they are.
- expectation: a name of `app.one.outcomes.EXPECTATIONS` ("started", "stopped", "suspended",
  "restarted", "deleted", "settled", "image_ready", "image_deleted").
- affected: path tuples of other resources the operation changes, e.g.
  `[(links.MACHINE_IMAGES, image_id)]`; the target is always listed first.
- attached_image / detached_disk: an attach succeeds only if the VM then has a disk of that
  image, a detach only if the disk with that DISK_ID is gone (OpenNebula takes a failed
  hot-plug back and returns the VM to its former state).
- deleted_snapshot / returns_to: a snapshot's deletion succeeds only if the VM then has no
  snapshot of that id (`snapshot_keys`) and is in the state it had (OpenNebula's name for it).

The Job document is allocated before the call and deleted again if the call fails, so a
refused operation leaves no Job behind; once the call succeeded, DISPATCHED (the time) is
written into it. A call that timed out may have been carried out by oned all the same: its
Job is kept (without DISPATCHED) and follows the target like any other.

When the target only exists once the call has succeeded (a capture follows the image it
creates), record the Job after the call instead; if the Job cannot be written, the caller
gets that error although OpenNebula goes on with the operation:

    image_id = caller.gateway.vm_disk_saveas(vm_id, disk_id, name)
    job_uri = jobs.record(caller, jobs.image(image_id, links.MACHINE_IMAGES), "capture",
                          "image_ready", affected=[(links.MACHINES, vm_id)])

How a Job works
===============
A Job is an OpenNebula document of type `documents.JOB`, owned by the caller (oned's umask
makes it private). It records its target (kind, OpenNebula id and CIMI path), action,
affected resources, expectation and creation time; hrefs are built when it is read, for the
base URI of that request. Its state is derived from the target's current state whenever the
Job is read: QUEUED while OpenNebula has not started (a VM waiting for the scheduler),
RUNNING until the target reaches a success or failure state, then SUCCESS (returnCode 0) or
FAILED (returnCode 1). A Job on a VM also keeps the VM's ERROR as it was when the Job began:
a different ERROR later means a driver failed the operation, and the Job is FAILED with it
even when the VM shows no failure state (a boot that fails while a powered-off machine is
started puts it back in POWEROFF). The statusMessage says why a Job fails or waits: oned's
ERROR, or the scheduler's SCHED_MESSAGE while the VM is PENDING (`app.one.reasons`). The
first read that sees the end writes it into the document with the time it was seen, so a
finished Job never changes again, whatever happens to its target later; no state lives in
the server. progress is 0 while queued, 50 while running, 100 at the
end.

A listing costs one documentpool call plus one pool call per kind of target still being
followed (vmpool.infoset for VMs, imagepool.info for images), never one call per Job; the
only further calls are the one-time writes of newly finished Jobs. A `$first`/`$last` page
without `$filter` or `$orderby` reads only its window of the document pool (and counts the
pool with one more call when the window does not reach its end).

Interrupted operations
======================
A server killed between the Job's allocation and oned's answer (or unable to write
DISPATCHED) leaves an unconfirmed Job. It also records TARGET_MARK, the target as it was
(a VM's state and last history record, or that an image exists), so a read can tell whether
the action reached OpenNebula: while the mark is unchanged the Job is RUNNING, and
FAILED ("did not reach OpenNebula") once CIMI_RECOVERY_SECONDS (Caller
.recovery_seconds) have passed since its creation. Once the mark changed, the Job follows its
target as usual, but it only succeeds from a change OpenNebula stamped within that time (a
later change is someone else's operation), and ends FAILED if it has not ended by then.

Jobs are served as a private `DocumentResource` that only the server writes: the collection
lists the caller's own documents, anyone else's Job is a 404, and a client can read and
delete a Job, never add or edit one. DELETE forgets a Job in any state (200): it never
cancels the operation, and a Job whose target was moved on by someone else before it
reached its expected state would otherwise stay RUNNING for ever.
"""
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace

from app.config import DEFAULT_RECOVERY_SECONDS
from app.errors import BackendTimeout, DomainError
from app.one import documents as document_types
from app.one.outcomes import EXPECTATIONS, FAILED, IMAGE, SUCCESS, VM
from app.one.reasons import ERROR_MESSAGE, vm_reason
from app.one.states import DONE, image_state_name, vm_state_name
from app.protocol.names import ACTION_URI, JOB_URI_HEADER
from app.services import documents, links, snapshot_keys
from app.services.document_resources import DocumentResource
from app.services.undo import undone_on_failure
from app.services.rendering import iso_time
from schemas.jobs import JOB

TYPE_NAME = JOB.name
SEGMENT = "jobs"
HEADER = JOB_URI_HEADER
QUEUED = "QUEUED"
RUNNING = "RUNNING"
PLAIN_ACTIONS = ("add", "edit", "delete")
PROGRESS = {QUEUED: 0, RUNNING: 50, SUCCESS: 100, FAILED: 100}
RETURN_CODES = {SUCCESS: 0, FAILED: 1}
TARGET_LABELS = {VM: "OpenNebula VM", IMAGE: "OpenNebula image"}
PATH_SEPARATOR = " "
# What else a success needs, checked once the target is in a success state: tracked()'s
# keyword -> the attribute of the Job document that keeps it.
CONDITIONS = {"attached_image": "ATTACHED_IMAGE", "detached_disk": "DETACHED_DISK",
              "deleted_snapshot": "DELETED_SNAPSHOT", "returns_to": "RETURN_STATE"}
# Failures after which oned may have carried out the call: a Job tracking it is kept.
MAY_HAVE_ACTED = (BackendTimeout,)
WATCHES_ERROR = "WATCHES_ERROR"
PRIOR_ERROR = "PRIOR_ERROR"
# Crash safety (see "Interrupted operations" above): the target as it was before the
# action, and the time OpenNebula was seen to accept it.
TARGET_MARK = "TARGET_MARK"
DISPATCHED = "DISPATCHED"
PRESENT = "PRESENT"     # the mark of an image target: it exists
GONE = "GONE"           # the mark of a target that no longer exists


@dataclass(frozen=True)
class Target:
    kind: str          # outcomes.VM or outcomes.IMAGE
    one_id: int
    path: tuple        # segments of the CIMI resource's href under the base URI
    prior_error: str = ""    # a VM's ERROR before the operation (see _error_watch)
    mark: str = PRESENT      # the target as it was before the operation (see _mark_of)


def machine(vm, *parts):
    """The Job target of an operation on the VM `vm` (its record as read before the
    operation), or on the part of the machine that `parts` name."""
    return Target(VM, vm.id, (links.MACHINES, vm.id, *parts),
                  vm.user_template.get(ERROR_MESSAGE, ""), _mark_of(vm))


def image(image_id, collection_segment):
    return Target(IMAGE, image_id, (collection_segment, image_id))


def _mark_of(vm):
    """What changes in a VM as soon as oned accepts an action on it: its state, or its last
    history record (a new one, or the action written into it). The record's SEQ, not the
    number of records: pools show only the last one."""
    last = vm.history[-1] if vm.history else None
    history = f"{last.seq}:{last.action}" if last else "-"
    return f"{vm.state}:{vm.lcm_state}:{history}"


def _changed_at(vm):
    """The latest time OpenNebula stamped on the VM: creation, or a history record's times."""
    return max([vm.stime] + [moment for record in vm.history for moment in
                             (record.stime, record.etime, record.running_stime,
                              record.running_etime)])


def image_deletion(caller, image_id, collection_segment):
    """`tracked` for deleting an image, which OpenNebula removes in the background: yields the
    URI of the Job that follows the removal."""
    return tracked(caller, image(image_id, collection_segment), "delete", "image_deleted")


def job_header(job_uri):
    return {HEADER: job_uri}


@contextmanager
def tracked(caller, target, action, expectation, affected=(), **conditions):
    """Yields the new Job's URI; the Job is deleted again if the block fails, unless oned may
    have acted (MAY_HAVE_ACTED). `conditions` are named in CONDITIONS."""
    job_id = _allocate(caller, target, action, expectation, affected, conditions)
    job_uri = caller.links.href(SEGMENT, job_id)
    try:
        with undone_on_failure(lambda: caller.gateway.document_delete(job_id),
                               kept_on=MAY_HAVE_ACTED):
            yield job_uri
    except BackendTimeout as timeout:
        # The client is told of the Job kept: it answers whether the action happened.
        raise BackendTimeout(f"{timeout.message} The Job {job_uri} tells whether OpenNebula "
                             "carried out the action.", job_uri) from None
    _confirm(caller.gateway, job_id)


def record(caller, target, action, expectation, affected=()):
    """The URI of a new Job for an operation OpenNebula has already accepted."""
    return caller.links.href(SEGMENT, _allocate(caller, target, action, expectation, affected,
                                             dispatched=True))


def _confirm(gateway, job_id):
    """Record that OpenNebula accepted the Job's action. The action happened whatever this
    write does: if it fails, the Job is judged as an unconfirmed one (`_unconfirmed_status`)."""
    try:
        gateway.document_update(job_id, {DISPATCHED: int(time.time())}, merge=True)
    except DomainError:
        pass


def _allocate(caller, target, action, expectation, affected, conditions=None, dispatched=False):
    expected = EXPECTATIONS[expectation]
    if expected.kind != target.kind:
        raise ValueError(f"expectation {expectation!r} follows a {expected.kind}, "
                         f"not a {target.kind}")
    attributes = {
        "ACTION": action if action in PLAIN_ACTIONS else ACTION_URI + action,
        "TARGET_KIND": target.kind,
        "TARGET_ID": target.one_id,
        "TARGET_PATH": _joined(target.path),
        "AFFECTED": PATH_SEPARATOR.join(_joined(path) for path in affected),
        "SUCCESS_STATES": PATH_SEPARATOR.join(sorted(expected.success)),
        "FAILURE_STATES": PATH_SEPARATOR.join(sorted(expected.failure)),
        "QUEUED_STATES": PATH_SEPARATOR.join(sorted(expected.queued)),
        "WHEN_GONE": expected.gone,
        TARGET_MARK: target.mark,
        DISPATCHED: int(time.time()) if dispatched else None,
        **{CONDITIONS[name]: value for name, value in (conditions or {}).items()},
        **(_error_watch(target) if target.kind == VM else {}),
    }
    return documents.allocate(
        caller.gateway, document_types.JOB, f"{action} {_joined(target.path)}",
        {name: value for name, value in attributes.items() if value not in (None, "")})


def _error_watch(target):
    """What a VM Job needs to notice a driver failure that leaves no failure state behind:
    a machine whose boot fails while it is started from STOPPED (powered off) or SUSPENDED
    goes back to that state, with a new ERROR (oned's `trigger_deploy_failure`). The VM's
    ERROR before the operation is kept; another one later means the operation failed."""
    return {WATCHES_ERROR: "YES", PRIOR_ERROR: target.prior_error}


@dataclass(frozen=True)
class _Status:
    state: str
    message: str
    time: int


def _followed(caller, job_documents):
    """The Jobs with their current status in their template, as a finished Job's is
    recorded: finished ones as they are, the others from their targets, fetched in one call
    per kind."""
    unfinished = [document for document in job_documents if not _finished(document)]
    observed = _observe(caller.gateway, unfinished)
    jobs = []
    for document in job_documents:
        if _finished(document):
            jobs.append(document)
            continue
        status = _status(document, observed.get(_target_key(document)), caller.recovery_seconds)
        _record_if_finished(caller.gateway, document, status)
        jobs.append(replace(document, template={**document.template, **_written(status)}))
    return jobs


def _finished(document):
    return document.template.get("STATE") in RETURN_CODES


def _target_key(document):
    """(kind, OpenNebula id); a document edited by hand into something else names nothing,
    and its Job ends as if the target were gone."""
    template = document.template
    return template.get("TARGET_KIND"), documents.whole(template.get("TARGET_ID"))


@dataclass(frozen=True)
class _Observation:
    """What a Job needs to know about its target now."""
    state: str
    error: str
    disk_ids: frozenset = frozenset()
    image_ids: frozenset = frozenset()
    snapshot_keys: frozenset = frozenset()
    waiting: str = ""        # why OpenNebula has not placed the VM yet (its scheduler's word)
    mark: str = PRESENT      # compared with the Job's TARGET_MARK (`_mark_of`)
    changed_at: int = 0      # when OpenNebula last stamped a change on the target


def _observe(gateway, job_documents):
    """(kind, id) -> _Observation of every existing target of the Jobs."""
    wanted = {VM: set(), IMAGE: set()}
    for document in job_documents:
        kind, one_id = _target_key(document)
        if kind in wanted:
            wanted[kind].add(one_id)
    observed = {}
    if wanted[VM]:
        for vm in gateway.vms_by_ids(sorted(wanted[VM])):
            if vm.state != DONE:
                observed[VM, vm.id] = _Observation(
                    vm_state_name(vm.state, vm.lcm_state), vm.user_template.get(ERROR_MESSAGE, ""),
                    frozenset(disk.disk_id for disk in vm.disks),
                    frozenset(disk.image_id for disk in vm.disks), snapshot_keys.keys_of(vm),
                    _waiting(vm), _mark_of(vm), _changed_at(vm))
    if wanted[IMAGE]:
        for found in gateway.image_page(users=False).items:
            if found.id in wanted[IMAGE]:
                observed[IMAGE, found.id] = _Observation(
                    image_state_name(found.state), found.template.get("ERROR", ""))
    return observed


def _waiting(vm):
    """The scheduler's word on why it has not placed the VM, while it waits."""
    reason = vm_reason(vm)
    return reason.message if reason and not reason.failed else ""


def _status(document, observation, recovery_seconds=DEFAULT_RECOVERY_SECONDS):
    if _unconfirmed(document.template):
        return _unconfirmed_status(document, observation, recovery_seconds)
    return _observed_status(document, observation)


def _label(document):
    kind, one_id = _target_key(document)
    return f"{TARGET_LABELS.get(kind, 'Target')} {one_id}"


def _unconfirmed(template):
    """A Job whose action OpenNebula was not seen to accept (Jobs written before crash
    safety have no TARGET_MARK and count as confirmed)."""
    return TARGET_MARK in template and DISPATCHED not in template


def _unconfirmed_status(document, observation, recovery_seconds):
    """The status of a Job whose server did not record that OpenNebula accepted its action:
    it is in flight, or the server died (or failed to write) before or after the call.
    While its target is as it was, the action has not reached OpenNebula: RUNNING until
    `recovery_seconds` after the Job's creation, then FAILED. Once the target changed, the
    Job follows it, but a success needs the change to be stamped within that time (a later
    one is another operation's: the action itself never came), and a Job that has not ended
    by then ends FAILED."""
    label = _label(document)
    created = documents.created_of(document)
    deadline = created + recovery_seconds
    now = int(time.time())
    mark = observation.mark if observation is not None else GONE
    if mark == document.template[TARGET_MARK]:
        if now <= deadline:
            return _Status(RUNNING, f"{label}: waiting for OpenNebula to accept the action.",
                           created)
        return _Status(FAILED, f"The action did not reach OpenNebula: the server stopped "
                               f"before OpenNebula accepted it, and {label} has not changed "
                               f"since the Job began.", now)
    status = _observed_status(document, observation)
    if (status.state == SUCCESS and observation is not None
            and observation.changed_at > deadline):
        return _Status(FAILED, f"The action did not reach OpenNebula: the server stopped "
                               f"before OpenNebula accepted it; {label} was changed later, "
                               f"by another operation.", now)
    if status.state not in RETURN_CODES and now > deadline:
        return _Status(FAILED, f"The server stopped before it saw OpenNebula accept the "
                               f"action, and it has not ended within {recovery_seconds:g} "
                               f"seconds: {status.message}", now)
    return status


def _observed_status(document, observation):
    template = document.template
    label = _label(document)
    now = int(time.time())
    if observation is None:
        return _Status(template.get("WHEN_GONE", FAILED), f"{label} no longer exists.", now)
    state = observation.state
    if state in _states(template, "FAILURE_STATES"):
        error = f": {observation.error}" if observation.error else "."
        return _Status(FAILED, f"{label} is {state}{error}", now)
    new_error = _new_error(template, observation)
    if state in _states(template, "SUCCESS_STATES"):
        unmet = _unmet_condition(template, observation)
        if unmet:
            cause = f": {new_error}" if new_error else "."
            return _Status(FAILED, f"{label} is {state} but {unmet}{cause}", now)
        return _Status(SUCCESS, f"{label} is {state}.", now)
    if new_error:
        return _Status(FAILED, f"{label} is {state}: {new_error}", now)
    created = documents.created_of(document)
    waiting = f": waiting to be scheduled: {observation.waiting}" if observation.waiting else ""
    if state in _states(template, "QUEUED_STATES"):
        return _Status(QUEUED, f"{label} is {state}{waiting or ': waiting to be scheduled.'}",
                       created)
    return _Status(RUNNING, f"{label} is {state}{waiting or '.'}", created)


def _new_error(template, observation):
    """The target's ERROR if it is not the one it had when the Job began (Jobs that watch)."""
    if template.get(WATCHES_ERROR) != "YES":
        return ""
    error = observation.error
    return error if error and error != template.get(PRIOR_ERROR, "") else ""


def _unmet_condition(template, observation):
    attached = template.get("ATTACHED_IMAGE")
    if attached and documents.whole(attached) not in observation.image_ids:
        return f"no disk of image {attached} is attached"
    detached = template.get("DETACHED_DISK")
    if detached and documents.whole(detached) in observation.disk_ids:
        return f"disk {detached} is still attached"
    deleted = template.get("DELETED_SNAPSHOT")
    if deleted and deleted in observation.snapshot_keys:
        return f"snapshot {deleted} still exists"
    former = template.get("RETURN_STATE")
    if former and observation.state != former:
        return f"it was {former} before"
    return None


def _record_if_finished(gateway, document, status):
    """Write a finished Job's end into its document. A failed write is left for the next
    read to retry: the status it would have recorded is answered all the same."""
    if status.state not in RETURN_CODES:
        return
    try:
        gateway.document_update(document.id, _written(status), merge=True)
    except DomainError:
        pass


def _written(status):
    return {"STATE": status.state, "STATUS_MESSAGE": status.message, "STATUS_TIME": status.time}


def _recorded(template):
    return _Status(template["STATE"], template.get("STATUS_MESSAGE", ""),
                   documents.whole(template.get("STATUS_TIME")))


def _shown(caller, document):
    template, status = document.template, _recorded(document.template)
    target_path = template.get("TARGET_PATH", "")
    affected = [target_path] + template.get("AFFECTED", "").split()
    return {
        "updated": iso_time(status.time),
        "state": status.state,
        "targetResource": caller.links.reference(target_path),
        "affectedResources": [caller.links.reference(path) for path in dict.fromkeys(affected)],
        "action": template.get("ACTION"),
        "returnCode": RETURN_CODES.get(status.state),
        "progress": PROGRESS[status.state],
        "statusMessage": status.message,
        "timeOfStatusChange": iso_time(status.time),
    }


def _states(template, name):
    return frozenset(template.get(name, "").split())


def _joined(path):
    return "/".join(str(segment) for segment in path)


resource = DocumentResource(JOB, "Job", "jobs", SEGMENT, document_types.JOB, shown=_shown,
                            private=True, followed=_followed)
