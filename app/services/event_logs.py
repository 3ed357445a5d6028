"""EventLogs and Events: a Machine's life as OpenNebula's VM history records it, read-only.

Every Machine has one EventLog, `<base>/eventLogs/<vm id>` (the Machine's `eventLog`); its
`events` collection, `<base>/eventLogs/<vm id>/events`, lists in the order they happened:
- the creation (the VM's STIME): state CREATING;
- for each history record (a stay on a host; hot-plugs, snapshots and migrations close one
  and open the next): the guest running on the record's host (RSTIME): state STARTED; then
  the action recorded in it, once done (RETIME, else ETIME): the state that action leaves
  (`history.MACHINE_STATE_AFTER`: STOPPED, SUSPENDED, DELETED), or a `model` event for an
  action that changes the machine but not its state (disk-attach, snapshot-create, ...);
- a VM in a failure state now: ERROR, at the latest time recorded, with OpenNebula's state
  name and error message;
- a VM waiting for the scheduler, which has said why it cannot place it (no host with enough
  capacity, ...): a `model` event with the scheduler's message, outcome Warning, at the latest
  time recorded (`app.one.reasons`).
A state event that repeats the previous state (a guest running on after a hot-plug) is left
out. State events carry the previous state, the action and the host, and the host is the
event's `contact`. Failures have outcome Failure and severity high, the scheduler's warning
severity medium, everything else outcome Success and severity low; the EventLog's `summary`
counts events by severity.

An Event's id is its position in that list: history records are only ever added or closed,
so the list only grows at its end while the VM lives (the ERROR and the scheduler's events
stand for the current situation and go when the VM leaves it). A terminated machine's EventLog is gone with it.
"""
from dataclasses import dataclass

from app.errors import NotFound
from app.one.history import MACHINE_STATE_AFTER, NO_ACTION, vm_action_name
from app.one.reasons import vm_reason
from app.services import links
from app.services.listing import Listing, Pool, listed, listed_pool
from app.services.references import expandable, resolver
from app.services.machines import load, loaded_many
from app.services.rendering import iso_time, without_empty
from schemas.event_logs import EVENT, EVENT_LOG
from schemas.machines import MACHINE

TYPE_NAME = EVENT_LOG.name
EVENT_TYPE_NAME = EVENT.name
SEGMENT = links.EVENT_LOGS
EVENTS = "events"
SEVERITIES = ("critical", "high", "medium", "low")
ERROR_STATE = "ERROR"
SUCCESS, WARNING, FAILURE = "Success", "Warning", "Failure"
SEVERITY_OF_OUTCOME = {FAILURE: "high", WARNING: "medium", SUCCESS: "low"}


@dataclass(frozen=True)
class _Happening:
    """One event before it is rendered: a state change (`state` set) or a model change."""
    time: int
    change: str              # the OpenNebula action, or what happened
    state: str | None = None
    previous: str | None = None
    host: str = ""
    outcome: str = SUCCESS


def list_event_logs(caller, query):
    gateway = caller.gateway
    expand = resolver(caller)
    pool = Pool(page=lambda offset, size: expand.known(gateway.vm_page(
                    offset=offset, size=size, extended=True)),
                count=lambda at_least, guess: gateway.vm_count(at_least=at_least, guess=guess))
    listing = Listing(TYPE_NAME, "eventLogs", caller.links.href(SEGMENT), add=False)
    return listed_pool(query, listing, pool, lambda vm: render_log(caller, _with_history(caller, vm)),
                       expand=expand)


def get_event_log(caller, vm_id):
    return render_log(caller, load(caller.gateway, vm_id))


def get_event_logs(caller, vm_ids, known_vms=None):
    """{id: EventLog} of the listed machines that exist and are visible: one vmpool.infoset
    for those `known_vms` lacks (`machines.loaded_many`), and a vm.info only for a VM whose pool body lacks history records (oned puts only the
    last one there: each stop, resume or migration adds one)."""
    return {vm.id: render_log(caller, _with_history(caller, vm))
            for vm in loaded_many(caller.gateway, vm_ids, known_vms)}


def _with_history(caller, vm):
    """The VM with all its history records: a pool body holds only the last one (each stop,
    resume or migration adds one), so such a VM is read again with vm.info; one terminated
    meanwhile is rendered from what the pool said."""
    if [record.seq for record in vm.history] == list(range(len(vm.history))):
        return vm
    try:
        return caller.gateway.vm(vm.id)
    except NotFound:
        return vm


def list_events(caller, vm_id, query):
    vm = load(caller.gateway, vm_id)
    listing = Listing(EVENT_TYPE_NAME, "events", _events_href(caller, vm.id), add=False)
    return listed(query, listing, _rendered_events(caller, vm), expand=resolver(caller))


def get_event(caller, vm_id, position):
    events = _rendered_events(caller, load(caller.gateway, vm_id))
    if position >= len(events):
        raise NotFound(f"Machine {vm_id} has no event {position}.")
    return events[position]


def render_log(caller, vm):
    happenings = happenings_of(vm)
    severities = [_severity(happening) for happening in happenings]
    return EVENT_LOG.document({
        "id": caller.links.href(SEGMENT, vm.id),
        "name": vm.name,
        "description": f"State changes of machine {vm.name} as OpenNebula recorded them.",
        "created": iso_time(vm.stime),
        "updated": iso_time(happenings[-1].time),
        "targetResource": caller.links.reference(links.MACHINES, vm.id),
        "summary": {severity: severities.count(severity) for severity in SEVERITIES},
        EVENTS: {"href": _events_href(caller, vm.id)},
    })


def happenings_of(vm):
    """The VM's events, oldest first (see the module's docstring)."""
    happenings = [_Happening(vm.stime, "create", "CREATING")]

    def changed(time, change, state, host, outcome=SUCCESS):
        previous = _last_state(happenings)
        if state is None:
            happenings.append(_Happening(time, change, host=host, outcome=outcome))
        elif state != previous:
            happenings.append(_Happening(time, change, state, previous, host, outcome))

    for record in vm.history:
        if record.running_stime:
            changed(record.running_stime, "run", "STARTED", record.hostname)
        finished = record.running_etime or record.etime
        if record.action != NO_ACTION and finished:
            action = vm_action_name(record.action)
            changed(finished, action, MACHINE_STATE_AFTER.get(action), record.hostname)
    reason = vm_reason(vm)
    latest = max(happening.time for happening in happenings)
    if reason is not None and reason.failed:
        changed(latest, reason.text, ERROR_STATE, vm.hostname, FAILURE)
    elif reason is not None and reason.message:
        changed(latest, reason.text, None, vm.hostname, WARNING)
    return happenings


def _last_state(happenings):
    return next(happening.state for happening in reversed(happenings) if happening.state)


def _rendered_events(caller, vm):
    return [_render_event(caller, vm, position, happening)
            for position, happening in enumerate(happenings_of(vm))]


def _render_event(caller, vm, position, happening):
    machine = caller.links.reference(links.MACHINES, vm.id)
    content = {"resName": vm.name, "resource": machine, "resType": MACHINE.uri}
    if happening.state:
        content.update(state=happening.state, previous=happening.previous)
    content.update(change=happening.change, host=happening.host)
    return EVENT.document({
        "id": f"{_events_href(caller, vm.id)}/{position}",
        "name": happening.change,
        "created": iso_time(happening.time),
        "timestamp": iso_time(happening.time),
        "type": "state" if happening.state else "model",
        "content": without_empty(content),
        "outcome": happening.outcome,
        "severity": _severity(happening),
        "contact": happening.host,
    })


def _severity(happening):
    return SEVERITY_OF_OUTCOME[happening.outcome]


def _events_href(caller, vm_id):
    return caller.links.href(SEGMENT, vm_id, EVENTS)


expandable(links.EVENT_LOGS, get_event_log, get_event_logs, from_vms=True)
