"""The MachineTemplate resource (an OpenNebula VM template); a POST to the collection and a PUT
of one take its whole editable state."""
from marshmallow import fields

from app.protocol.model import Resource
from schemas.common import Attributes, described, name_field, owner_field
from schemas.machine_configurations import MachineConfigChoice
from schemas.machine_context import credential_field, user_data_field
from schemas.machine_images import MachineImageChoice
from schemas.machines import MACHINE_CONFIG, MACHINE_IMAGE, initial_state_field
from schemas.networks import network_interfaces_field
from schemas.volumes import machine_volumes_field


class MachineTemplateAttributes(Attributes):
    """A MachineTemplate; without machineConfig the default configuration is used. The
    machineConfig read back is the configuration's href (when one was named) with the sizing
    the template actually has."""

    class Meta(Attributes.Meta):
        exclude = ("updated",)

    name = name_field(required=True)
    machineConfig = fields.Nested(MachineConfigChoice, metadata=described(
        MACHINE_CONFIG, target="MachineConfiguration", expandable=True))
    machineImage = fields.Nested(MachineImageChoice, required=True, metadata=described(
        MACHINE_IMAGE, target="MachineImage", expandable=True))
    initialState = initial_state_field()
    volumes = machine_volumes_field()
    credential = credential_field()
    userData = user_data_field()
    networkInterfaces = network_interfaces_field()
    owner = owner_field("template")


MachineTemplateSchema = MachineTemplateAttributes

MACHINE_TEMPLATE = Resource(
    "MachineTemplate", MachineTemplateAttributes,
    "What a new machine is made of: its configuration, image, volumes, credential, user data "
    "and networks.", collection="machineTemplates")
