"""The OpenNebula gateway: the only package that talks to oned (over XML-RPC).

`init_app(app)` builds the process's pooled transport, its memory of pool sizes and its
slots for requests calling OpenNebula from the configuration;
`gateway_for(session)` gives a `Gateway` (`app.one.gateway`) acting as the caller's own
OpenNebula user, within the HTTP request's budget (`app.one.budget`: one deadline, one slot),
made before the request is dispatched and ended after it.
"""
from contextlib import contextmanager

from flask import current_app, g

from app.errors import DomainError, Unauthenticated
from app.one.budget import CallSlots, CallTimeouts, RequestBudget, undo_grace
from app.one.gateway import POOL_ALL, POOL_MINE, VM_ANY_STATE, VM_NOT_DONE, Gateway, Marking
from app.one.counts import CountMemory
from app.one.transport import PooledTransport

__all__ = ["init_app", "gateway_for", "allocations_marked", "undo_grace", "unreachable", "Gateway",
           "POOL_ALL", "POOL_MINE", "VM_ANY_STATE", "VM_NOT_DONE"]

EXTENSION = "one"
COUNTS = "one_counts"
MARKS = "one_allocation_marks"
SLOTS = "one_slots"
BUDGET = "one_budget"


def init_app(app):
    """One pooled keep-alive transport per process, kept in `app.extensions`."""
    config = app.config
    app.extensions[EXTENSION] = PooledTransport(
        endpoint=config["ONE_XMLRPC"],
        connect_timeout=config["ONE_CONNECT_TIMEOUT"],
        read_timeout=config["ONE_READ_TIMEOUT"],
        pool_connections=config["ONE_POOL_CONNECTIONS"],
    )
    app.extensions[COUNTS] = CountMemory(config["CIMI_COUNT_CACHE_SECONDS"])
    app.extensions[SLOTS] = CallSlots(config["ONE_CONCURRENT_REQUESTS"],
                                      config["ONE_SLOT_WAIT_SECONDS"])
    app.before_request(_start_budget)
    app.teardown_request(_end_budget)


def gateway_for(session):
    """A Gateway for the session string "user:password", inside an app context: within the
    HTTP request's budget, or, outside any (the admin command), the per-call timeouts alone."""
    config = current_app.config
    budget = g.get(BUDGET) or CallTimeouts(config["ONE_CONNECT_TIMEOUT"],
                                           config["ONE_READ_TIMEOUT"])
    return Gateway(current_app.extensions[EXTENSION], session, current_app.extensions[COUNTS],
                   budget, g.get(MARKS))


def unreachable(timeout):
    """None when oned answers a call within `timeout` seconds, else why it does not. The call
    carries no session: oned's refusal of it is an answer as good as any."""
    probe = Gateway(current_app.extensions[EXTENSION], "", current_app.extensions[COUNTS],
                    CallTimeouts(timeout, timeout))
    try:
        probe.call("system.version")
    except Unauthenticated:
        return None
    except DomainError as error:
        return str(error)
    return None


@contextmanager
def allocations_marked(marks):
    """Gateways built inside the block (in this app context) write the attributes `marks`
    into every VM, image, VM template and document they create, so what a request created
    can be found again by them even when its answer was lost. Yields the `Marking`, which
    also tells whether a call that may change OpenNebula was sent meanwhile."""
    previous = g.get(MARKS)
    marking = Marking(dict(marks))
    setattr(g, MARKS, marking)
    try:
        yield marking
    finally:
        setattr(g, MARKS, previous)


def _start_budget():
    config = current_app.config
    setattr(g, BUDGET, RequestBudget(
        current_app.extensions[SLOTS], config["CIMI_REQUEST_DEADLINE_SECONDS"],
        config["ONE_CONNECT_TIMEOUT"], config["ONE_READ_TIMEOUT"]))


def _end_budget(_exception):
    budget = g.pop(BUDGET, None)
    if budget is not None:
        budget.end()
