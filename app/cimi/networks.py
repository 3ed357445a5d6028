"""Networks: `<base>/networks`, `<base>/networks/<id>` and its addresses in use,
`<base>/networks/<id>/addresses` (read-only)."""
from flask_restx import Resource

from app.cimi import crud, declarations as declare
from app.cimi.api import CollectionNamespace
from app.cimi.inputs import ID
from app.services import addresses, links, networks

namespace = CollectionNamespace("networks", links.NETWORKS, "Virtual networks (read-only)")


@namespace.route("")
class NetworkCollection(Resource):
    @declare.declared(declare.lists("List the Network collection", networks.TYPE_NAME))
    def get(self):
        return crud.listing(networks.list_networks)


@namespace.route(f"/<{ID}:resource_id>")
class Network(Resource):
    @declare.declared(declare.reads("Read one Network", networks.TYPE_NAME))
    def get(self, resource_id):
        return crud.reading(networks.get_network, resource_id)


@namespace.route(f"/<{ID}:network_id>/{networks.ADDRESSES}")
class NetworkAddressCollection(Resource):
    @declare.declared(declare.lists("List the addresses in use in a Network",
                                    addresses.TYPE_NAME))
    def get(self, network_id):
        return crud.listing(addresses.list_network_addresses, network_id)
