"""Who is calling and what they may do, as oned's core auth and default ACLs decide.

Objects carry owner/group/other x use/manage/admin bits. The oneadmin user and members of
the oneadmin group may do anything. Everybody else needs the matching bit (owner bit if
they own the object, group bit if the object's group is one of theirs, other bit
otherwise) or a rule of the default ACL table below.
"""
import hashlib
import hmac
import itertools
import time
from dataclasses import dataclass

from .errors import api_error, authentication_failed, not_authorized

USE, MANAGE, ADMIN, CREATE = "USE", "MANAGE", "ADMIN", "CREATE"
_BIT_OFFSET = {USE: 0, MANAGE: 1, ADMIN: 2}

ONEADMIN_UID = 0
ONEADMIN_GID = 0
USERS_GID = 1

# oned's bootstrap ACLs (`oneacl list` on a fresh install): (group, object types, rights).
DEFAULT_ACLS = (
    (USERS_GID, {"VM", "IMAGE", "TEMPLATE", "DOCUMENT", "SECGROUP", "VMGROUP", "BACKUPJOB"}, {CREATE}),
    (USERS_GID, {"HOST"}, {USE, MANAGE}),
    (USERS_GID, {"NET", "DATASTORE"}, {USE}),
)

# oned's name for each object kind in authorization messages ("USE IMAGE [3]").
AUTH_TYPES = {
    "vm": "VM", "image": "IMAGE", "template": "TEMPLATE", "document": "DOCUMENT",
    "host": "HOST", "vnet": "NET", "datastore": "DATASTORE", "user": "USER", "group": "GROUP",
}


@dataclass(frozen=True)
class Caller:
    uid: int
    gid: int
    groups: frozenset
    name: str
    gname: str

    @property
    def is_admin(self):
        return self.uid == ONEADMIN_UID or ONEADMIN_GID in self.groups


def hash_password(password):
    return hashlib.sha256(password.encode("utf-8")).hexdigest()


def authenticate(emulator, session):
    """The Caller for a "user:password" or "user:token" session, or AUTHENTICATION."""
    if not isinstance(session, str) or ":" not in session:
        raise authentication_failed()
    name, secret = session.split(":", 1)
    user = emulator.pool("user").by_name(name)
    if user is None or not user.enabled:
        raise authentication_failed()
    effective_gid = _secret_group(user, secret)
    if effective_gid is None:
        raise authentication_failed()
    groups = frozenset(user.groups) if effective_gid == -1 else frozenset({effective_gid})
    gid = user.gid if effective_gid == -1 else effective_gid
    group = emulator.pool("group").find(gid)
    return Caller(user.id, gid, groups, user.name, group.name if group else "")


def _secret_group(user, secret):
    """-1 when `secret` is the password or an unscoped token, the token's EGID if scoped."""
    if hmac.compare_digest(user.password, hash_password(secret)):
        return -1
    now = time.time()
    for token in user.login_tokens:
        alive = token["expiration"] == -1 or token["expiration"] > now
        if alive and hmac.compare_digest(token["token"], secret):
            return token["egid"]
    return None


def _acl_allows(caller, auth_type, operation):
    return any(group in caller.groups and auth_type in types and operation in rights
               for group, types, rights in DEFAULT_ACLS)


def can(caller, obj, operation):
    return permitted(caller, operation)(obj)


def permitted(caller, operation):
    """obj -> whether `caller` may do `operation` on it: the owner's, group's or others'
    bit, else the ACLs. What depends on the caller alone is worked out once, so that a pool
    call weighs its many objects quickly (oned does it in its SQL where-clause)."""
    if caller.is_admin:
        return lambda obj: True
    uid, groups = caller.uid, caller.groups
    owner_bit = _BIT_OFFSET[operation]
    group_bit, other_bit = owner_bit + 3, owner_bit + 6
    by_acl = {}

    def allowed(obj):
        bits = obj.permissions
        if (obj.uid == uid and bits[owner_bit]) or (obj.gid in groups and bits[group_bit]) \
                or bits[other_bit]:
            return True
        pool_name = obj.pool_name
        if pool_name not in by_acl:
            by_acl[pool_name] = _acl_allows(caller, AUTH_TYPES.get(pool_name, ""), operation)
        return by_acl[pool_name]

    return allowed


def authorize(caller, obj, operation):
    """Raise oned's AUTHORIZATION error unless `caller` may do `operation` on `obj`.

    Like oned, the envelope's object id stays -1 for authorization failures.
    """
    if not can(caller, obj, operation):
        auth_type = AUTH_TYPES.get(obj.pool_name, obj.pool_name.upper())
        raise not_authorized(caller.uid, f"Not authorized to perform {operation} {auth_type} [{obj.id}]")


def authorize_create(caller, pool_name):
    """CREATE right for a new object of `pool_name` (granted by ACL to the users group)."""
    auth_type = AUTH_TYPES[pool_name]
    if caller.is_admin or _acl_allows(caller, auth_type, CREATE):
        return
    raise not_authorized(caller.uid, f"Not authorized to perform CREATE {auth_type}")


def require_admin(caller, operation, auth_type):
    """For what only oneadmin's group may do (create users and hosts)."""
    if not caller.is_admin:
        raise not_authorized(caller.uid, f"Not authorized to perform {operation} {auth_type}")


# Pool filter flags (include/PoolSQL.h).
ALL, MINE, MINE_GROUP, GROUP = -2, -3, -1, -4


def visible(caller, objects, filter_flag=ALL):
    """Objects of a pool call's filter flag the caller may see, oned's where-clause."""
    wanted = _wanted(caller, filter_flag)
    return [obj for obj in objects if wanted(obj)]


def select(caller, pool, filter_flag=ALL, start=-1, end=-1, keep=None):
    """A pool call's objects: those of `filter_flag` the caller may see and `keep` accepts,
    paged by start/end. Objects are looked at newest first and, with an offset and a page
    size, none past the page is looked at, as oned's LIMIT reads no further."""
    wanted = _wanted(caller, filter_flag)
    chosen = filter(wanted, pool.newest_first() if keep is None else
                    filter(keep, pool.newest_first()))
    return _page_in_order(chosen, start, end)


def page(objects, start=-1, end=-1):
    """oned's start/end: an id range, or with end < -1 an offset and page size.

    Objects come in descending id order (oned 7.0's API_LIST_ORDER="DESC").
    """
    return _page_in_order(_newest_first(objects), start, end)


def _wanted(caller, filter_flag):
    if filter_flag < GROUP:
        raise api_error("Incorrect filter_flag")
    narrower = {
        ALL: lambda obj: True,
        MINE: lambda obj: obj.uid == caller.uid,
        MINE_GROUP: lambda obj: obj.uid == caller.uid or obj.gid in caller.groups,
        GROUP: lambda obj: obj.gid == caller.gid,
    }.get(filter_flag, lambda obj: obj.uid == filter_flag)
    usable = permitted(caller, USE)
    if filter_flag == ALL:
        return usable
    return lambda obj: narrower(obj) and usable(obj)


def _newest_first(objects):
    return sorted(objects, key=lambda obj: obj.id, reverse=True)


def _page_in_order(ordered, start, end):
    if end < -1:
        offset = max(start, 0)
        return list(itertools.islice(ordered, offset, offset - end))
    return [obj for obj in ordered
            if (start == -1 or obj.id >= start) and (end == -1 or obj.id <= end)]


def pool_xml(root, objects, tail=""):
    """A pool document of the objects' cached listing entries (`tail` ends it, e.g. quotas)."""
    return f"<{root}>{''.join(obj.short_xml for obj in objects)}{tail}</{root}>"
