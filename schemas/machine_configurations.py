"""The MachineConfiguration resource (an OpenNebula document), whose create and PUT bodies are
its whole editable state, and the machineConfig of a MachineCreate.

Memory and disk capacity are KiB as CIMI has them; OpenNebula counts whole MiB. Memory must be
a multiple of 1024 KiB, which keeps what a client reads back equal to what it sent. A disk
capacity is rounded up to the next whole MiB, as a cloud gives at least the space asked for
(clients size disks in decimal units, 10^6 bytes, that are seldom whole MiB); the resource
read back shows the capacity given.
"""
from marshmallow import ValidationError, fields, validate, validates_schema

from app.protocol.model import Resource, listed
from schemas.common import (
    GIVEN, Attributes, CimiBody, Keyword, ReferenceOrValue, WholeNumber, described, name_field,
    owner_field,
)

KIB_PER_MIB = 1024
CPU_MAX = 256
MEMORY_MAX_KIB = 4 * 1024 * 1024 * 1024       # 4 TiB
DISK_CAPACITY_MAX_KIB = 64 * 1024 * 1024 * 1024  # 64 TiB
DISKS_MAX = 16
# File systems OpenNebula can format a volatile disk with (its FS attribute, on a raw disk).
FILE_SYSTEMS = ("ext2", "ext3", "ext4", "xfs", "vfat")
DISK_FORMATS = ("raw", "qcow2", "swap") + FILE_SYSTEMS


def _whole_mib(what):
    def check(value):
        if value > 0 and value % KIB_PER_MIB:
            raise ValidationError(f"{what} must be a whole number of MiB (a multiple of 1024 KiB).")
    return check


def cpu_field(required=False):
    return WholeNumber(required=required, validate=validate.Range(
        min=1, max=CPU_MAX, error=f"cpu must be a whole number from 1 to {CPU_MAX}."),
        metadata=described("The number of virtual CPUs."))


def memory_field(required=False):
    return WholeNumber(required=required, validate=[
        validate.Range(min=1, max=MEMORY_MAX_KIB,
                       error=f"memory must be more than 0 and at most {MEMORY_MAX_KIB} KiB."),
        _whole_mib("memory"),
    ], metadata=described("The memory in KiB, a whole number of MiB.", units="KiB"))


def capacity_field(required=False):
    """A disk or volume capacity in KiB, more than 0, at most 64 TiB, rounded up to whole MiB."""
    return Capacity(required=required, validate=CapacityRange(), metadata=described(
        "The disk's size in KiB; rounded up to a whole number of MiB (1024 KiB).", units="KiB"))


class Capacity(WholeNumber):
    def _deserialize(self, value, attr, data, **kwargs):
        kib = super()._deserialize(value, attr, data, **kwargs)
        return -(-kib // KIB_PER_MIB) * KIB_PER_MIB if kib > 0 else kib


class CapacityRange(validate.Range):
    """1 KiB to 64 TiB (a Range, so ResourceMetadata advertises the bounds). Clients, the
    `cimi` command among them, take sizes in GiB or MiB: the refusal gives the size in the
    largest whole unit too, so a user recognises what was typed."""

    def __init__(self):
        super().__init__(min=1, max=DISK_CAPACITY_MAX_KIB)

    def __call__(self, kib):
        if not 1 <= kib <= DISK_CAPACITY_MAX_KIB:
            raise ValidationError(
                f"capacity must be more than 0 and at most {DISK_CAPACITY_MAX_KIB} KiB (64 TiB); "
                f"{kib} KiB{_in_larger_unit(kib)} was given.")
        return kib


def _in_larger_unit(kib):
    for unit, size in (("TiB", 1024 ** 3), ("GiB", 1024 ** 2), ("MiB", 1024)):
        if kib > 0 and kib % size == 0:
            return f" ({kib // size} {unit})"
    return ""


def initial_location_field():
    """The device a disk or volume appears as in the guest (OpenNebula's TARGET)."""
    return DeviceName(validate=validate.Regexp(
        r"^[a-z]{2,3}[a-z]$", error="initialLocation must be a device name such as vdb or "
                                    "/dev/vdb."), metadata=described(
        "The device the disk appears as in the machine: vdb or /dev/vdb (read back as vdb)."))


class DeviceName(fields.String):
    """A device given as its name (`sdf`) or its path (`/dev/sdf`), kept as the name, which
    is what OpenNebula's TARGET holds."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).removeprefix("/dev/")


class DiskSchema(CimiBody):
    """A disk of a configuration: a volatile disk, or the swap space when its format is swap;
    a file system as format gives a raw disk formatted with it."""

    capacity = capacity_field(required=True)
    format = Keyword(load_default="raw", validate=validate.OneOf(
        DISK_FORMATS, error="format must be one of: " + ", ".join(DISK_FORMATS) + ";" + GIVEN),
        metadata=described("raw, qcow2, swap (the machine's swap space), or a file system for "
                           "a raw disk formatted with it."))
    initialLocation = initial_location_field()


def disks_field():
    return listed(fields.Nested(DiskSchema), "disk",
                  "Volatile disks made with each machine and deleted with it; the one whose "
                  "format is swap is the machine's swap space.",
                  validate=validate.Length(max=DISKS_MAX, error=f"At most {DISKS_MAX} disks."))


class MachineConfigChoice(ReferenceOrValue):
    """`machineConfig` inside a MachineCreate or MachineTemplate: an href to a configuration,
    optionally with cpu, memory or disks overriding it, or a whole configuration by value."""

    cpu = cpu_field()
    memory = memory_field()
    disks = disks_field()

    @validates_schema
    def _complete_without_href(self, data, **kwargs):
        if "href" not in data:
            missing = [key for key in ("cpu", "memory") if key not in data]
            if missing:
                raise ValidationError(
                    "A machineConfig given by value needs " + " and ".join(missing) + ".",
                    missing[0])


class MachineConfigurationAttributes(Attributes):
    """A MachineConfiguration: the CPUs, memory and volatile disks of new machines."""

    name = name_field(required=True)
    cpu = cpu_field(required=True)
    memory = memory_field(required=True)
    disks = disks_field()
    owner = owner_field("configuration")


MachineConfigurationSchema = MachineConfigurationAttributes

MACHINE_CONFIGURATION = Resource(
    "MachineConfiguration", MachineConfigurationAttributes,
    "The CPUs, memory and volatile disks of new machines.", collection="machineConfigs")
