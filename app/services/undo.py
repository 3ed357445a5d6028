"""Operations that cannot half-happen: undo on failure, and the mark of an object whose
creation is still under way."""
import time
from contextlib import contextmanager

from app.errors import DomainError
from app.one import undo_grace


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


def tried_each(*steps):
    """Run every step of an undo, whatever the others do: each is best effort."""
    for step in steps:
        try:
            step()
        except DomainError:
            pass


# A TEMPLATE attribute of an object a multi-call operation is still creating: the epoch second
# after which a read may take the operation as interrupted (the server died halfway) and undo
# or complete it. The operation's last call sets it to COMPLETE (a merge cannot remove an
# attribute without reading the template first).
INCOMPLETE = "CIMI_INCOMPLETE"
COMPLETE = 0


def incomplete_mark(caller):
    """The attributes that mark a new object as incomplete until the request ends."""
    return {INCOMPLETE: int(time.time() + caller.recovery_seconds)}


def complete_mark():
    return {INCOMPLETE: COMPLETE}


def is_abandoned(template):
    """Marked incomplete by a request that should have ended by now."""
    deadline = template.get(INCOMPLETE)
    if deadline is None:
        return False
    try:
        deadline = int(deadline)
    except (TypeError, ValueError):
        return False
    return deadline != COMPLETE and deadline < time.time()
