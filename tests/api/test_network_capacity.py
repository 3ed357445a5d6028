"""A network whose addresses are all leased: a MachineCreate that needs one more is a 409 that
says the capacity is exhausted (oned's "Cannot get IP/MAC lease"), and leaves nothing behind."""
import pytest

from api_support import public_network


@pytest.fixture(scope="module")
def one_address_network(request, opennebula):
    """A network of one address: a machine with two interfaces on it needs one more."""
    return public_network(request, opennebula, "one-address", "192.168.9.10", 1)


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
