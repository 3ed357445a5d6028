"""The network resources, all read-only: Network (an OpenNebula virtual network), Address (a
lease in use) and MachineNetworkInterface (a NIC of a machine); and the network choices inside
a machine template: `networkInterfaces`, each naming its network."""
from marshmallow import fields, validate

from app.protocol.model import Resource, listed, reference, shown, subcollection
from schemas.common import CimiBody, ReadOnlyAttributes, href_field, owner_field

MAX_NETWORK_INTERFACES = 8
MAC_ADDRESS = "The MAC address of the interface."
# OpenNebula keeps no text, times or properties for a lease or a NIC, and neither is changed
# through CIMI: an Address and a MachineNetworkInterface have none of these attributes.
NOT_KEPT = ("description", "created", "updated", "properties", "operations")


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


class NetworkAttributes(ReadOnlyAttributes):
    """A Network: an OpenNebula virtual network the caller may use. Networks and their address
    ranges are the site's, made in OpenNebula; machines choose among them."""

    class Meta(ReadOnlyAttributes.Meta):
        exclude = ("created", "updated", "operations")

    state = shown(description="CREATING, STARTED, DELETING or ERROR.")
    addresses = subcollection("Address", "The network's addresses in use.")
    owner = owner_field("network")


NETWORK = Resource("Network", NetworkAttributes, "A virtual network machines connect to.",
                   collection="networks")


class AddressAttributes(ReadOnlyAttributes):
    """An Address: one IPv4 lease in use in a network, with the network's gateway, DNS and
    mask as the machine's context has them; OpenNebula makes and releases it with the NIC."""

    class Meta(ReadOnlyAttributes.Meta):
        exclude = NOT_KEPT

    ip = shown(description="The IPv4 address.")
    macAddress = shown(description=MAC_ADDRESS + " (this server's extension).")
    allocation = shown(description="How the address was given: dynamic (OpenNebula leased it "
                       "to the interface).")
    defaultGateway = shown(description="The network's default gateway.")
    dns = shown(description="The network's DNS servers.")
    protocol = shown(description="IPv4.")
    mask = shown(description="The network's mask.")
    resource = reference("Machine", "The machine holding the lease.")
    network = reference("Network", "The network the address belongs to.")


ADDRESS = Resource("Address", AddressAttributes, "An IP address in use in a network.",
                   collection="addresses")


class MachineNetworkInterfaceAttributes(ReadOnlyAttributes):
    """A MachineNetworkInterface: a NIC of a machine (named after its network)."""

    class Meta(ReadOnlyAttributes.Meta):
        exclude = NOT_KEPT

    network = reference("Network", "The network the interface is attached to.")
    macAddress = shown(description=MAC_ADDRESS)
    ipAddresses = listed(fields.String(), "ipAddress", "The interface's IP addresses (this "
                         "server's extension).", shown=True)


MACHINE_NETWORK_INTERFACE = Resource(
    "MachineNetworkInterface", MachineNetworkInterfaceAttributes,
    "A network interface of a machine.")
