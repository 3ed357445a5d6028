"""The OpenNebula attributes of a machine described by configuration and image: shared by
Machines created by value and by MachineTemplates, so both launch the same VM.

A configuration's cpu becomes both CPU and VCPU (a whole physical CPU per virtual CPU), its
memory MEMORY in MB, its disks volatile DISKs (swap space as TYPE=swap) after the image's DISK.
The machine gets one NIC on the lowest-numbered virtual network the user may use, as a
StratusLab machine got its public address, with OpenNebula's network contextualization.
The configuration and image chosen are remembered as CIMI_MACHINE_CONFIG and
CIMI_MACHINE_IMAGE (OpenNebula ids), so Machines and MachineTemplates can refer back to them.
"""
from app.services import machine_configurations, machine_images
from app.services.rendering import mb_from_kib

MACHINE_CONFIG = "CIMI_MACHINE_CONFIG"
MACHINE_IMAGE = "CIMI_MACHINE_IMAGE"


def machine_attributes(ctx, choice, prefix=""):
    """Template attributes for a `machineTemplate`-shaped choice (machineConfig, machineImage);
    `prefix` is where the choice sits in the request body, for error messages."""
    sizing = machine_configurations.resolve(ctx, choice.get("machineConfig"),
                                            _field(prefix, "machineConfig"))
    image = machine_images.resolve(ctx, choice["machineImage"], _field(prefix, "machineImage"))
    attributes = {
        "CPU": sizing.cpu,
        "VCPU": sizing.cpu,
        "MEMORY": mb_from_kib(sizing.memory_kib),
        "DISK": [{"IMAGE_ID": image.id}] + [_volatile_disk(disk) for disk in sizing.disks],
        MACHINE_IMAGE: image.id,
    }
    if sizing.configuration_id is not None:
        attributes[MACHINE_CONFIG] = sizing.configuration_id
    network_id = _default_network(ctx.gateway)
    if network_id is not None:
        attributes["NIC"] = [{"NETWORK_ID": network_id}]
        attributes["CONTEXT"] = {"NETWORK": "YES"}
    return attributes


def _field(prefix, name):
    return f"{prefix}.{name}" if prefix else name


def _volatile_disk(disk):
    if disk["format"] == "swap":
        vector = {"TYPE": "swap", "SIZE": mb_from_kib(disk["capacity"])}
    else:
        vector = {"TYPE": "fs", "SIZE": mb_from_kib(disk["capacity"]), "FORMAT": disk["format"]}
    if disk.get("initialLocation"):
        vector["TARGET"] = disk["initialLocation"]
    return vector


def _default_network(gateway):
    networks = gateway.vnet_page().items
    return min((network.id for network in networks), default=None)
