"""Names and helpers the API tests share (`conftest` is not importable by name)."""
import time

from app.errors import Conflict
from support.lanes import STATE_WAIT_SECONDS

CIMI = "http://schemas.dmtf.org/cimi/1/"
ACTION = CIMI + "action/"


def terminate_all(one, vm_ids):
    """Terminate the VMs and wait until they are DONE, so no later test sees them change."""
    pending = set(vm_ids)
    deadline = time.monotonic() + STATE_WAIT_SECONDS
    while True:
        live = {vm.id for vm in one.vm_page().items} & pending
        if not live:
            return
        assert time.monotonic() < deadline, f"machines {sorted(live)} were never terminated"
        for vm_id in live:
            try:
                one.vm_action("terminate-hard", vm_id)
            except Conflict:
                pass   # in a transition (booting, already shutting down): try again shortly
        time.sleep(0.05)
