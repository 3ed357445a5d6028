"""The MachineImage resource, and its bodies: registration (POST), PUT, the `image` input of
the capture, snapshot, restore and stop actions, and how other bodies name a MachineImage."""
from marshmallow import ValidationError, fields, validate, validates_schema

from app.protocol.model import Href, Resource, reference, shown
from schemas.common import (
    GIVEN, Attributes, CimiBody, CommonAttributes, Flag, Keyword, described, href_field,
    owner_field,
)

VISIBILITIES = ("private", "public")
DEVICES = ("disk", "cdrom")
PERSISTENT = ("Whether machines write to the image itself (one machine at a time) rather than "
              "to a copy.")


class MachineImageChoice(CimiBody):
    """`machineImage` inside a MachineCreate or MachineTemplate: an href, or the image by value as
    this server rendered it (whose `id` is its href). Registering a new image inline is not
    offered: a by-value image must be one that already exists."""

    href = href_field()
    id = href_field()

    @validates_schema
    def _identified(self, data, **kwargs):
        if "href" not in data and "id" not in data:
            raise ValidationError(
                "machineImage must name an existing image by its href "
                "(find one in the machineImages collection).", "href")


class Location(fields.Field):
    """`imageLocation`: an href, given as `{"href": ...}` (as this server renders it) or as the
    bare string (as many clients send it)."""

    default_error_messages = {
        "invalid": 'imageLocation must be a string or {{"href": "..."}}.',
    }

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, dict) and set(value) == {"href"}:
            value = value["href"]
        if not isinstance(value, str) or not value.strip():
            raise self.make_error("invalid")
        if len(value) > 2048:
            raise ValidationError("imageLocation must be at most 2048 characters.")
        return value.strip()


def location_field(description):
    """An image's `imageLocation` as the server shows it: `{"href": ...}`, a URL, a path or a
    resource of this server."""
    return fields.Nested(Href, dump_only=True, metadata=described(description))


def visibility_field():
    return Keyword(validate=validate.OneOf(
        VISIBILITIES, error="visibility must be private or public;" + GIVEN), metadata=described(
        "private: only its owner uses it; public: every user sees and launches it."))


class MachineImageCreateSchema(CommonAttributes):
    """POST to machineImages. `imageLocation` is an http(s) URL or an absolute path the image
    datastore can read (registration), or a Machine of this server (capture of its disk)."""

    imageLocation = Location(required=True, metadata=described(
        "Where the image comes from: an http(s) URL or a path the image datastore reads, or a "
        "Machine of this server whose disk is captured."))
    type = Keyword(validate=validate.Equal("IMAGE", error=(
        "type must be IMAGE: registered and captured images are whole images; a SNAPSHOT "
        "comes from a machine's snapshot action;" + GIVEN)),
        metadata=described("IMAGE: a whole image."))
    persistent = Flag(metadata=described(PERSISTENT))
    visibility = visibility_field()
    device = Keyword(validate=validate.OneOf(DEVICES, error="device must be disk or cdrom;" + GIVEN),
                     metadata=described("How machines see the image: disk or cdrom."))


class MachineImageAttributes(Attributes):
    """A MachineImage: an OpenNebula OS or CDROM image (type IMAGE), or a snapshot of a machine
    (type SNAPSHOT, listed under the machine). A PUT sets name, description, properties,
    persistent and visibility; attributes the body leaves out keep their values."""

    state = shown(description="CREATING, AVAILABLE, CAPTURING, DELETING or ERROR.")
    type = shown(description="IMAGE: a whole image that launches machines; SNAPSHOT: a "
                 "snapshot that only restores its machine.")
    imageLocation = location_field("Where the image came from: the URL or path it was "
                                   "registered from, or the Machine it was saved from.")
    relatedImage = reference("MachineImage", "The image the machine it was saved from was "
                             "launched from.")
    size = shown(fields.Integer, "The image's size in KiB.", units="KiB")
    format = shown(description="The image's disk format (raw, qcow2, iso, ...).")
    device = shown(description="How machines see the image: disk or cdrom (this server's "
                   "extension).")
    persistent = Flag(metadata=described(PERSISTENT))
    visibility = visibility_field()
    owner = owner_field("image")


MachineImageUpdateSchema = MachineImageAttributes

MACHINE_IMAGE = Resource("MachineImage", MachineImageAttributes,
                         "An image machines boot from, or a snapshot of a machine.",
                         collection="machineImages")


class ActionImage(CommonAttributes):
    """The `image` input of an Action: the image to create (capture, snapshot, stop with save),
    with an optional name, description and properties; or the snapshot to restore, by href."""

    href = href_field()
