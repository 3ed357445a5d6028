"""The storage resources: Volume, VolumeConfiguration, VolumeTemplate, VolumeImage and
MachineVolume, and their bodies: VolumeCreate, VolumeImage create and MachineVolume attach,
plus the `volumes` and `volumeTemplates` of a machine template.

Capacity is KiB as CIMI has it and must be whole MiB (OpenNebula sizes images in MB).
`visibility` (private or public) and `shareable` are this server's extensions: a public
volume may be used by every user, a shareable one attached read-only to many machines at once.
"""
from marshmallow import ValidationError, fields, validate, validates_schema

from app.protocol.model import Resource, listed, reference, shown
from schemas.common import (
    GIVEN, Attributes, CimiBody, CommonAttributes, Flag, Keyword, ReferenceOrValue, described,
    href_field, name_field, owner_field,
)
from schemas.machine_configurations import FILE_SYSTEMS, capacity_field, initial_location_field
from schemas.machine_images import Location, location_field

# A file system (OpenNebula's FS) makes a raw volume formatted with it.
VOLUME_FORMATS = ("raw", "qcow2") + FILE_SYSTEMS
VOLUME_TYPE = "http://schemas.dmtf.org/cimi/1/mapped"
VISIBILITIES = ("private", "public")
VOLUMES_MAX = 16


SHAREABLE = ("Whether many machines may use the volume at once, read-only; otherwise one "
             "machine at a time, read-write.")


def format_field():
    return Keyword(validate=validate.OneOf(
        VOLUME_FORMATS, error="format must be one of: " + ", ".join(VOLUME_FORMATS) + ";" + GIVEN),
        metadata=described("The volume's disk format (raw, qcow2), or a file system (ext4, "
                           "...) for a raw volume formatted with it."))


def type_field():
    return Keyword(validate=validate.OneOf(
        (VOLUME_TYPE,), error=f"type must be {VOLUME_TYPE} (a block device);" + GIVEN),
        metadata=described("The kind of volume: a block device."))


def visibility_field():
    return Keyword(validate=validate.OneOf(
        VISIBILITIES, error="visibility must be private or public;" + GIVEN), metadata=described(
        "private: only its owner uses it; public: every user sees and uses it, only its owner "
        "changes or deletes it."))


class Reference(CimiBody):
    href = href_field(required=True)


class VolumeConfigurationAttributes(Attributes):
    """A VolumeConfiguration (an OpenNebula document): the size and format of new volumes.
    A POST to the volumeConfigs collection and a PUT of one give its whole editable state."""

    name = name_field(required=True)
    type = type_field()
    format = format_field()
    capacity = capacity_field(required=True)
    owner = owner_field("configuration")


VolumeConfigurationSchema = VolumeConfigurationAttributes

VOLUME_CONFIGURATION = Resource(
    "VolumeConfiguration", VolumeConfigurationAttributes,
    "The capacity and format of new volumes.", collection="volumeConfigs")


class VolumeConfigChoice(ReferenceOrValue):
    """`volumeConfig`: an href to a configuration (its values may be overridden next to it),
    or a configuration by value."""

    capacity = capacity_field()
    format = format_field()
    type = type_field()

    @validates_schema
    def _capacity_without_href(self, data, **kwargs):
        if "href" not in data and "capacity" not in data:
            raise ValidationError("A volumeConfig given by value needs a capacity.", "capacity")


def _config_or_image(data):
    if "volumeConfig" not in data and "volumeImage" not in data:
        raise ValidationError("A volume template needs a volumeConfig or a volumeImage.",
                              "volumeConfig")


class VolumeTemplateAttributes(Attributes):
    """A VolumeTemplate (an OpenNebula document): what new volumes are made of. A POST to the
    volumeTemplates collection and a PUT of one give its whole editable state."""

    name = name_field(required=True)
    volumeConfig = fields.Nested(VolumeConfigChoice, metadata=described(
        "The volume's configuration (capacity, format), by reference or by value.",
        target="VolumeConfiguration", expandable=True))
    volumeImage = fields.Nested(Reference, metadata=described(
        "A VolumeImage whose content the new volume starts with.", target="VolumeImage",
        expandable=True))
    owner = owner_field("template")

    @validates_schema
    def _complete(self, data, **kwargs):
        _config_or_image(data)


VolumeTemplateSchema = VolumeTemplateAttributes

VOLUME_TEMPLATE = Resource(
    "VolumeTemplate", VolumeTemplateAttributes,
    "What a new volume is made of: a configuration, a volume image to copy, or both.",
    collection="volumeTemplates")


class VolumeTemplateChoice(ReferenceOrValue):
    """`volumeTemplate` of a VolumeCreate: an href to a VolumeTemplate, or one by value."""

    volumeConfig = fields.Nested(VolumeConfigChoice, metadata=described(
        "The volume's configuration (capacity, format), by reference or by value."))
    volumeImage = fields.Nested(Reference, metadata=described(
        "A VolumeImage whose content the new volume starts with."))

    @validates_schema
    def _complete_without_href(self, data, **kwargs):
        if "href" not in data:
            _config_or_image(data)


class VolumeCreateSchema(CommonAttributes):
    volumeTemplate = fields.Nested(VolumeTemplateChoice, required=True)
    visibility = visibility_field()
    shareable = Flag(metadata=described(SHAREABLE))


class VolumeAttributes(Attributes):
    """A Volume (a persistent OpenNebula DATABLOCK image). A PUT sets name, description,
    properties, visibility and shareable; attributes absent from the body keep their values."""

    state = shown(description="CREATING, AVAILABLE, IN_USE (attached to a machine), "
                  "CAPTURING, DELETING or ERROR.")
    type = shown(description=f"The kind of volume: {VOLUME_TYPE}, a block device.")
    capacity = shown(fields.Integer, "The volume's size in KiB.", units="KiB")
    bootable = shown(fields.Boolean, "Whether machines boot from it: never, a volume holds "
                     "data.")
    format = shown(description="The volume's disk format (raw, qcow2), or the file system it "
                   "was formatted with (ext4, ...).")
    owner = owner_field("volume")
    visibility = visibility_field()
    shareable = Flag(metadata=described(SHAREABLE))
    users = shown(fields.Integer, "How many machines use the volume now (this server's "
                  "extension).")


VolumeUpdateSchema = VolumeAttributes

VOLUME = Resource("Volume", VolumeAttributes,
                  "A persistent block device that machines attach.", collection="volumes")


class VolumeImageCreateSchema(CommonAttributes):
    """POST to the volumeImages collection: a snapshot of `volume`, or a data image
    registered from `imageLocation` (a URL or a path the image datastore reads)."""

    volume = fields.Nested(Reference, metadata=described(
        "The volume whose content is copied (a snapshot)."))
    imageLocation = Location(metadata=described(
        "Where the image's content comes from: an http(s) URL or a path the image datastore "
        "reads (a data image, such as an ISO 9660 file system, that volumes are made from)."))

    @validates_schema
    def _one_source(self, data, **kwargs):
        if ("volume" in data) == ("imageLocation" in data):
            raise ValidationError("A VolumeImage is made either from a volume (volume) or from "
                                  "an image location (imageLocation): give one of them.")


class VolumeImageAttributes(Attributes):
    """A VolumeImage (a non-persistent OpenNebula DATABLOCK image): a snapshot of a volume or a
    registered data image, which new volumes copy. It is never edited, only deleted."""

    state = shown(description="CREATING, AVAILABLE, CAPTURING, DELETING or ERROR.")
    imageLocation = location_field("Where the image's content came from: the volume's image, "
                                   "or the URL or path it was registered from.")
    bootable = shown(fields.Boolean, "Whether machines boot from it: never, it holds data.")
    capacity = shown(fields.Integer, "The image's size in KiB.", units="KiB")
    format = shown(description="The image's disk format (raw, qcow2).")
    volume = reference("Volume", "The volume the image is a snapshot of.")
    owner = owner_field("image")


VOLUME_IMAGE = Resource("VolumeImage", VolumeImageAttributes,
                        "A copy of a volume's content, or a data image, that new volumes start "
                        "with.", collection="volumeImages")


class MachineVolumeAttributes(Attributes):
    """A MachineVolume: a volume attached to a machine (a DISK of the machine's VM whose image
    is a Volume)."""

    initialLocation = shown(description="The device the volume appears as in the machine "
                            "(vdb).")
    volume = reference("Volume", "The volume attached.")
    readOnly = shown(fields.Boolean, "Whether the machine may only read the volume.")


MACHINE_VOLUME = Resource("MachineVolume", MachineVolumeAttributes,
                          "A volume attached to a machine.")


class MachineDiskAttributes(Attributes):
    """A MachineDisk: a DISK of the machine's VM (its boot image, a volume, a volatile disk),
    read-only."""

    capacity = shown(fields.Integer, "The disk's size in KiB.", units="KiB")
    format = shown(description="swap for swap space, the file system a volatile disk was made "
                   "with (ext4, ...), else the image's format (raw, qcow2).")
    initialLocation = shown(description="The device the disk appears as in the machine (vda).")
    volatile = shown(fields.Boolean, "Whether the disk is made with the machine and deleted "
                     "with it (this server's extension).")
    readOnly = shown(fields.Boolean, "Whether the machine may only read the disk.")
    persistent = shown(fields.Boolean, "Whether the machine writes to the image itself rather "
                       "than to its own copy (this server's extension).")
    machineImage = reference("MachineImage", "The machine image the disk holds, if it holds "
                             "one.")
    volume = reference("Volume", "The volume the disk is, if it is one.")


MACHINE_DISK = Resource("MachineDisk", MachineDiskAttributes, "A disk of a machine.")


class MachineVolumeSchema(CimiBody):
    """POST to a machine's volumes (hot-plug), and each item of a machine template's
    `volumes`: an existing volume, optionally on a chosen device and read-only."""

    volume = fields.Nested(Reference, required=True)
    initialLocation = initial_location_field()
    readOnly = Flag(load_default=False)


class MachineVolumeTemplateSchema(CimiBody):
    """An item of a MachineCreate template's `volumeTemplates`: a new volume made for the
    machine from `volumeTemplate`, on an optional device."""

    volumeTemplate = fields.Nested(VolumeTemplateChoice, required=True)
    initialLocation = initial_location_field()


def machine_volumes_field():
    return listed(fields.Nested(MachineVolumeSchema), "volume",
                  "Existing volumes attached to the machine, each optionally read-only or on a "
                  "chosen device.",
                  validate=validate.Length(max=VOLUMES_MAX, error=f"At most {VOLUMES_MAX} volumes."))


def machine_volume_templates_field():
    return listed(fields.Nested(MachineVolumeTemplateSchema), "volumeTemplate",
                  "New volumes made for the machine from volume templates, kept after it.",
                  validate=validate.Length(max=VOLUMES_MAX,
                                           error=f"At most {VOLUMES_MAX} volume templates."))
