"""The benchmark's cloud: instance types installed as an administrator does, and the demo
user's machines, 1 in RUNNING_SHARE of them running and the others on hold.

Every machine has the shape of one launched through CIMI with the default instance type and
the ttylinux image (capacity, an image disk, a swap disk, description, properties and the
CIMI_MACHINE_* references), but no NIC: the demo network has only 253 addresses. Held
machines are left alone by the scheduler and the life-cycle, so nothing but the benchmark's
own calls runs while it measures.

`EmulatorSeeder` has the emulator copy one allocated VM as many times as asked
(`onesim.bulk`, through its control endpoint): 100,000 VMs take seconds instead of the many
minutes of as many `one.vm.allocate` calls. `OnedSeeder` makes them on a real OpenNebula
with `one.vm.allocate` on hold, one after the other, then releases the share to run and
waits until the scheduler has them RUNNING.
"""
import concurrent.futures
import os
import subprocess
import sys
import time

import pyone

from app.one.documents import MACHINE_CONFIGURATION
from app.one.metadata import encode_metadata
from app.one.templates import build_template
from app.services.instance_types import INSTANCE_TYPES
from app.services.machine_definitions import MACHINE_CONFIG, MACHINE_IMAGE
from bench.processes import REPO_ROOT

IMAGE_NAME = "ttylinux"
INSTALL_SECONDS = 120
POOL_ALL = -2
RUNNING_SHARE = 100
MACHINE_NAME = "bench"
# oned 7.0.2 on SQLite, with concurrent allocations on a loaded machine, may read the next
# VM id while its database is locked and from then on insert VMs on taken ids ("UNIQUE
# constraint failed: vm_pool.oid" in oned.log) until it is restarted: one at a time.
ALLOCATING_THREADS = 1
DELETING_THREADS = 4
ACTIVE, RUNNING = 3, 3
ANY_STATE, ANY_BUT_DONE = -2, -1
RECOVER_DELETE = 3
RUN_WAIT_SECONDS = 300


def install_instance_types(endpoint, auth_file):
    """`python -m app.admin install-instance-types` as oneadmin, with its own output kept quiet."""
    environment = {**os.environ, "ONE_XMLRPC": endpoint, "ONE_AUTH": str(auth_file)}
    subprocess.run([sys.executable, "-m", "app.admin", "install-instance-types"], cwd=REPO_ROOT,
                   env=environment, check=True, timeout=INSTALL_SECONDS,
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)


def machine_attributes(one):
    """A machine of the default instance type on the ttylinux image, as the server would
    allocate it, without its NAME (`one`: a pyone client of the machines' owner)."""
    kind = next(kind for kind in INSTANCE_TYPES if kind.default)
    documents = one.documentpool.info(POOL_ALL, -1, -1, MACHINE_CONFIGURATION).DOCUMENT
    configuration_id = next(document.ID for document in documents if document.NAME == kind.name)
    image_id = next(image.ID for image in one.imagepool.info(POOL_ALL, -1, -1).IMAGE
                    if image.NAME == IMAGE_NAME)
    return {
        "CPU": kind.cpu,
        "VCPU": kind.cpu,
        "MEMORY": kind.ram_mb,
        "DISK": [{"IMAGE_ID": image_id}, {"TYPE": "swap", "SIZE": kind.swap_mb}],
        MACHINE_CONFIG: configuration_id,
        MACHINE_IMAGE: image_id,
        **encode_metadata("Benchmark machine", {"purpose": "benchmark"}),
    }


def machine_template(attributes, name=MACHINE_NAME):
    return build_template({"NAME": name, **attributes})


def running_share(count):
    return count // RUNNING_SHARE


class EmulatorSeeder:
    """Grows the demo user's pool in the emulator, in bulk; the pool only ever grows."""

    def __init__(self, onesim, attributes):
        self.onesim = onesim
        self.template = machine_template(attributes)
        self.machine_ids = []
        self.running = 0

    def grow_to(self, count):
        """Add machines until the user has `count`; the seconds it took."""
        started = time.perf_counter()
        missing = count - len(self.machine_ids)
        if missing > 0:
            running = running_share(missing)
            self.machine_ids += self.onesim.seed_vms(self.onesim.demo_session, self.template,
                                                     missing, running)
            self.running += running
        return time.perf_counter() - started


class OnedSeeder:
    """Grows the demo user's pool on a real OpenNebula with its own API calls."""

    def __init__(self, endpoint, session, attributes):
        self.endpoint = endpoint
        self.session = session
        self.attributes = attributes
        self.one = pyone.OneServer(endpoint, session)
        self.machine_ids = []
        self.running = 0

    def grow_to(self, count):
        started = time.perf_counter()
        numbers = range(len(self.machine_ids) + 1, count + 1)
        with concurrent.futures.ThreadPoolExecutor(ALLOCATING_THREADS) as threads:
            new_ids = sorted(threads.map(self._allocate, numbers))
        to_run = new_ids[::RUNNING_SHARE][:running_share(len(new_ids))]
        for vm_id in to_run:
            self.one.vm.action("release", vm_id)
        self.machine_ids += new_ids
        self.running += len(to_run)
        self._wait_until_running()
        return time.perf_counter() - started

    def _allocate(self, number):
        own = pyone.OneServer(self.endpoint, self.session)
        return own.vm.allocate(machine_template(self.attributes, f"{MACHINE_NAME}-{number}"), True)

    def _wait_until_running(self):
        deadline = time.monotonic() + RUN_WAIT_SECONDS
        while time.monotonic() < deadline:
            try:
                active = self.one.vmpool.info(POOL_ALL, -1, -1, ACTIVE).VM
            except pyone.OneAuthenticationException:
                # oned's SQLite is locked while the scheduler deploys: its user lookup fails
                # for a moment ("database is locked" in oned.log); the next poll asks again.
                active = ()
            if sum(vm.LCM_STATE == RUNNING for vm in active) >= self.running:
                return
            time.sleep(1)
        raise RuntimeError(f"{self.running} machines were not RUNNING within {RUN_WAIT_SECONDS} s: "
                           "do the hosts have room for them? (SCHED_MESSAGE of the PENDING ones)")


def last_vm_id(endpoint, admin_session):
    """The highest VM id OpenNebula has given so far (-1 for none)."""
    vms = pyone.OneServer(endpoint, admin_session).vmpool.info(POOL_ALL, -1, -1, ANY_STATE).VM
    return max((vm.ID for vm in vms), default=-1)


def remove_vms_after(endpoint, admin_session, last_id):
    """Delete (one.vm.recover delete) every VM made after `last_id`: what the benchmark left
    on a real OpenNebula. The number deleted."""
    one = pyone.OneServer(endpoint, admin_session)
    vm_ids = [vm.ID for vm in one.vmpool.info(POOL_ALL, -1, -1, ANY_BUT_DONE).VM
              if vm.ID > last_id]

    def delete(vm_id):
        pyone.OneServer(endpoint, admin_session).vm.recover(vm_id, RECOVER_DELETE)

    with concurrent.futures.ThreadPoolExecutor(DELETING_THREADS) as threads:
        list(threads.map(delete, vm_ids))
    return len(vm_ids)
