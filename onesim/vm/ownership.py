"""chown, chmod and rename as oned's RequestManagerChown/Chmod/Rename do them, for VMs and
VM templates alike.
"""
import re

from .. import auth
from ..errors import ACTION, OneError, not_authorized

_ADMIN_BITS = (2, 5, 8)
_INVALID_NAME = re.compile(r"[\n\t\r]")


def chown(call, obj, uid, gid):
    auth.authorize(call.caller, obj, auth.MANAGE)
    user = call.pool("user").get(uid) if uid > -1 else None
    group = call.pool("group").get(gid) if gid > -1 else None
    caller = call.caller
    if user is not None and user.id != caller.uid and not caller.is_admin:
        raise not_authorized(caller.uid, f"Not authorized to perform MANAGE USER [{user.id}]", obj.id)
    if group is not None and group.id not in caller.groups and not caller.is_admin:
        raise not_authorized(caller.uid, f"Not authorized to perform USE GROUP [{group.id}]", obj.id)
    if user is not None:
        obj.uid, obj.uname = user.id, user.name
    if group is not None:
        obj.gid, obj.gname = group.id, group.name
    call.pool(obj.pool_name).save(obj)
    return obj.id


def chmod(call, obj, bits):
    admin_change = any(bits[index] == 1 for index in _ADMIN_BITS)
    auth.authorize(call.caller, obj, auth.ADMIN if admin_change else auth.MANAGE)
    obj.permissions = [current if wanted == -1 else int(bool(wanted))
                       for current, wanted in zip(obj.permissions, bits)]
    call.pool(obj.pool_name).save(obj)
    return obj.id


def rename(call, obj, name):
    auth.authorize(call.caller, obj, auth.MANAGE)
    check_name(name, obj.id)
    obj.name = name
    call.pool(obj.pool_name).save(obj)
    return obj.id


def check_name(name, object_id=-1):
    if not name:
        raise OneError(ACTION, "Invalid NAME, it cannot be empty", object_id)
    if _INVALID_NAME.search(name):
        raise OneError(ACTION, "Invalid NAME, it cannot contain newlines or tabs", object_id)
