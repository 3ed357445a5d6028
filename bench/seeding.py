"""The benchmark's cloud: instance types installed as an administrator does, and the demo
user's machines allocated over XML-RPC with pyone, as any OpenNebula client would.

Every machine has the shape of one launched through CIMI with the default instance type and
the ttylinux image (capacity, an image disk, a swap disk, description, properties and the
CIMI_MACHINE_* references), but no NIC: the demo network has only 253 addresses. Machines are
allocated on hold, so the emulator's scheduler and life-cycle timers leave them alone and
nothing but the benchmark's own calls runs while it measures.
"""
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


def install_instance_types(endpoint, auth_file):
    """`python -m app.admin install-instance-types` as oneadmin, with its own output kept quiet."""
    environment = {**os.environ, "ONE_XMLRPC": endpoint, "ONE_AUTH": str(auth_file)}
    subprocess.run([sys.executable, "-m", "app.admin", "install-instance-types"], cwd=REPO_ROOT,
                   env=environment, check=True, timeout=INSTALL_SECONDS,
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)


class MachineSeeder:
    """Allocates the demo user's machines; the pool only ever grows."""

    def __init__(self, endpoint, session):
        self.one = pyone.OneServer(endpoint, session)
        self.instance_type = next(kind for kind in INSTANCE_TYPES if kind.default)
        self.configuration_id = self._configuration_id()
        self.image_id = self._image_id()
        self.machine_ids = []

    def _configuration_id(self):
        documents = self.one.documentpool.info(POOL_ALL, -1, -1, MACHINE_CONFIGURATION).DOCUMENT
        return next(document.ID for document in documents
                    if document.NAME == self.instance_type.name)

    def _image_id(self):
        images = self.one.imagepool.info(POOL_ALL, -1, -1).IMAGE
        return next(image.ID for image in images if image.NAME == IMAGE_NAME)

    def grow_to(self, count):
        """Allocate machines until the user has `count`; the seconds it took."""
        started = time.perf_counter()
        while len(self.machine_ids) < count:
            number = len(self.machine_ids) + 1
            self.machine_ids.append(self.one.vm.allocate(self._template(number), True))
        return time.perf_counter() - started

    def _template(self, number):
        kind = self.instance_type
        return build_template({
            "NAME": f"bench-{number}",
            "CPU": kind.cpu,
            "VCPU": kind.cpu,
            "MEMORY": kind.ram_mb,
            "DISK": [{"IMAGE_ID": self.image_id}, {"TYPE": "swap", "SIZE": kind.swap_mb}],
            MACHINE_CONFIG: self.configuration_id,
            MACHINE_IMAGE: self.image_id,
            **encode_metadata(f"Benchmark machine {number}",
                              {"purpose": "benchmark", "batch": str(number // 100)}),
        })
