"""Network choices inside a machine template: `networkInterfaces`, each naming its network."""
from marshmallow import fields, validate

from schemas.common import CimiBody, described, href_field

MAX_NETWORK_INTERFACES = 8


class NetworkReference(CimiBody):
    href = href_field()
    href.required = True


class NetworkInterfaceChoice(CimiBody):
    """One interface of a machine to launch: the Network it is attached to, by reference."""

    network = fields.Nested(NetworkReference, required=True)


def network_interfaces_field():
    return fields.List(fields.Nested(NetworkInterfaceChoice), validate=validate.Length(
        max=MAX_NETWORK_INTERFACES,
        error=f"A machine can have at most {MAX_NETWORK_INTERFACES} network interfaces."),
        metadata=described("The networks the machine is connected to, one interface each."))
