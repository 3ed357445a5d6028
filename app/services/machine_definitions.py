"""The OpenNebula attributes of a machine described by configuration and image: shared by
Machines created by value and by MachineTemplates, so both launch the same VM.

A configuration's cpu becomes both CPU and VCPU (a whole physical CPU per virtual CPU), its
memory MEMORY in MB, its disks volatile DISKs (swap space as TYPE=swap) after the image's DISK;
the template's `volumes` follow (`machine_storage`).
Its NICs, SSH key and user data come from `machine_context`.
The configuration and image chosen are remembered as CIMI_MACHINE_CONFIG and
CIMI_MACHINE_IMAGE (OpenNebula ids), so Machines and MachineTemplates can refer back to them.
"""
from app.services import machine_configurations, machine_context, machine_images, machine_storage
from app.services.rendering import mb_from_kib
from schemas.machine_configurations import FILE_SYSTEMS

MACHINE_CONFIG = "CIMI_MACHINE_CONFIG"
MACHINE_IMAGE = "CIMI_MACHINE_IMAGE"


def machine_attributes(caller, choice, prefix=""):
    """Template attributes for a `machineTemplate`-shaped choice (machineConfig, machineImage);
    `prefix` is where the choice sits in the request body, for error messages."""
    sizing = machine_configurations.resolve(caller, choice.get("machineConfig"),
                                            _field(prefix, "machineConfig"))
    image = machine_images.resolve(caller, choice["machineImage"], _field(prefix, "machineImage"))
    attributes = {
        "CPU": sizing.cpu,
        "VCPU": sizing.cpu,
        "MEMORY": mb_from_kib(sizing.memory_kib),
        "DISK": ([{"IMAGE_ID": image.id}] + [_volatile_disk(disk) for disk in sizing.disks]
                 + machine_storage.volume_disks(caller, choice, prefix)),
        MACHINE_IMAGE: image.id,
    }
    if sizing.configuration_id is not None:
        attributes[MACHINE_CONFIG] = sizing.configuration_id
    attributes.update(machine_context.launch_attributes(caller, choice, prefix))
    return attributes


def _field(prefix, name):
    return f"{prefix}.{name}" if prefix else name


def _volatile_disk(disk):
    if disk["format"] == "swap":
        vector = {"TYPE": "swap", "SIZE": mb_from_kib(disk["capacity"])}
    elif disk["format"] in FILE_SYSTEMS:
        vector = {"TYPE": "fs", "SIZE": mb_from_kib(disk["capacity"]), "FORMAT": "raw",
                  "FS": disk["format"]}
    else:
        vector = {"TYPE": "fs", "SIZE": mb_from_kib(disk["capacity"]), "FORMAT": disk["format"]}
    if disk.get("initialLocation"):
        vector["TARGET"] = disk["initialLocation"]
    return vector

