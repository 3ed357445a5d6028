"""Pieces shared by the services when they turn OpenNebula records into CIMI documents."""
from datetime import datetime, timezone

from app.protocol.responses import operation

KIB_PER_MB = 1024


def iso_time(epoch_seconds):
    """An OpenNebula epoch time as CIMI's ISO 8601 UTC string; None when OpenNebula has none (0)."""
    if not epoch_seconds:
        return None
    return datetime.fromtimestamp(epoch_seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def kib_from_mb(megabytes):
    return int(megabytes) * KIB_PER_MB


def mb_from_kib(kibibytes):
    """KiB to MB; the schemas only let whole MiB through, so nothing is rounded away."""
    return int(kibibytes) // KIB_PER_MB


def without_empty(document):
    """The document without attributes that have no value, keeping CIMI's attribute order."""
    return {key: value for key, value in document.items() if value not in (None, "", [], {})}


def edit_and_delete(caller, owner, permissions, href):
    """edit and delete, offered only where OpenNebula may allow them: the caller owns the
    object or its permissions let others manage it (OpenNebula still has the last word)."""
    if owner.uname == caller.user_name or permissions.other_manage or permissions.group_manage:
        return [operation("edit", href), operation("delete", href)]
    return []
