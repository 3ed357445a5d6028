"""MachineTemplate bodies: create (POST to the collection) and PUT."""
from marshmallow import fields

from schemas.common import CommonAttributes, described, name_field
from schemas.machine_configurations import MachineConfigChoice
from schemas.machine_context import LaunchContext
from schemas.machine_images import MachineImageChoice
from schemas.machines import MACHINE_CONFIG, MACHINE_IMAGE, initial_state_field
from schemas.volumes import machine_volumes_field


class MachineTemplateSchema(CommonAttributes, LaunchContext):
    """The whole editable state of a MachineTemplate; without machineConfig the default
    configuration is used."""

    name = name_field(required=True)
    machineConfig = fields.Nested(MachineConfigChoice, metadata=described(MACHINE_CONFIG))
    machineImage = fields.Nested(MachineImageChoice, required=True,
                                 metadata=described(MACHINE_IMAGE))
    initialState = initial_state_field()
    volumes = machine_volumes_field()
