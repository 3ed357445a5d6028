"""Addresses: `<base>/addresses` and `<base>/addresses/<network id>/<ip>` (read-only)."""
from flask_restx import Resource

from app.cimi import crud, declarations as declare
from app.cimi.api import CollectionNamespace
from app.cimi.inputs import ID
from app.services import addresses, links

namespace = CollectionNamespace("addresses", links.ADDRESSES, "IP addresses in use (read-only)")


@namespace.route("")
class AddressCollection(Resource):
    @declare.declared(declare.lists("List the Address collection", addresses.TYPE_NAME))
    def get(self):
        return crud.listing(addresses.list_addresses)


@namespace.route(f"/<{ID}:network_id>/<ip>")
class Address(Resource):
    @declare.declared(declare.reads("Read an Address", addresses.TYPE_NAME))
    def get(self, network_id, ip):
        return crud.reading(addresses.get_address, network_id, ip)
