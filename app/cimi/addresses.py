"""Addresses: `<base>/addresses` and `<base>/addresses/<network id>/<ip>` (read-only)."""
from flask_restx import Resource

from app.cimi import crud, declarations as declare
from app.cimi.context import ID, request_context, request_query, shaped
from app.cimi.api import CollectionNamespace
from app.protocol import respond
from app.services import addresses, links

namespace = CollectionNamespace("addresses", links.ADDRESSES, "IP addresses in use (read-only)")

crud.collection_routes(namespace, addresses.list_addresses)


@namespace.route(f"/<{ID}:network_id>/<ip>")
class Address(Resource):
    @declare.declared(declare.reads("Read an Address", addresses.TYPE_NAME))
    def get(self, network_id, ip):
        ctx, query = request_context(), request_query()
        return respond(shaped(ctx, query, addresses.get_address(ctx, network_id, ip)))
