"""What every service call needs to know about the request, without seeing the request."""
from contextlib import contextmanager
from dataclasses import dataclass

from app.errors import DomainError
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
    `kept_on` (after which OpenNebula may have acted) raise without the undo."""
    try:
        yield
    except kept_on:
        raise
    except BaseException:
        try:
            undo()
        except DomainError:
            pass
        raise
