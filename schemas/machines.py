"""Machine bodies: MachineCreate (POST to the machines collection) and Machine PUT."""
from marshmallow import ValidationError, fields, validate, validates_schema

from schemas.common import GIVEN, CommonAttributes, Keyword, described, href_field
from schemas.machine_configurations import MachineConfigChoice, cpu_field, memory_field
from schemas.machine_context import LaunchContext
from schemas.machine_images import MachineImageChoice
from schemas.volumes import machine_volume_templates_field, machine_volumes_field

MACHINE_CONFIG = ("The machine's CPUs, memory and volatile disks: a MachineConfiguration by "
                  "reference (optionally with cpu or memory beside the href) or by value.")
MACHINE_IMAGE = "The image the machine boots from, a MachineImage by reference."

INITIAL_STATES = ("STARTED", "STOPPED")


def initial_state_field():
    return Keyword(validate=validate.OneOf(
        INITIAL_STATES, error="initialState must be STARTED or STOPPED;" + GIVEN),
        metadata=described("The state the new machine is brought to: STARTED or STOPPED."))


class MachineTemplateChoice(CommonAttributes, LaunchContext):
    """`machineTemplate` inside a MachineCreate: an href to a MachineTemplate (optionally with
    initialState next to it), or a template by value."""

    href = href_field()
    machineConfig = fields.Nested(MachineConfigChoice, metadata=described(MACHINE_CONFIG))
    machineImage = fields.Nested(MachineImageChoice, metadata=described(MACHINE_IMAGE))
    initialState = initial_state_field()
    volumes = machine_volumes_field()
    volumeTemplates = machine_volume_templates_field()

    @validates_schema
    def _image_without_href(self, data, **kwargs):
        if "href" not in data and "machineImage" not in data:
            raise ValidationError(
                "A machineTemplate given by value needs a machineImage.", "machineImage")

    @validates_schema
    def _storage_by_value(self, data, **kwargs):
        # OpenNebula's instantiate would replace the template's DISKs with extra ones.
        given = [name for name in ("volumes", "volumeTemplates") if data.get(name)]
        if "href" in data and given:
            raise ValidationError(
                f"{given[0]} go with a machineTemplate by value; a MachineTemplate given by href "
                "attaches its own volumes.", given[0])


class MachineCreateSchema(CommonAttributes):
    machineTemplate = fields.Nested(MachineTemplateChoice, required=True)


class MachineUpdateSchema(CommonAttributes):
    """PUT of a Machine: name, description, properties, and cpu and memory while it is stopped;
    attributes absent from the body keep their current values."""

    cpu = cpu_field()
    memory = memory_field()
