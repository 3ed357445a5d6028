"""The whole recorded life-cycle with a plain pyone 7.0.2 client over XML-RPC, and the
documents compared element by element with oned 7.0.2's (shared/opennebula/transcripts)."""
import re

import pyone
import pytest
from lxml import etree

from onesim_vm_support import transcript_value, validation_errors

READY, USED = 1, 2
RUNNING, POWEROFF, DONE = (3, 3), (8, 0), (6, 0)
OS_IMAGE = 'NAME="tiny-os"\nTYPE="OS"\nPATH="/var/lib/one/tiny-os.img"'
DATABLOCK = 'NAME="dblock-10"\nTYPE="DATABLOCK"\nSIZE="10"\nFORMAT="raw"'
TEMPLATE = ('NAME="tiny-vm"\nCPU="0.1"\nVCPU="1"\nMEMORY="64"\nDISK=[IMAGE_ID="{image}"]\n'
            'GRAPHICS=[TYPE="VNC",LISTEN="127.0.0.1"]\n'
            'CONTEXT=[NETWORK="YES",SSH_PUBLIC_KEY="$USER[SSH_PUBLIC_KEY]"]\n')
_INTEGER = re.compile(r"^-?\d+$")


def shape(document):
    """Every element's path and the kind of its text (int, text, empty), in order."""
    root = etree.fromstring(document.encode())
    tree = root.getroottree()
    shapes = []
    for element in root.iter():
        text = (element.text or "").strip()
        kind = "node" if len(element) else "int" if _INTEGER.match(text) else "text" if text else "empty"
        shapes.append((re.sub(r"\[\d+\]", "", tree.getpath(element)), kind))
    return shapes


def image_ready(sim, admin, image_id):
    sim.run_until(lambda: admin.image.info(image_id).STATE == READY)


@pytest.fixture
def cloud(sim):
    admin = sim.client()
    dblock = admin.image.allocate(DATABLOCK, 1)
    os_image = admin.image.allocate(OS_IMAGE, 1)
    image_ready(sim, admin, dblock)
    image_ready(sim, admin, os_image)
    template = admin.template.allocate(TEMPLATE.format(image=os_image))
    return admin, dblock, os_image, template


def test_recorded_life_cycle(sim, cloud):
    admin, dblock, os_image, template_id = cloud
    raw = sim.raw()
    assert shape(raw.one.template.info(sim.admin, template_id)[1]) == shape(transcript_value("023_template.info"))

    vm_id = admin.template.instantiate(template_id, "vm-1", False, "", False)
    just_instantiated = raw.one.vm.info(sim.admin, vm_id)[1]
    assert shape(just_instantiated) == shape(transcript_value("026_vm.info-just-instantiated"))
    assert admin.image.info(os_image).STATE == USED

    sim.settle(vm_id, RUNNING)
    running = raw.one.vm.info(sim.admin, vm_id)[1]
    assert shape(running) == shape(transcript_value("029_vm.info-running"))
    sim.run_until(lambda: admin.vm.info(vm_id).LAST_POLL)
    assert shape(raw.one.vm.info(sim.admin, vm_id)[1]) == shape(transcript_value("030_vm.info-with-monitoring"))
    assert shape(raw.one.vm.monitoring(sim.admin, vm_id)[1]) == shape(transcript_value("031_vm.monitoring"))
    assert shape(raw.one.vmpool.info(sim.admin, -2, -1, -1, -1)[1]) == shape(transcript_value("032_vmpool.info"))
    assert (shape(raw.one.vmpool.infoextended(sim.admin, -2, -1, -1, -1)[1])
            == shape(transcript_value("033_vmpool.infoextended")))

    admin.vm.action("poweroff", vm_id)
    assert sim.settle(vm_id, POWEROFF) == [(3, 18), POWEROFF]
    assert shape(raw.one.vm.info(sim.admin, vm_id)[1]) == shape(transcript_value("037_vm.info-poweroff"))
    admin.vm.action("resume", vm_id)
    assert sim.settle(vm_id, RUNNING) == [(3, 20), RUNNING]

    admin.vm.attach(vm_id, f'DISK=[IMAGE_ID="{dblock}"]')
    assert sim.settle(vm_id, RUNNING) == [(3, 17), RUNNING]
    attached = raw.one.vm.info(sim.admin, vm_id)[1]
    assert shape(attached) == shape(transcript_value("044_vm.info-after-attach"))
    disk = admin.vm.info(vm_id).TEMPLATE["DISK"][1]
    assert (disk["DISK_ID"], disk["TARGET"], disk["IMAGE_ID"]) == ("2", "sdb", str(dblock))
    assert admin.image.info(dblock).STATE == USED

    admin.vm.detach(vm_id, 2)
    assert sim.settle(vm_id, RUNNING) == [(3, 17), RUNNING]
    assert shape(raw.one.vm.info(sim.admin, vm_id)[1]) == shape(transcript_value("048_vm.info-after-detach"))
    assert admin.image.info(dblock).STATE == READY

    saved = admin.vm.disksaveas(vm_id, 0, "saved-from-vm-1", "", -1)
    assert sim.settle(vm_id, RUNNING) == [(3, 26), RUNNING]
    assert admin.image.info(saved).STATE == READY
    assert shape(raw.one.image.info(sim.admin, saved)[1]) == shape(transcript_value("053_image.info-saved"))

    with pytest.raises(pyone.OneActionException) as refused:
        admin.vm.action("resume", vm_id)
    assert str(refused.value) == transcript_value("054_vm.action-resume-while-running")

    admin.vm.action("terminate-hard", vm_id)
    assert sim.settle(vm_id, DONE) == [(3, 12), (3, 11), DONE]
    assert shape(raw.one.vm.info(sim.admin, vm_id)[1]) == shape(transcript_value("058_vm.info-done"))
    assert admin.image.info(os_image).STATE == READY
    for document in (running, attached, raw.one.vm.info(sim.admin, vm_id)[1]):
        assert validation_errors(document, "vm.xsd") == []
    # oned leaves TM_MAD_SYSTEM out until a VM is deployed, which vm.xsd does not allow:
    # the recorded document fails exactly as onesim's does.
    assert (validation_errors(just_instantiated, "vm.xsd")
            == validation_errors(transcript_value("026_vm.info-just-instantiated"), "vm.xsd")
            == [NOT_YET_DEPLOYED])


NOT_YET_DEPLOYED = ("Element '{http://opennebula.org/XMLSchema}VCPU': This element is not expected. "
                    "Expected is ( {http://opennebula.org/XMLSchema}TM_MAD_SYSTEM ).")


def test_disksaveas_while_powered_off(sim, cloud):
    admin, _, _, template_id = cloud
    vm_id = admin.template.instantiate(template_id, "vm-2", False, "", False)
    sim.settle(vm_id, RUNNING)
    admin.vm.action("poweroff-hard", vm_id)
    sim.settle(vm_id, POWEROFF)
    saved = admin.vm.disksaveas(vm_id, 0, "saved-from-vm-2", "", -1)
    assert admin.image.info(saved).STATE != READY
    assert sim.settle(vm_id, POWEROFF) == [(3, 27), POWEROFF]
    assert admin.image.info(saved).STATE == READY


def test_the_errors_oned_gives(sim, cloud):
    admin, _, _, template_id = cloud
    demo = sim.client(sim.demo)
    vm_id = admin.template.instantiate(template_id, "private", False, "", False)
    with pytest.raises(pyone.OneNoExistsException, match=re.escape("[one.vm.info] Error getting virtual machine [99999].")):
        admin.vm.info(99999)
    with pytest.raises(pyone.OneNoExistsException, match=re.escape(
            "[one.template.instantiate] Error getting virtual machine template [99999].")):
        admin.template.instantiate(99999, "x", False, "", False)
    demo_uid = demo.user.info(-1).ID
    with pytest.raises(pyone.OneAuthorizationException, match=re.escape(
            f"[one.vm.info] User [{demo_uid}] : Not authorized to perform USE VM [{vm_id}].")):
        demo.vm.info(vm_id)
    with pytest.raises(pyone.OneActionException, match=re.escape(
            f'[one.vm.action] Error performing action "suspend": This action is not available for state PENDING')):
        admin.vm.action("suspend", vm_id)
