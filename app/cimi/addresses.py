"""Addresses: `<base>/addresses` and `<base>/addresses/<network id>/<ip>` (read-only)."""
from flask_restx import Resource

from app.cimi import crud, declarations as declare
from app.cimi.inputs import ID, request_caller, request_query, shaped
from app.cimi.api import CollectionNamespace
from app.protocol import respond
from app.services import addresses, links

namespace = CollectionNamespace("addresses", links.ADDRESSES, "IP addresses in use (read-only)")

crud.collection_routes(namespace, addresses.list_addresses)


@namespace.route(f"/<{ID}:network_id>/<ip>")
class Address(Resource):
    @declare.declared(declare.reads("Read an Address", addresses.TYPE_NAME))
    def get(self, network_id, ip):
        caller, query = request_caller(), request_query()
        return respond(shaped(caller, query, addresses.get_address(caller, network_id, ip)))
