"""Terminating the VM of a Machine whose creation failed halfway, whatever oned is doing.

oned's scheduler may deploy a new VM within moments of its allocation, and while the VM is
being deployed (PROLOG, BOOT) oned refuses terminate-hard as a wrong state. A request that
fails halfway must not leave that VM to boot, so the terminate is asked again until oned
takes it, for at most ABANDON_WAIT_SECONDS.
"""
import time

from app.errors import Conflict

ABANDON_WAIT_SECONDS = 120.0
RETRY_SECONDS = 0.1


def terminate_abandoned(gateway, vm_id):
    deadline = time.monotonic() + ABANDON_WAIT_SECONDS
    while True:
        try:
            gateway.vm_action("terminate-hard", vm_id)
            return
        except Conflict:
            if time.monotonic() >= deadline:
                raise
        time.sleep(RETRY_SECONDS)
