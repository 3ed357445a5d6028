"""The StratusLab instance types, installed as MachineConfigurations by `app.admin`.

Values are the ones of the StratusLab user guide's `stratus-run-instance --list-type` table
(CPU count, RAM and swap in MB); m1.small is the guide's default type. Sizes are given here in
CIMI's KiB.
"""
from dataclasses import dataclass

from app.services.rendering import KIB_PER_MB

DEFAULT_PROPERTY = "default"


@dataclass(frozen=True)
class InstanceType:
    name: str
    cpu: int
    ram_mb: int
    swap_mb: int
    default: bool = False

    def machine_configuration(self):
        """The MachineConfiguration body (as a client would POST it) describing this type."""
        properties = {"instanceType": self.name}
        if self.default:
            properties[DEFAULT_PROPERTY] = "true"
        return {
            "name": self.name,
            "description": f"{self.cpu} CPU, {self.ram_mb} MB RAM, {self.swap_mb} MB swap",
            "properties": properties,
            "cpu": self.cpu,
            "memory": self.ram_mb * KIB_PER_MB,
            "disks": [{"capacity": self.swap_mb * KIB_PER_MB, "format": "swap"}],
        }


INSTANCE_TYPES = (
    InstanceType("t1.micro", cpu=1, ram_mb=128, swap_mb=512),
    InstanceType("m1.small", cpu=1, ram_mb=128, swap_mb=1024, default=True),
    InstanceType("c1.medium", cpu=1, ram_mb=256, swap_mb=1024),
    InstanceType("m1.large", cpu=2, ram_mb=512, swap_mb=1024),
    InstanceType("m1.xlarge", cpu=2, ram_mb=1024, swap_mb=1024),
    InstanceType("c1.xlarge", cpu=4, ram_mb=2048, swap_mb=2048),
)
