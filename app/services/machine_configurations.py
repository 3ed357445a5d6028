"""MachineConfigurations: OpenNebula documents of type `documents.MACHINE_CONFIGURATION`.

OpenNebula has no object for a hardware profile, so each configuration is a document whose
TEMPLATE holds the CIMI values: CPU (count), MEMORY_KIB, one DISK vector per disk
(CAPACITY_KIB, FORMAT, optional INITIAL_LOCATION; swap space is a disk of format swap),
CIMI_DESCRIPTION, CIMI_PROPERTIES, and CIMI_CREATED / CIMI_UPDATED (epoch seconds, since
documents carry no times of their own). Ownership and permissions are OpenNebula's: the
installed instance types belong to oneadmin and are usable by everybody.
"""
from dataclasses import dataclass

from app.errors import BadRequest
from app.one import documents as document_types
from app.one.metadata import encode_metadata, properties_of
from app.services import links
from app.services.document_resources import DocumentResource
from app.services.documents import all_of, as_list, created, whole
from app.services.instance_types import DEFAULT_PROPERTY, INSTANCE_TYPES
from schemas.machine_configurations import MACHINE_CONFIGURATION

TYPE_NAME = MACHINE_CONFIGURATION.name


@dataclass(frozen=True)
class Sizing:
    """What a machine gets from a configuration, after any overrides."""
    cpu: int
    memory_kib: int
    disks: tuple            # dicts: capacity (KiB), format, optional initialLocation
    configuration_id: int | None = None


def _shown(caller, document):
    values = sizing_of(document)
    return {"cpu": values.cpu, "memory": values.memory_kib,
            "disks": [dict(disk) for disk in values.disks]}


def _stored(caller, body):
    attributes = {
        "CPU": body["cpu"],
        "MEMORY_KIB": body["memory"],
        **encode_metadata(body.get("description"), body.get("properties", {})),
    }
    disks = [_disk_vector(disk) for disk in body.get("disks", ())]
    if disks:
        attributes["DISK"] = disks
    return attributes


resource = DocumentResource(MACHINE_CONFIGURATION, "machine configuration", "machineConfigurations",
                            links.MACHINE_CONFIGURATIONS, document_types.MACHINE_CONFIGURATION,
                            _stored, _shown)


def sizing_of(document):
    template = document.template
    return Sizing(
        cpu=whole(template.get("CPU")),
        memory_kib=whole(template.get("MEMORY_KIB")),
        disks=tuple(_disk_of(vector) for vector in as_list(template.get("DISK"))),
        configuration_id=document.id,
    )


def resolve(caller, choice, attribute):
    """The Sizing a `machineConfig` (href with optional overrides, or by value) stands for;
    with no choice at all, the default configuration's."""
    if choice is None:
        base = sizing_of(_default(caller.gateway, attribute))
    elif "href" in choice:
        base = sizing_of(resource.referenced(caller, choice["href"], attribute + ".href"))
    else:
        base = Sizing(cpu=choice["cpu"], memory_kib=choice["memory"], disks=())
    choice = choice or {}
    return Sizing(
        cpu=choice.get("cpu", base.cpu),
        memory_kib=choice.get("memory", base.memory_kib),
        disks=tuple(choice["disks"]) if "disks" in choice else base.disks,
        configuration_id=base.configuration_id,
    )


def install_instance_types(gateway):
    """Create the StratusLab instance types that are missing, usable by every user; an
    existing one (same name, owned by the caller) is left as its administrator edited it.
    Returns the names created."""
    caller = gateway.whoami()
    existing = {document.name: document for document in _all(gateway)
                if document.owner.uid == caller.id}
    created = []
    for instance_type in INSTANCE_TYPES:
        document = existing.get(instance_type.name)
        if document is None:
            _install(gateway, instance_type.machine_configuration())
            created.append(instance_type.name)
        elif not document.permissions.other_use:
            gateway.document_chmod(document.id, other_use=True)
    return created


def _install(gateway, body):
    created(gateway, document_types.MACHINE_CONFIGURATION, body["name"], _stored(None, body),
            lambda configuration_id: gateway.document_chmod(configuration_id, other_use=True))


def _disk_vector(disk):
    vector = {"CAPACITY_KIB": disk["capacity"], "FORMAT": disk.get("format", "raw")}
    if disk.get("initialLocation"):
        vector["INITIAL_LOCATION"] = disk["initialLocation"]
    return vector


def _disk_of(vector):
    disk = {"capacity": whole(vector.get("CAPACITY_KIB")), "format": vector.get("FORMAT", "raw")}
    if vector.get("INITIAL_LOCATION"):
        disk["initialLocation"] = vector["INITIAL_LOCATION"]
    return disk


def _all(gateway):
    return all_of(gateway, document_types.MACHINE_CONFIGURATION)


def _default(gateway, attribute):
    for document in _all(gateway):
        if properties_of(document.template).get(DEFAULT_PROPERTY) == "true":
            return document
    raise BadRequest(f"{attribute} is required: no default machine configuration is installed.")

