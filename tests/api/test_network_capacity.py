"""A network whose addresses are all leased: a MachineCreate that needs one more is a 409 that
says the capacity is exhausted (oned's "Cannot get IP/MAC lease"), and leaves nothing behind."""
import pytest

from support import lanes

# One address: a machine with two interfaces on it needs one more than there is.
FULL_TEMPLATE = """NAME="one-address"
VN_MAD="dummy"
BRIDGE="br0"
AR=[TYPE="IP4", IP="192.168.9.10", SIZE="1"]
"""


@pytest.fixture(scope="module")
def one_address_network(request, opennebula):
    """The id of a network of one address that the users group may use."""
    if not opennebula.real:
        return emulator_network(request.getfixturevalue("onesim_server"))
    one = lanes.Rpc(opennebula.endpoint, opennebula.admin_session)
    with lanes.exclusive(opennebula, "one-address network"):
        existing = {vnet.findtext("NAME"): int(vnet.findtext("ID"))
                    for vnet in one.pool("vnpool.info", -2, -1, -1)}
        if "one-address" in existing:
            return existing["one-address"]
        network_id = one.call("vn.allocate", FULL_TEMPLATE, -1)
        one.call("vn.chmod", network_id, 1, 1, 0, 0, 0, 0, 1, 0, 0)
    return network_id


def emulator_network(onesim_server):
    from onesim.seed import PUBLIC_IMAGE_PERMISSIONS
    from onesim.vnets import create_vnet

    emulator = onesim_server.emulator
    with emulator.transaction():
        pool = emulator.pool("vnet")
        network = create_vnet(emulator, "one-address", "192.168.9.10", 1)
        network.permissions = PUBLIC_IMAGE_PERMISSIONS
        pool.save(network)
    return network.id


def test_no_free_address_is_exhausted_capacity(cimi, collection_href, machine_create,
                                               one_address_network, unchanged_backend):
    network = {"network": {"href": f"{collection_href('networks')}/{one_address_network}"}}
    result = cimi.post(collection_href("machines"),
                       machine_create(networkInterfaces=[network, network]))
    assert result.status == 409, result.document
    assert result.document["status"] == 409
    message = result.document["message"]
    assert message.startswith("Capacity exhausted: the network has no free address")
    assert f"virtual network {one_address_network}" in message
