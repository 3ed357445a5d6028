"""one.system.version and one.system.config."""
import functools
import re
from pathlib import Path

from .auth import ONEADMIN_GID
from .emulator import VERSION
from .registry import rpc

CONFIGURATION = (Path(__file__).parent / "data" / "oned_configuration.xml").read_text()
# Attributes only members of the oneadmin group may read.
_ADMIN_ONLY = ("ONE_KEY", "DB")


def _reduced(configuration):
    for name in _ADMIN_ONLY:
        configuration = re.sub(rf"<{name}>.*?</{name}>", "", configuration, flags=re.DOTALL)
    return configuration


REDUCED_CONFIGURATION = _reduced(CONFIGURATION)


@rpc("one.system.version")
def system_version(call):
    return VERSION


_DUMMY_VM_MAD = re.compile(r"<VM_MAD><EXECUTABLE><!\[CDATA\[one_vmm_dummy\]\]></EXECUTABLE>.*?</VM_MAD>")


@functools.lru_cache(maxsize=None)
def _configuration(hypervisor, admin):
    """The configuration with the dummy VM_MAD's capabilities of this emulator."""
    configuration = CONFIGURATION if admin else REDUCED_CONFIGURATION
    return _DUMMY_VM_MAD.sub(lambda _: hypervisor.vm_mad_xml(), configuration)


@rpc("one.system.config")
def system_config(call):
    # oned decides on the session's (primary or token) group, not on memberships.
    return _configuration(call.emulator.hypervisor, call.caller.gid == ONEADMIN_GID)
