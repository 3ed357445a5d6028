"""The OpenNebula a test run talks to: its lane.

- The emulator lane (the default): each pytest worker starts its own `onesim`, whose demo user
  acts, and whose faults can be injected (`onesim_server`, `onesim_process`).
- The real lane (`CIMI_TEST_LANE=real`): a real OpenNebula named by `CIMI_TEST_ONE_XMLRPC`
  (its XML-RPC endpoint) and `CIMI_TEST_ONE_AUTH` (a file holding oneadmin's
  `user:password`, like ONE_AUTH). Only the tests that make sense on any OpenNebula run there
  (REAL_LANE_TESTS); a test that needs the emulator's fault injection asks for `onesim_server`
  or `onesim_process` and is skipped with that reason.

On the real lane every pytest worker acts as users of its own, `cimitest-<worker>` and
`cimitest-<worker>-<role>`, made by oneadmin, so that workers (and the tests that check that
a failed request left nothing behind) never see each other's objects. What such users own is
removed when the worker starts, so a run that was killed leaves nothing in the way of the
next. Two runs against the same cloud at the same time are not supported.
"""
import contextlib
import fcntl
import hashlib
import os
import tempfile
import time
import xmlrpc.client
from pathlib import Path

LANE = os.environ.get("CIMI_TEST_LANE", "emulator")
REAL = LANE == "real"
ENDPOINT_VARIABLE = "CIMI_TEST_ONE_XMLRPC"
AUTH_VARIABLE = "CIMI_TEST_ONE_AUTH"
# Directories of tests that run on the real lane too (the rest test the emulator itself or
# pure functions).
REAL_LANE_TESTS = ("api", "e2e", "cli", "differential", "browser")
# Hang guards for waits on machine states, not timing checks: a real scheduler places VMs in
# windows of up to ~10 s, a resume from stopped passes through PENDING, and the workers of a
# run share the real cloud's hosts.
STATE_WAIT_SECONDS = 240 if REAL else 60
EMULATOR_ONLY = "needs the emulator (fault injection or its internals); skipped on the real lane"
TEST_USER_PREFIX = "cimitest"
USERS_GROUP = 1
VM_NOT_DONE = -1


def worker():
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


class Emulator:
    """The emulator lane: this worker's onesim (an in-process or subprocess handle)."""
    real = False

    def __init__(self, onesim):
        self.onesim = onesim
        self.endpoint = onesim.endpoint
        self.admin_auth_file = onesim.data_dir / "one_auth"
        self.demo_session = onesim.demo_session

    @property
    def admin_session(self):
        return self.onesim.admin_session

    def user_session(self, role):
        """The session of a second user of the users group, made by oneadmin on first use."""
        return _ensure_user(self, role, f"{role}-secret")

    def owns(self, user_name):
        """Whether objects of this user are this worker's: all are, the emulator is its own."""
        return True

    def clear_faults(self):
        self.onesim.clear_faults()


class RealOpenNebula:
    """The real lane: the OpenNebula of CIMI_TEST_ONE_XMLRPC, acted on by this worker's users."""
    real = True

    def __init__(self, endpoint, admin_auth_file):
        self.endpoint = endpoint
        self.admin_auth_file = Path(admin_auth_file)
        self.admin_session = self.admin_auth_file.read_text().strip()
        self.prefix = f"{TEST_USER_PREFIX}-{worker()}"
        self.demo_session = _ensure_user(self, None, f"{self.prefix}-secret")

    def user_name(self, role):
        return self.prefix if role is None else f"{self.prefix}-{role}"

    def owns(self, user_name):
        """Whether objects of this user are this worker's: those of its own users."""
        return user_name == self.prefix or user_name.startswith(self.prefix + "-")

    def user_session(self, role):
        return _ensure_user(self, role, f"{self.user_name(role)}-secret")

    def clear_faults(self):
        """Nothing to clear: faults are injected into the emulator only."""

    def remove_leftovers(self):
        """Remove what this worker's users own: VMs first (they hold images), then images,
        templates and documents."""
        one = Rpc(self.endpoint, self.admin_session)
        owners = {int(user.findtext("ID")) for user in one.pool("userpool.info")
                  if self.owns(user.findtext("NAME"))}
        if not owners:
            return
        vms = [vm for vm in one.pool("vmpool.info", -2, -1, -1, VM_NOT_DONE)
               if int(vm.findtext("UID")) in owners]
        for vm in vms:
            with contextlib.suppress(OpenNebulaRefusal):
                one.call("vm.action", "terminate-hard", int(vm.findtext("ID")))
        _wait_until_gone(one, {int(vm.findtext("ID")) for vm in vms})
        for pool, method in (("imagepool.info", "image.delete"),
                             ("templatepool.info", "template.delete"),
                             ("documentpool.info", "document.delete")):
            arguments = (-2, -1, -1) if pool != "documentpool.info" else (-2, -1, -1, -1)
            for item in one.pool(pool, *arguments):
                if int(item.findtext("UID")) in owners:
                    with contextlib.suppress(OpenNebulaRefusal):
                        one.call(method, int(item.findtext("ID")))


def real_opennebula():
    """The real lane's OpenNebula from the environment; a usage error names what is missing."""
    endpoint, auth = os.environ.get(ENDPOINT_VARIABLE), os.environ.get(AUTH_VARIABLE)
    if not endpoint or not auth:
        raise RuntimeError(f"the real lane needs {ENDPOINT_VARIABLE} (the XML-RPC endpoint) "
                           f"and {AUTH_VARIABLE} (a file holding oneadmin's user:password)")
    return RealOpenNebula(endpoint, auth)


@contextlib.contextmanager
def exclusive(opennebula, name):
    """Held by one pytest worker at a time for `name` on this OpenNebula: for set-up steps that
    all workers share, such as installing the instance types."""
    digest = hashlib.sha256(f"{opennebula.endpoint} {name}".encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"cimi-test-{digest}.lock"
    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


class OpenNebulaRefusal(Exception):
    pass


class Rpc:
    """Plain XML-RPC calls as oneadmin, for the lane's own set-up (not the code under test)."""

    def __init__(self, endpoint, session):
        self.proxy = xmlrpc.client.ServerProxy(endpoint)
        self.session = session

    def call(self, method, *arguments):
        answer = getattr(self.proxy, "one." + method)(self.session, *arguments)
        if not answer[0]:
            raise OpenNebulaRefusal(answer[1])
        return answer[1]

    def pool(self, method, *arguments):
        """The objects of a pool: the children named after it (a user pool also holds
        quotas)."""
        from defusedxml import ElementTree

        root = ElementTree.fromstring(self.call(method, *arguments))
        return root.findall(root.tag.removesuffix("_POOL"))


def _ensure_user(opennebula, role, password):
    """`name:password` of a users-group user; made (or its password reset) by oneadmin."""
    name = opennebula.user_name(role) if opennebula.real else role
    one = Rpc(opennebula.endpoint, opennebula.admin_session)
    try:
        one.call("user.allocate", name, password, "", [])
    except OpenNebulaRefusal:
        (user_id,) = [int(user.findtext("ID")) for user in one.pool("userpool.info")
                      if user.findtext("NAME") == name]
        one.call("user.passwd", user_id, password)
    return f"{name}:{password}"


def _wait_until_gone(one, vm_ids):
    deadline = time.monotonic() + STATE_WAIT_SECONDS
    while vm_ids and time.monotonic() < deadline:
        live = {int(vm.findtext("ID")) for vm in one.pool("vmpool.info", -2, -1, -1,
                                                          VM_NOT_DONE)}
        vm_ids = vm_ids & live
        time.sleep(0.5)
