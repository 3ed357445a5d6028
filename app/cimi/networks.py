"""Networks: `<base>/networks`, `<base>/networks/<id>` and its addresses in use,
`<base>/networks/<id>/addresses` (read-only)."""
from flask_restx import Resource

from app.cimi import crud, declarations as declare
from app.cimi.inputs import ID, request_caller, request_query
from app.cimi.api import CollectionNamespace
from app.protocol import respond
from app.services import addresses, links, networks

namespace = CollectionNamespace("networks", links.NETWORKS, "Virtual networks (read-only)")

crud.collection_routes(namespace, networks.list_networks)
crud.member_routes(namespace, networks.get_network)


@namespace.route(f"/<{ID}:network_id>/{networks.ADDRESSES}")
class NetworkAddressCollection(Resource):
    @declare.declared(declare.lists("List the addresses in use in a Network",
                                    addresses.TYPE_NAME))
    def get(self, network_id):
        caller, query = request_caller(), request_query()
        return respond(addresses.list_network_addresses(caller, network_id, query))
