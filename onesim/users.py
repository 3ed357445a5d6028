"""Users and groups: one.user.*, one.userpool.info, one.group.info, one.grouppool.info."""
import secrets
import time

from . import auth
from .auth import ONEADMIN_GID, USERS_GID, hash_password
from .errors import (ACTION, XML_RPC_API, OneError, internal_error,
                     not_authorized)
from .names import USER_INVALID_CHARACTERS, name_error
from .quotas import EMPTY_QUOTAS, usage_xml
from .registry import Array, Bool, Int, Str, pool_type, rpc
from .store import PoolObject, escape
from .template import Template, TemplateError, cdata

CORE_DRIVER = "core"


@pool_type("user", "user")
class User(PoolObject):
    def __init__(self, name, password_hash, gid, groups, driver=CORE_DRIVER):
        super().__init__(name=name, uid=-1, gid=gid)
        self.groups = sorted(set(groups) | {gid})
        self.password = password_hash
        self.auth_driver = driver
        self.enabled = 1
        self.login_tokens = []
        self.template = Template([("TOKEN_PASSWORD", secrets.token_hex(32))])

    def head_xml(self, gname):
        groups = "".join(f"<ID>{gid}</ID>" for gid in self.groups)
        tokens = "".join(
            f"<LOGIN_TOKEN><TOKEN>{escape(token['token'])}</TOKEN>"
            f"<EXPIRATION_TIME>{token['expiration']}</EXPIRATION_TIME><EGID>{token['egid']}</EGID>"
            "</LOGIN_TOKEN>" for token in self.login_tokens)
        return (f"<ID>{self.id}</ID><GID>{self.gid}</GID><GROUPS>{groups}</GROUPS>"
                f"<GNAME>{escape(gname)}</GNAME><NAME>{escape(self.name)}</NAME>"
                f"<PASSWORD>{cdata(self.password)}</PASSWORD><AUTH_DRIVER>{cdata(self.auth_driver)}</AUTH_DRIVER>"
                f"<ENABLED>{self.enabled}</ENABLED>{tokens}{self.template.to_xml()}")

    def render(self):
        return self.document(EMPTY_QUOTAS)

    def document(self, quotas):
        """one.user.info's document with `quotas` (see onesim.quotas.usage_xml)."""
        return (f"<USER>{self.head_xml(self.gname)}{quotas}"
                f"<DEFAULT_USER_QUOTAS>{EMPTY_QUOTAS}</DEFAULT_USER_QUOTAS></USER>")

    def render_short(self):
        return f"<USER>{self.head_xml(self.gname)}</USER>"


@pool_type("group", "group")
class Group(PoolObject):
    def __init__(self, name):
        super().__init__(name=name, uid=0, gid=0)
        self.users = []
        self.admins = []

    def members_xml(self):
        users = "".join(f"<ID>{uid}</ID>" for uid in self.users)
        admins = "".join(f"<ID>{uid}</ID>" for uid in self.admins)
        return (f"<ID>{self.id}</ID><NAME>{escape(self.name)}</NAME>{self.template.to_xml()}"
                f"<USERS>{users}</USERS><ADMINS>{admins}</ADMINS>")

    def render(self):
        return self.document(EMPTY_QUOTAS)

    def document(self, quotas):
        """one.group.info's document with `quotas` (see onesim.quotas.usage_xml)."""
        return (f"<GROUP>{self.members_xml()}{quotas}"
                f"<DEFAULT_GROUP_QUOTAS>{EMPTY_QUOTAS}</DEFAULT_GROUP_QUOTAS></GROUP>")

    def render_short(self):
        return f"<GROUP>{self.members_xml()}</GROUP>"


def create_user(emulator, name, password, group_ids=(), driver=CORE_DRIVER):
    """Allocate a user (also used by seeding); returns the new user."""
    groups = emulator.pool("group")
    primary = group_ids[0] if group_ids else USERS_GID
    user = User(name, hash_password(password), primary, group_ids or [primary], driver)
    user.gname = groups.get(primary).name
    emulator.pool("user").add(user)
    for gid in user.groups:
        group = groups.get(gid)
        group.users = sorted(set(group.users) | {user.id})
        groups.save(group)
    return user


def _check_name(name):
    """UserPool::allocate's check: oned's invalid characters plus white space, as INTERNAL."""
    error = name_error(name, USER_INVALID_CHARACTERS)
    if error is not None:
        raise internal_error(f"{error}.")


def _user_for(call, oid, operation):
    """The user `oid` (-1 = caller) if the caller may act on it: itself or an admin."""
    uid = call.caller.uid if oid == -1 else oid
    user = call.pool("user").get(uid)
    if uid != call.caller.uid and not call.caller.is_admin:
        raise not_authorized(call.caller.uid, f"Not authorized to perform {operation} USER [{uid}]")
    return user


@rpc("one.user.info", Int("id"), Bool("decrypt", False))
def user_info(call, oid, decrypt):
    user = _user_for(call, oid, auth.USE)
    return user.document(usage_xml(call.emulator, "uid", user.id))


@rpc("one.userpool.info")
def userpool_info(call):
    users = call.pool("user").values()
    if not call.caller.is_admin:
        users = [user for user in users if user.id == call.caller.uid]
    return _pool_with_quotas(call.emulator, "USER_POOL", auth.page(users), "uid",
                             "DEFAULT_USER_QUOTAS")


@rpc("one.user.allocate", Str("name"), Str("password"), Str("driver", ""), Array("group_ids", []))
def user_allocate(call, name, password, driver, group_ids):
    auth.require_admin(call.caller, auth.CREATE, "USER")
    _check_name(name)
    if not password:
        raise internal_error("Invalid password, it cannot be empty.")
    existing = call.pool("user").by_name(name)
    if existing is not None:
        raise internal_error(f"NAME is already taken by USER {existing.id}.")
    if not all(isinstance(gid, int) for gid in group_ids):
        raise OneError(XML_RPC_API, "Wrong group id")
    for gid in group_ids:
        call.pool("group").get(gid)
    return create_user(call.emulator, name, password, list(group_ids), driver or CORE_DRIVER).id


@rpc("one.user.passwd", Int("id"), Str("password"))
def user_passwd(call, oid, password):
    user = _user_for(call, oid, auth.MANAGE)
    if not password:
        raise OneError(ACTION, "Invalid password, it cannot be empty", oid)
    user.password = hash_password(password)
    call.pool("user").save(user)
    return user.id


@rpc("one.user.update", Int("id"), Str("template"), Int("append", 0))
def user_update(call, oid, text, append):
    user = _user_for(call, oid, auth.MANAGE)
    user.template = updated_template(user.template, text, append)
    call.pool("user").save(user)
    return user.id


UPDATE_FAILURE = "Cannot update template. "


def updated_template(current, text, append):
    """oned's update: replace (append=0) or merge (append=1) a template.

    An unparsable text fails as oned's "Cannot update template. Parse error..."
    (INTERNAL). A template holding `]]>` is accepted but not stored: oned cannot write the
    object's XML and keeps it as it was, while the call succeeds."""
    try:
        new = Template.parse(text)
    except TemplateError as error:
        raise internal_error(f"{UPDATE_FAILURE}{error}") from error
    if append:
        merged = current.copy()
        merged.merge(new)
        new = merged
    return current if new.holds_cdata_end() else new


@rpc("one.user.login", Str("username"), Str("token"), Int("valid_secs"), Int("egid", -1))
def user_login(call, username, token, valid_secs, egid):
    user = call.pool("user").by_name(username)
    if user is None:
        raise OneError(ACTION, f"Error getting user {username}")
    if user.id != call.caller.uid and not call.caller.is_admin:
        raise not_authorized(call.caller.uid, f"Not authorized to perform MANAGE USER [{user.id}]")
    if valid_secs < -1:
        raise OneError(ACTION, "Invalid expiration time", user.id)
    if egid != -1 and egid not in user.groups:
        raise OneError(ACTION, "EGID is not in user group list", user.id)
    if valid_secs == 0:
        user.login_tokens = [entry for entry in user.login_tokens if token and entry["token"] != token]
        call.pool("user").save(user)
        return token
    token = token or secrets.token_hex(20)
    expiration = -1 if valid_secs == -1 else int(time.time()) + valid_secs
    user.login_tokens = [entry for entry in user.login_tokens if entry["token"] != token]
    user.login_tokens.append({"token": token, "expiration": expiration, "egid": egid})
    call.pool("user").save(user)
    return token


def _group_for(call, oid):
    group = call.pool("group").get(oid)
    if not call.caller.is_admin and oid not in call.caller.groups:
        raise not_authorized(call.caller.uid, f"Not authorized to perform USE GROUP [{oid}]")
    return group


@rpc("one.group.info", Int("id"), Bool("decrypt", False))
def group_info(call, oid, decrypt):
    gid = call.caller.gid if oid == -1 else oid
    return _group_for(call, gid).document(usage_xml(call.emulator, "gid", gid))


@rpc("one.grouppool.info")
def grouppool_info(call):
    groups = call.pool("group").values()
    if not call.caller.is_admin:
        groups = [group for group in groups if group.id in call.caller.groups]
    return _pool_with_quotas(call.emulator, "GROUP_POOL", auth.page(groups), "gid",
                             "DEFAULT_GROUP_QUOTAS")


def _pool_with_quotas(emulator, root, objects, owner_key, default_quotas):
    """oned joins each row with its quotas: every entry is followed by its own QUOTAS."""
    entries = "".join(f"{obj.short_xml}<QUOTAS><ID>{obj.id}</ID>"
                      f"{usage_xml(emulator, owner_key, obj.id)}</QUOTAS>" for obj in objects)
    return f"<{root}>{entries}<{default_quotas}>{EMPTY_QUOTAS}</{default_quotas}></{root}>"


def create_group(emulator, name, oid=None):
    group = Group(name)
    emulator.pool("group").add(group, oid)
    return group


BOOTSTRAP_GROUPS = ((ONEADMIN_GID, "oneadmin"), (USERS_GID, "users"))
