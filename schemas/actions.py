"""The CIMI Action body POSTed to a resource's operation href."""
from marshmallow import fields, validate

from schemas.common import CimiBody, Flag, properties_field
from schemas.machine_images import ActionImage


class ActionSchema(CimiBody):
    action = fields.String(required=True, validate=validate.Length(min=1, max=256))
    force = Flag(load_default=False)
    properties = properties_field()
    # capture, snapshot and stop: the image to create; restore: the snapshot to go back to.
    image = fields.Nested(ActionImage)
