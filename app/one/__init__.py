"""The OpenNebula gateway: the only package that talks to oned (and imports pyone).

`init_app(app)` builds the process's pooled transport and its memory of pool sizes from the
configuration;
`gateway(session)` gives a `Gateway` (`app.one.client`) acting as the caller's own
OpenNebula user.
"""
from contextlib import contextmanager

from flask import current_app, g

from app.one.client import POOL_ALL, POOL_MINE, VM_ANY_STATE, VM_NOT_DONE, Gateway, Marking
from app.one.counts import CountMemory
from app.one.transport import PooledTransport

__all__ = ["init_app", "gateway", "allocations_marked", "Gateway", "POOL_ALL", "POOL_MINE", "VM_ANY_STATE",
           "VM_NOT_DONE"]

EXTENSION = "one"
COUNTS = "one_counts"
MARKS = "one_allocation_marks"


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


def gateway(session):
    """A Gateway for the session string "user:password", inside an app context."""
    return Gateway(current_app.extensions[EXTENSION], session, current_app.extensions[COUNTS],
                   g.get(MARKS))


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
