"""Networks: `<base>/networks`, `<base>/networks/<id>` and its addresses in use,
`<base>/networks/<id>/addresses` (read-only)."""
from flask_restx import Resource

from app.cimi.context import ID, request_context, request_query, shaped
from app.cimi.registry import CollectionNamespace
from app.protocol import respond
from app.services import addresses, links, networks

namespace = CollectionNamespace("networks", links.NETWORKS, "Virtual networks (read-only)")


@namespace.route("")
class NetworkCollection(Resource):
    def get(self):
        ctx, query = request_context(), request_query()
        return respond(networks.list_networks(ctx, query))


@namespace.route(f"/<{ID}:network_id>")
class Network(Resource):
    def get(self, network_id):
        ctx, query = request_context(), request_query()
        return respond(shaped(ctx, query, networks.get_network(ctx, network_id)))


@namespace.route(f"/<{ID}:network_id>/{networks.ADDRESSES}")
class NetworkAddressCollection(Resource):
    def get(self, network_id):
        ctx, query = request_context(), request_query()
        return respond(addresses.list_network_addresses(ctx, network_id, query))
