"""How other bodies name a MachineImage (MachineImages themselves are read-only for now)."""
from marshmallow import ValidationError, validates_schema

from schemas.common import CimiBody, href_field


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
