"""Network choices inside a machine template: `networkInterfaces`, each naming its network."""
from marshmallow import fields, validate

from app.protocol.model import listed
from schemas.common import CimiBody, href_field

MAX_NETWORK_INTERFACES = 8


class NetworkReference(CimiBody):
    href = href_field()
    href.required = True


class NetworkInterfaceChoice(CimiBody):
    """One interface of a machine to launch: the Network it is attached to, by reference."""

    network = fields.Nested(NetworkReference, required=True)


def network_interfaces_field():
    return listed(fields.Nested(NetworkInterfaceChoice), "networkInterface",
                  "The networks the machine is connected to, one interface each.",
                  validate=validate.Length(max=MAX_NETWORK_INTERFACES, error=(
                      "A machine can have at most "
                      f"{MAX_NETWORK_INTERFACES} network interfaces.")))
