"""Volume bodies: VolumeConfiguration, VolumeTemplate, VolumeCreate, Volume PUT, VolumeImage
create and MachineVolume attach, plus the `volumes` and `volumeTemplates` of a machine template.

Capacity is KiB as CIMI has it and must be whole MiB (OpenNebula sizes images in MB).
`visibility` (private or public) and `shareable` are this server's extensions: a public
volume may be used by every user, a shareable one attached read-only to many machines at once.
"""
from marshmallow import ValidationError, fields, validate, validates_schema

from app.protocol.model import listed
from schemas.common import (
    GIVEN, CimiBody, CommonAttributes, Flag, Keyword, ReferenceOrValue, described, href_field,
    name_field,
)
from schemas.machine_configurations import FILE_SYSTEMS, capacity_field, initial_location_field
from schemas.machine_images import Location

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


class VolumeConfigurationSchema(CommonAttributes):
    """POST to the volumeConfigs collection and PUT of one: the whole editable state."""

    name = name_field(required=True)
    capacity = capacity_field(required=True)
    format = format_field()
    type = type_field()


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


class VolumeTemplateSchema(CommonAttributes):
    """POST to the volumeTemplates collection and PUT of one: the whole editable state."""

    name = name_field(required=True)
    volumeConfig = fields.Nested(VolumeConfigChoice, metadata=described(
        "The volume's configuration (capacity, format), by reference or by value."))
    volumeImage = fields.Nested(Reference, metadata=described(
        "A VolumeImage whose content the new volume starts with."))

    @validates_schema
    def _complete(self, data, **kwargs):
        _config_or_image(data)


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


class VolumeUpdateSchema(CommonAttributes):
    """PUT of a Volume: name, description, properties, visibility and shareable; attributes
    absent from the body keep their current values."""

    visibility = visibility_field()
    shareable = Flag(metadata=described(SHAREABLE))


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
