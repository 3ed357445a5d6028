"""The CIMI Action body POSTed to a resource's operation href.

Unlike a resource, an Action is never a document read back from the server, so an attribute
it does not take is refused (400) rather than ignored: a misspelt input (`machineImage` for
`image`) would otherwise change silently what the action does.
"""
from marshmallow import RAISE, fields, pre_load, validate

from schemas.common import CimiBody, Flag, properties_field
from schemas.machine_images import ActionImage


class ActionSchema(CimiBody):
    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "An Action takes no such input (it takes action, force, "
                                 "properties and, for capture, snapshot, stop and restore, "
                                 "image)."}

    action = fields.String(required=True, validate=validate.Length(min=1, max=256))
    force = Flag(load_default=False)
    properties = properties_field()
    # capture, snapshot and stop: the image to create; restore: the snapshot to go back to.
    image = fields.Nested(ActionImage)

    @pre_load
    def _without_type(self, data, **kwargs):
        """`resourceURI` says the body is an Action, which the route knows already."""
        return {key: value for key, value in data.items() if key != "resourceURI"} \
            if isinstance(data, dict) else data
