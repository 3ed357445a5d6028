"""The Machine resource, and its bodies: MachineCreate (POST to the machines collection) and
Machine PUT (the attributes a client may set)."""
from marshmallow import ValidationError, fields, validate, validates_schema

from app.protocol.model import Capability, Resource, listed, reference, shown, subcollection
from schemas.common import GIVEN, Attributes, CommonAttributes, Keyword, described, href_field
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


ACTIONS = {
    "start": "Boot the machine, or resume it when stopped or suspended.",
    "stop": "Power the machine off (force: at once); with image, save its disk as a new "
            "MachineImage once it is off.",
    "restart": "Reboot the machine (force: a hard reset).",
    "suspend": "Save the machine's memory to disk and stop it; start resumes it.",
    "capture": "Save the machine's disk as a new MachineImage (image: its name).",
    "snapshot": "Take a system snapshot the machine can be restored to later.",
    "restore": "Bring the machine back to one of its snapshots.",
}
DEFAULT_INITIAL_STATE = "STARTED"


class MachineAttributes(Attributes):
    """A Machine (an OpenNebula VM). A PUT sets name, description, properties, and cpu and
    memory while the machine is stopped; attributes absent from the body keep their values."""

    state = shown(description="CREATING, STARTING, STARTED, STOPPING, STOPPED, PAUSING, "
                  "PAUSED, SUSPENDING, SUSPENDED, CAPTURING, RESTORING, DELETING, ERROR or "
                  "FAILED.")
    statusMessage = shown(description="Why the machine is waiting or has failed, while it is "
                          "(this server's extension).")
    cpu = cpu_field()
    cpuUsage = shown(fields.Float, "The CPU the machine used at OpenNebula's last monitoring, "
                     "in percent of one CPU, while it runs; given when the machine is read "
                     "alone (this server's extension).", units="percent")
    memory = memory_field()
    disks = subcollection("MachineDisk", "The machine's volatile disks.")
    volumes = subcollection("MachineVolume", "The volumes attached to the machine.")
    networkInterfaces = subcollection("MachineNetworkInterface",
                                      "The machine's network interfaces.")
    eventLog = reference("EventLog", "The machine's history of events.")
    machineConfig = reference("MachineConfiguration",
                              "The configuration the machine was launched with.")
    machineImage = reference("MachineImage", "The image the machine booted from.")
    host = shown(description="The host the machine runs on (this server's extension).")
    ipAddresses = listed(fields.String(), "ipAddress", "The machine's IP addresses (this "
                         "server's extension).", shown=True)


MachineUpdateSchema = MachineAttributes

MACHINE = Resource(
    "Machine", MachineAttributes, "A virtual machine.", collection="machines",
    actions=ACTIONS,
    capabilities=(
        Capability("InitialStates", ",".join(INITIAL_STATES),
                   "The states a MachineCreate's initialState may ask for."),
        Capability("DefaultInitialState", DEFAULT_INITIAL_STATE,
                   "The state a new machine is put in when no initialState is given."),
    ),
)
