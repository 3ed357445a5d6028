"""Methods every pooled object shares in oned: update, rename, chmod, chown, lock, unlock.

`register_common_methods("one.image", "image")` registers them for a pool; pass `methods`
to pick a subset (e.g. a VM's update works on USER_TEMPLATE and is written separately).
"""
from . import auth
from .errors import ACTION, INTERNAL, OneError, not_authorized
from .names import name_error
from .registry import Bool, Int, Str, rpc
from .users import updated_template

LOCK_LEVELS = {1: "USE", 2: "MANAGE", 3: "ADMIN", 4: "ALL"}
# Operations a lock level blocks (oned: USE blocks everything, MANAGE manage+admin, ...).
_BLOCKED_BY_LEVEL = {1: {auth.USE, auth.MANAGE, auth.ADMIN}, 2: {auth.MANAGE, auth.ADMIN},
                     3: {auth.ADMIN}, 4: {auth.USE, auth.MANAGE, auth.ADMIN}}


def check_lock(obj, operation, caller):
    """oned refuses an operation a lock blocks while authorizing it (AclManager): an
    AUTHORIZATION error, worded for oneadmin's group as "<TYPE> is locked"."""
    if obj.lock and operation in _BLOCKED_BY_LEVEL.get(obj.lock["level"], set()):
        auth_type = auth.AUTH_TYPES.get(obj.pool_name, obj.pool_name.upper())
        if caller.is_admin:
            raise not_authorized(caller.uid, f"{auth_type} is locked. [{obj.id}]")
        raise not_authorized(caller.uid, f"Not authorized to perform {operation} {auth_type} [{obj.id}]")


def managed(call, pool_name, oid, operation=auth.MANAGE):
    """The object, checked for existence, permission and lock, ready to be changed."""
    obj = call.pool(pool_name).get(oid)
    auth.authorize(call.caller, obj, operation)
    check_lock(obj, operation, call.caller)
    return obj


def name_taken(call, pool_name, name, uid, exclude_id=None):
    """The owner's other object of that name, for pools whose names are unique per owner."""
    pool = call.pool(pool_name)
    if not pool.object_class.unique_names:
        return None
    return next((obj for obj in pool.values()
                 if obj.name == name and obj.uid == uid and obj.id != exclude_id), None)


def update_object(call, pool_name, oid, text, append):
    obj = managed(call, pool_name, oid)
    obj.template = updated_template(obj.template, text, append)
    call.pool(pool_name).save(obj)
    return oid


def rename_object(call, pool_name, oid, name):
    obj = managed(call, pool_name, oid)
    error = name_error(name)
    if error is not None:
        raise OneError(ACTION, error)
    existing = name_taken(call, pool_name, name, obj.uid, exclude_id=oid)
    if existing is not None:
        kind = obj.object_name
        raise OneError(ACTION, f"{kind} cannot be renamed to {name} because it collides with {kind} {existing.id}")
    obj.name = name
    call.pool(pool_name).save(obj)
    return oid


ADMIN_BITS = (2, 5, 8)


def chmod_object(call, pool_name, oid, bits):
    """Nine bits (-1 keeps); changing an admin bit needs ADMIN rights, as in oned, where an
    admin bit given with its current value is no change."""
    obj = call.pool(pool_name).get(oid)
    admin_change = any(bits[index] not in (-1, obj.permissions[index]) for index in ADMIN_BITS)
    obj = managed(call, pool_name, oid, auth.ADMIN if admin_change else auth.MANAGE)
    obj.permissions = [old if new == -1 else int(bool(new)) for old, new in zip(obj.permissions, bits)]
    call.pool(pool_name).save(obj)
    return oid


def chown_object(call, pool_name, oid, uid, gid):
    obj = managed(call, pool_name, oid)
    caller = call.caller
    new_user = call.pool("user").get(uid) if uid >= 0 else None
    new_group = call.pool("group").get(gid) if gid >= 0 else None
    if new_user is not None and not caller.is_admin:
        raise not_authorized(caller.uid, f"Not authorized to perform MANAGE USER [{uid}]")
    if new_group is not None and not caller.is_admin and gid not in caller.groups:
        raise not_authorized(caller.uid, f"Not authorized to perform USE GROUP [{gid}]")
    existing = name_taken(call, pool_name, obj.name, uid, exclude_id=oid) if new_user is not None else None
    if existing is not None:
        raise OneError(INTERNAL, f"user [{uid}] already owns {obj.object_name} [{existing.id}] with NAME {obj.name}")
    if new_user is not None:
        obj.uid, obj.uname = new_user.id, new_user.name
    if new_group is not None:
        obj.gid, obj.gname = new_group.id, new_group.name
    call.pool(pool_name).save(obj)
    return oid


def lock_object(call, pool_name, oid, level, test):
    obj = call.pool(pool_name).get(oid)
    auth.authorize(call.caller, obj, auth.MANAGE)
    if level not in LOCK_LEVELS:
        raise OneError(ACTION, "Wrong lock level specified")
    if obj.lock:
        if test:
            # oned's test_lock_db answers with the time the lock was taken.
            raise OneError(ACTION, str(obj.lock["time"]))
        return oid
    obj.set_lock(level, call.caller.uid)
    call.pool(pool_name).save(obj)
    return oid


def unlock_object(call, pool_name, oid):
    obj = call.pool(pool_name).get(oid)
    auth.authorize(call.caller, obj, auth.MANAGE)
    if obj.lock and (obj.lock["owner"] == call.caller.uid or call.caller.is_admin):
        obj.lock = None
        call.pool(pool_name).save(obj)
    return oid


def register_common_methods(prefix, pool_name,
                            methods=("update", "rename", "chmod", "chown", "lock", "unlock")):
    signatures = {
        "update": ((Int("id"), Str("template"), Int("append", 0)),
                   lambda call, oid, text, append: update_object(call, pool_name, oid, text, append)),
        "rename": ((Int("id"), Str("name")),
                   lambda call, oid, name: rename_object(call, pool_name, oid, name)),
        "chmod": ((Int("id"), *(Int(bit) for bit in ("ou", "om", "oa", "gu", "gm", "ga", "xu", "xm", "xa"))),
                  lambda call, oid, *bits: chmod_object(call, pool_name, oid, bits)),
        "chown": ((Int("id"), Int("uid"), Int("gid")),
                  lambda call, oid, uid, gid: chown_object(call, pool_name, oid, uid, gid)),
        "lock": ((Int("id"), Int("level"), Bool("test", False)),
                 lambda call, oid, level, test: lock_object(call, pool_name, oid, level, test)),
        "unlock": ((Int("id"),), lambda call, oid: unlock_object(call, pool_name, oid)),
    }
    for method in methods:
        params, handler = signatures[method]
        rpc(f"{prefix}.{method}", *params)(handler)
