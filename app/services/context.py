"""What every service call needs to know about the request, without seeing the request."""
from contextlib import contextmanager
from dataclasses import dataclass

from app.errors import DomainError
from app.one import undo_grace
from app.services.links import Links


@dataclass(frozen=True)
class RequestContext:
    gateway: object     # app.one.gateway.Gateway acting as the caller
    links: Links
    user_name: str      # the caller's OpenNebula user name


@contextmanager
def undone_on_failure(undo, kept_on=()):
    """Run `undo` (e.g. delete what was just created) if the block fails, then re-raise, so a
    request that fails halfway leaves nothing behind in OpenNebula. A failure of `undo` itself
    is swallowed: the original error is the one the caller must see. Errors of the classes
    `kept_on` (after which OpenNebula may have acted) raise without the undo. The undo may
    run a little past the request's deadline (`app.one.undo_grace`): a request that ran out
    of time is exactly one that must still clean up."""
    try:
        yield
    except kept_on:
        raise
    except BaseException:
        try:
            with undo_grace():
                undo()
        except DomainError:
            pass
        raise
