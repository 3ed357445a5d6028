"""The two backends a scenario runs on, and the context that tracks and cleans up its objects.

A scenario gets a `Context`: `ctx.admin` (a recorded `Session` as oneadmin), `ctx.new_user()`
(a fresh user of group `users`, as a recorded `Session`), `ctx.names.new(label)` (a name unique
to this run) and `ctx.track(kind, id)`. Everything tracked is removed afterwards, as oneadmin
and unrecorded, whatever happened: VMs first (so their images are released), then images,
templates, documents and users.
"""
import os
import time
import xmlrpc.client
from pathlib import Path

from differential_record import Recorder, Session

ENDPOINT_VARIABLE = "CIMI_TEST_ONE_XMLRPC"
AUTH_VARIABLE = "CIMI_TEST_ONE_AUTH"
USERS_GROUP = 1
CLEANUP_SECONDS = 90.0
CLEANUP_ORDER = ("vm", "image", "template", "document", "user")


def real_oned_configured():
    return bool(os.environ.get(ENDPOINT_VARIABLE) and os.environ.get(AUTH_VARIABLE))


def real_oned():
    """The oned of the environment: its endpoint, and oneadmin's session from the auth file."""
    return Backend("oned", os.environ[ENDPOINT_VARIABLE], Path(os.environ[AUTH_VARIABLE]).read_text().strip())


class Backend:
    def __init__(self, name, endpoint, admin_credentials):
        self.name = name
        self.endpoint = endpoint
        self.admin_credentials = admin_credentials


class Context:
    def __init__(self, backend, names):
        self.backend = backend
        self.names = names
        self.recorder = Recorder(names)
        self.admin = Session(backend.endpoint, backend.admin_credentials, self.recorder)
        self.tracked = []

    def session(self, credentials):
        return Session(self.backend.endpoint, credentials, self.recorder)

    def new_user(self, label="user"):
        """A fresh user (recorded as step `allocate <label>`) and a session acting as it."""
        name = self.names.new(label)
        uid = self.admin.ok(f"allocate {label}", "user.allocate", name, "pw", "", [USERS_GROUP])
        self.track("user", uid)
        session = self.session(f"{name}:pw")
        session.uid = uid
        return session

    def track(self, kind, object_id):
        self.tracked.append((kind, object_id))
        return object_id

    def clean_up(self):
        admin = xmlrpc.client.ServerProxy(self.backend.endpoint)
        for kind in CLEANUP_ORDER:
            for tracked_kind, object_id in reversed(self.tracked):
                if tracked_kind == kind:
                    _remove(admin, self.backend.admin_credentials, kind, object_id)


def _remove(proxy, credentials, kind, object_id):
    """Remove one object, retrying while it is busy (a VM in a transition, a used image)."""
    deadline = time.monotonic() + CLEANUP_SECONDS
    while time.monotonic() < deadline:
        if not _exists(proxy, credentials, kind, object_id):
            return
        try:
            if kind == "vm":
                proxy.one.vm.action(credentials, "terminate-hard", object_id)
            else:
                getattr(proxy.one, kind).delete(credentials, object_id)
        except xmlrpc.client.Fault:
            return  # the emulator has no one.user.delete: its users go with its data directory
        time.sleep(0.5)


def _exists(proxy, credentials, kind, object_id):
    envelope = getattr(proxy.one, kind).info(credentials, object_id)
    if not envelope[0]:
        return False
    return kind != "vm" or "<STATE>6</STATE>" not in envelope[1]
