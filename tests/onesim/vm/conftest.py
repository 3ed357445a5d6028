"""Fixtures of the VM emulator tests (see onesim_vm_support).

- `sim`: a fresh emulator per test, timers driven by the test.
- `running_vm`: the id of a small VM that has reached RUNNING in `sim`.
"""
import pytest

from onesim_vm_support import SMALL_VM, Sim


@pytest.fixture
def sim(tmp_path):
    simulator = Sim(tmp_path / "onesim")
    yield simulator
    simulator.stop()


@pytest.fixture
def running_vm(sim):
    vm_id = sim.ok("one.vm.allocate", SMALL_VM)
    sim.settle(vm_id, (3, 3))
    return vm_id
