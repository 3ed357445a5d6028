"""onesim's documents against oned's, character for character once numbers and UUIDs
are blanked: the same elements in the same order, CDATA exactly where oned writes it."""
import re

import pytest

from onesim_vm_support import transcript_value

_NUMBER = re.compile(r"\d+(\.\d+)?")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
RUNNING, POWEROFF, DONE = (3, 3), (8, 0), (6, 0)


def blanked(document):
    return _NUMBER.sub("N", _UUID.sub("U", document))


@pytest.fixture
def recorded_setup(sim):
    """The transcripts' cloud: an OS image, a DATABLOCK and the tiny-vm template."""
    os_image = sim.ok("one.image.allocate", 'NAME="tiny-os"\nTYPE="OS"\nPATH="/var/lib/one/tiny-os.img"', 1)
    dblock = sim.ok("one.image.allocate", 'NAME="dblock-10"\nTYPE="DATABLOCK"\nSIZE="10"\nFORMAT="raw"', 1)
    images = sim.emulator.pool("image")
    sim.run_until(lambda: images.get(os_image).state == images.get(dblock).state == 1)
    template_id = sim.ok("one.template.allocate", (
        f'NAME="tiny-vm"\nCPU="0.1"\nVCPU="1"\nMEMORY="64"\nDISK=[IMAGE_ID="{os_image}"]\n'
        'GRAPHICS=[TYPE="VNC",LISTEN="127.0.0.1"]\n'
        'CONTEXT=[NETWORK="YES",SSH_PUBLIC_KEY="$USER[SSH_PUBLIC_KEY]"]\n'))
    return template_id, dblock


def test_documents_along_the_recorded_life_cycle(sim, recorded_setup):
    template_id, dblock = recorded_setup
    compared = {"023_template.info": sim.ok("one.template.info", template_id)}
    vm_id = sim.ok("one.template.instantiate", template_id, "vm-1", False, "", False)
    compared["026_vm.info-just-instantiated"] = sim.ok("one.vm.info", vm_id)
    sim.settle(vm_id, RUNNING)
    compared["029_vm.info-running"] = sim.ok("one.vm.info", vm_id)
    compared["032_vmpool.info"] = sim.ok("one.vmpool.info", -2, -1, -1, -1)
    sim.run_until(lambda: sim.vm(vm_id).last_poll)
    compared["030_vm.info-with-monitoring"] = sim.ok("one.vm.info", vm_id)
    compared["031_vm.monitoring"] = sim.ok("one.vm.monitoring", vm_id)
    compared["033_vmpool.infoextended"] = sim.ok("one.vmpool.infoextended", -2, -1, -1, -1)
    sim.ok("one.vm.action", "poweroff", vm_id)
    sim.settle(vm_id, POWEROFF)
    compared["037_vm.info-poweroff"] = sim.ok("one.vm.info", vm_id)
    sim.ok("one.vm.action", "resume", vm_id)
    sim.settle(vm_id, RUNNING)
    sim.ok("one.vm.attach", vm_id, f'DISK=[IMAGE_ID="{dblock}"]')
    sim.settle(vm_id, RUNNING)
    compared["044_vm.info-after-attach"] = sim.ok("one.vm.info", vm_id)
    sim.ok("one.vm.detach", vm_id, 2)
    sim.settle(vm_id, RUNNING)
    compared["048_vm.info-after-detach"] = sim.ok("one.vm.info", vm_id)
    saved = sim.ok("one.vm.disksaveas", vm_id, 0, "saved-from-vm-1", "", -1)
    sim.settle(vm_id, RUNNING)
    compared["053_image.info-saved"] = sim.ok("one.image.info", saved)
    sim.ok("one.vm.action", "terminate-hard", vm_id)
    sim.settle(vm_id, DONE)
    compared["058_vm.info-done"] = sim.ok("one.vm.info", vm_id)
    different = [name for name, ours in compared.items()
                 if blanked(ours) != blanked(transcript_value(name))]
    assert different == []


_HEX_TOKEN = re.compile(r"[0-9a-f]{64}")
NETWORKED_VM = ('NAME="netvm"\nCPU="0.1"\nVCPU="1"\nMEMORY="64"\nDISK=[TYPE="swap",SIZE="64"]\n'
                'DISK=[TYPE="fs",SIZE="32"]\nNIC=[NETWORK_ID="0"]\n'
                'CONTEXT=[NETWORK="YES",SSH_PUBLIC_KEY="$USER[SSH_PUBLIC_KEY]"]\n'
                'GRAPHICS=[TYPE="VNC",LISTEN="127.0.0.1"]\n')


def test_a_networked_vm_with_volatile_disks_and_its_owners_quotas(sim):
    """NIC DNS/GATEWAY, security group rules, every ETH0_* context variable, deployed
    volatile disks, then the owner's quota usage: as oned 7.0.2 wrote them for `demo`."""
    vm_id = sim.ok("one.vm.allocate", NETWORKED_VM, False, session=sim.demo)
    sim.settle(vm_id, RUNNING)
    assert blanked(sim.ok("one.vm.info", vm_id)) == blanked(transcript_value("102_vm.info-nic-swap-fs-context"))
    user = _HEX_TOKEN.sub("H", sim.ok("one.user.info", -1, session=sim.demo))
    assert blanked(user) == blanked(_HEX_TOKEN.sub("H", transcript_value("103_user.info-demo-with-a-vm")))
