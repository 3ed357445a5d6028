"""Pieces shared by the services when they turn OpenNebula records into CIMI documents."""
import time
from datetime import datetime, timezone

from app.protocol.responses import operation

KIB_PER_MB = 1024
_ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# The whole seconds datetime can represent (years 1 to 9999): time.gmtime writes the same
# text for them in a third of the time, and a listing writes two per member. Anything else
# (a fraction, which datetime rounds; a time it refuses) is left to datetime.
_FIRST_SECOND, _LAST_SECOND = -62135596800, 253402300799
# What `without_empty` leaves out; every other value, true or false, is kept.
_EMPTY = (None, "", [], {})


def iso_time(epoch_seconds):
    """An OpenNebula epoch time as CIMI's ISO 8601 UTC string; None when OpenNebula has none (0)."""
    if not epoch_seconds:
        return None
    if type(epoch_seconds) is int and _FIRST_SECOND <= epoch_seconds <= _LAST_SECOND:
        return time.strftime(_ISO_FORMAT, time.gmtime(epoch_seconds))
    return datetime.fromtimestamp(epoch_seconds, tz=timezone.utc).strftime(_ISO_FORMAT)


def kib_from_mb(megabytes):
    return int(megabytes) * KIB_PER_MB


def mb_from_kib(kibibytes):
    """KiB to MB; the schemas only let whole MiB through, so nothing is rounded away."""
    return int(kibibytes) // KIB_PER_MB


def without_empty(document):
    """The document without attributes that have no value, keeping CIMI's attribute order."""
    # A true value is none of them: only false ones are compared.
    return {key: value for key, value in document.items() if value or value not in _EMPTY}


def edit_and_delete(caller, owner, permissions, href):
    """edit and delete, offered only where OpenNebula may allow them: the caller owns the
    object or its permissions let others manage it (OpenNebula still has the last word)."""
    if owner.uname == caller.user_name or permissions.other_manage or permissions.group_manage:
        return [operation("edit", href), operation("delete", href)]
    return []
