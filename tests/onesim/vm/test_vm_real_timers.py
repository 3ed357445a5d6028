"""The same walks on the emulator's own timer thread (fast speed), in process and as a
separate `python -m onesim` process: deadlines here only guard against hangs."""
import time

import pyone
import pytest

from onesim.testing import running_onesim

HANG_GUARD_SECONDS = 120


def wait_for_state(client, vm_id, state, lcm_state=0):
    deadline = time.monotonic() + HANG_GUARD_SECONDS
    while time.monotonic() < deadline:
        vm = client.vm.info(vm_id)
        if (vm.STATE, vm.LCM_STATE) == (state, lcm_state):
            return vm
        time.sleep(0.02)
    raise AssertionError(f"VM {vm_id} never reached {state}/{lcm_state}")


@pytest.mark.parametrize("in_process", [True, False], ids=["in-process", "subprocess"])
def test_walks_on_real_timers(tmp_path, in_process):
    with running_onesim(data_dir=tmp_path, in_process=in_process) as one:
        demo = pyone.OneServer(one.endpoint, session=one.demo_session)
        image_id = next(image.ID for image in demo.imagepool.info(-2, -1, -1).IMAGE if image.NAME == "ttylinux")
        vm_id = demo.vm.allocate(f'NAME="timed"\nCPU="0.1"\nMEMORY="64"\nDISK=[IMAGE_ID="{image_id}"]\n'
                                 'NIC=[NETWORK="private",NETWORK_UNAME="oneadmin"]')
        running = wait_for_state(demo, vm_id, 3, 3)
        assert running.TEMPLATE["NIC"]["IP"]
        demo.vm.action("poweroff", vm_id)
        wait_for_state(demo, vm_id, 8)
        demo.vm.action("terminate", vm_id)
        wait_for_state(demo, vm_id, 6)
        assert [vm.ID for vm in demo.vmpool.info(-3, -1, -1, -1).VM] == []
