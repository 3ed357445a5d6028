"""VM creation: the TEMPLATE / USER_TEMPLATE split of oned's VirtualMachine::insert, its
checks, and VM templates (allocate, instantiate with all five arguments, update, clone,
delete, pool)."""
from lxml import etree

from onesim_vm_support import SMALL_VM, ready_image, validation_errors

ALLOCATE = 0x4000
INTERNAL = 0x2000


def template_names(document, path):
    return [child.tag for child in etree.fromstring(document.encode()).find(path)]


def test_unknown_attributes_stay_in_user_template(sim):
    vm_id = sim.ok("one.vm.allocate", SMALL_VM + 'CIMI_DESCRIPTION="a web server"\nLABELS="web"\n'
                   'OS=[ARCH="x86_64"]\nFEATURES=[ACPI="yes"]\nSCHED_REQUIREMENTS="ID=0"', True)
    document = sim.ok("one.vm.info", vm_id)
    assert template_names(document, "TEMPLATE") == [
        "AUTOMATIC_REQUIREMENTS", "CPU", "FEATURES", "GRAPHICS", "MEMORY", "OS", "SUBMIT_ON_HOLD", "VCPU", "VMID"]
    assert template_names(document, "USER_TEMPLATE") == ["CIMI_DESCRIPTION", "LABELS", "SCHED_REQUIREMENTS"]
    os_vector = etree.fromstring(document.encode()).find("TEMPLATE/OS")
    assert os_vector.findtext("ARCH") == "x86_64" and os_vector.findtext("UUID")
    assert "<NAME>small</NAME>" in document


def test_only_the_call_holds_a_new_vm(sim):
    """oned 7.0.2 reads SUBMIT_ON_HOLD from a template only when a VM leaves CLONING
    (LifeCycleManager); at allocation only the call's argument holds it."""
    said = sim.ok("one.vm.allocate", SMALL_VM + 'SUBMIT_ON_HOLD="YES"', False)
    asked = sim.ok("one.vm.allocate", SMALL_VM, True)
    states = {vm_id: etree.fromstring(sim.ok("one.vm.info", vm_id).encode()).findtext("STATE")
              for vm_id in (said, asked)}
    assert states[asked] == "2"     # HOLD
    assert states[said] != "2"      # PENDING, or already on its way to a host
    for vm_id in (said, asked):
        sim.ok("one.vm.action", "terminate-hard", vm_id)


def test_memory_and_cpu_are_required(sim):
    """vm.allocate reports VirtualMachine::insert's complaints as bare INTERNAL errors."""
    prefix = "[one.vm.allocate] "
    cases = {
        'NAME="x"\nCPU="1"': "MEMORY attribute must be a positive integer value.",
        'NAME="x"\nCPU="1"\nMEMORY="0"': "MEMORY attribute must be a positive integer value.",
        'NAME="x"\nMEMORY="64"': "CPU attribute must be a positive float or integer value.",
        'NAME="x"\nMEMORY="64"\nCPU="-1"': "CPU attribute must be a positive float or integer value.",
        'NAME="x"\nMEMORY="64"\nCPU="1"\nVCPU="two"': "VCPU attribute must be a positive integer value.",
    }
    for template, message in cases.items():
        assert sim.call("one.vm.allocate", template)[:3] == [False, prefix + message, INTERNAL]
    assert not len(sim.emulator.pool("vm"))


def test_parse_errors_are_internal(sim):
    envelope = sim.call("one.vm.allocate", 'NAME="x\nCPU=1')
    assert envelope[0] is False and envelope[2] == 0x2000 and "Parse error" in envelope[1]


def test_unnamed_vm_takes_its_prefix_and_id(sim):
    vm_id = sim.ok("one.vm.allocate", 'CPU="1"\nMEMORY="64"', True)
    assert sim.vm(vm_id).name == f"one-{vm_id}"


def test_update_replaces_or_merges_the_user_template(sim):
    vm_id = sim.ok("one.vm.allocate", SMALL_VM + 'A="1"\nB="2"', True)
    sim.ok("one.vm.update", vm_id, 'B="3"\nC="4"', 1)
    assert sim.vm(vm_id).user_template.attributes == [("A", "1"), ("B", "3"), ("C", "4")]
    sim.ok("one.vm.update", vm_id, 'D="5"', 0)
    assert sim.vm(vm_id).user_template.attributes == [("D", "5")]
    assert sim.vm(vm_id).template.get("MEMORY") == "64"


def test_template_life(sim):
    template_id = sim.ok("one.template.allocate", SMALL_VM + 'DISK=[TYPE="fs",SIZE="20"]')
    document = sim.ok("one.template.info", template_id)
    assert validation_errors(document, "vmtemplate.xsd") == []
    assert "<NAME>small</NAME>" in document and "<TEMPLATE><CPU>" in document
    assert sim.call("one.template.allocate", SMALL_VM)[:3] == [
        False, f"[one.template.allocate] NAME is already taken by TEMPLATE {template_id}.", INTERNAL]
    assert sim.call("one.template.clone", template_id, "small")[:3] == [
        False, "[one.template.clone] Error allocating a new virtual machine template. "
               f"NAME is already taken by TEMPLATE {template_id}.", ALLOCATE]
    sim.ok("one.template.update", template_id, 'MEMORY="128"', 1)
    assert sim.emulator.pool("template").get(template_id).template.get("MEMORY") == "128"
    copy = sim.ok("one.template.clone", template_id, "small-copy", False)
    pool = sim.ok("one.templatepool.info", -2, -1, -1)
    assert validation_errors(pool, "vmtemplate_pool.xsd") == []
    assert pool.index(f"<ID>{copy}</ID>") < pool.index(f"<ID>{template_id}</ID>")
    sim.ok("one.template.delete", template_id, False)
    assert sim.call("one.template.info", template_id)[:3] == [
        False, f"[one.template.info] Error getting virtual machine template [{template_id}].", 0x400]


def test_instantiate_merges_the_extra_template(sim):
    template_id = sim.ok("one.template.allocate", SMALL_VM + 'DISK=[TYPE="fs",SIZE="20"]\n'
                         'DISK=[TYPE="swap",SIZE="30"]\nLABELS="from-template"')
    vm_id = sim.ok("one.template.instantiate", template_id, "", True,
                   'MEMORY="256"\nDISK=[TYPE="fs",SIZE="99"]', False)
    vm = sim.vm(vm_id)
    assert vm.position == (2, 0)
    assert vm.name == f"small-{vm_id}"
    assert vm.template.get("MEMORY") == "256"
    assert [(disk["TYPE"], disk["SIZE"]) for disk in vm.disks()] == [("fs", "99")]
    assert vm.template.get("TEMPLATE_ID") == str(template_id)
    assert vm.user_template.get("LABELS") == "from-template"


def test_instantiate_persistent_keeps_a_private_copy(sim):
    template_id = sim.ok("one.template.allocate", SMALL_VM)
    vm_id = sim.ok("one.template.instantiate", template_id, "mine", False, "", True)
    copy_id = int(sim.vm(vm_id).template.get("TEMPLATE_ID"))
    assert copy_id != template_id
    assert sim.emulator.pool("template").get(copy_id).name == "mine"


def test_instantiate_needs_use_of_the_template(sim):
    template_id = sim.ok("one.template.allocate", SMALL_VM)
    demo_uid = sim.emulator.pool("user").by_name("demo").id
    assert sim.call("one.template.instantiate", template_id, "", False, "", False, session=sim.demo) == [
        False, f"[one.template.instantiate] User [{demo_uid}] : Not authorized to perform USE TEMPLATE "
               f"[{template_id}].", 0x200, -1, -1]
    sim.ok("one.template.chmod", template_id, -1, -1, -1, -1, -1, -1, 1, -1, -1)
    vm_id = sim.ok("one.template.instantiate", template_id, "", False, "", False, session=sim.demo)
    assert sim.vm(vm_id).uid == demo_uid


def test_recursive_clone_and_delete_copy_and_remove_the_images(sim):
    os_image = ready_image(sim, 'NAME="os"\nTYPE="OS"\nPATH="/var/lib/one/os.img"')
    template_id = sim.ok("one.template.allocate", SMALL_VM + f'DISK=[IMAGE_ID="{os_image}",DEV_PREFIX="vd"]')
    copy_id = sim.ok("one.template.clone", template_id, "twin", True)
    (disk,) = sim.emulator.pool("template").get(copy_id).template.vectors("DISK")
    copied_image = sim.emulator.pool("image").get(int(disk["IMAGE_ID"]))
    assert (copied_image.name, disk["DEV_PREFIX"]) == ("twin-disk-0", "vd")
    sim.run_until(lambda: copied_image.state == 1)
    sim.ok("one.template.delete", copy_id, True)
    assert copied_image.state == 7  # DELETE, until the datastore driver has removed it
    sim.run_until(lambda: sim.emulator.pool("image").find(copied_image.id) is None)
    assert sim.emulator.pool("image").find(os_image) is not None


def test_instantiate_persistent_copies_the_images_as_persistent(sim):
    os_image = ready_image(sim, 'NAME="os"\nTYPE="OS"\nPATH="/var/lib/one/os.img"')
    template_id = sim.ok("one.template.allocate", SMALL_VM + f'DISK=[IMAGE_ID="{os_image}"]')
    vm_id = sim.ok("one.template.instantiate", template_id, "keeper", False, "", True)
    disk = sim.vm(vm_id).disks()[0]
    copied = sim.emulator.pool("image").get(int(disk["IMAGE_ID"]))
    assert (copied.name, copied.persistent, disk["PERSISTENT"]) == ("keeper-disk-0", 1, "YES")
    assert sim.position(vm_id) == (10, 0)
    assert sim.settle(vm_id, (3, 3))[:2] == [(10, 0), (1, 0)]
    assert copied.state == 8


def test_templates_in_xml_as_pyone_sends_them(sim):
    admin = sim.client()
    vm_id = admin.vm.allocate({"TEMPLATE": {"NAME": "from-xml", "CPU": "0.5", "MEMORY": "128",
                                            "DISK": [{"TYPE": "fs", "SIZE": "10"}, {"TYPE": "swap", "SIZE": "20"}],
                                            "CIMI_PROPERTIES": '{"a": "<b>"}'}}, True)
    vm = admin.vm.info(vm_id)
    assert (vm.NAME, vm.TEMPLATE["MEMORY"]) == ("from-xml", "128")
    assert [disk["TYPE"] for disk in vm.TEMPLATE["DISK"]] == ["fs", "swap"]
    assert vm.USER_TEMPLATE["CIMI_PROPERTIES"] == '{"a": "<b>"}'
    admin.vm.update(vm_id, {"TEMPLATE": {"CIMI_DESCRIPTION": "updated"}}, 1)
    assert admin.vm.info(vm_id).USER_TEMPLATE["CIMI_DESCRIPTION"] == "updated"
