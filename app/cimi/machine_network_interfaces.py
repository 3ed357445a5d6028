"""MachineNetworkInterfaces: `<base>/machines/<id>/networkInterfaces[/<nic id>]` (read-only)."""
from flask_restx import Namespace, Resource

from app.cimi import crud, declarations as declare
from app.cimi.inputs import ID
from app.services import links, machine_network_interfaces as interfaces

namespace = Namespace("machineNetworkInterfaces",
                      description="Network interfaces of a machine (read-only)",
                      path="/" + links.MACHINES)


@namespace.route(f"/<{ID}:owner_id>/{interfaces.SEGMENT}")
class MachineNetworkInterfaceCollection(Resource):
    @declare.declared(declare.lists("List the MachineNetworkInterface parts of a resource",
                                    interfaces.TYPE_NAME))
    def get(self, owner_id):
        return crud.listing(interfaces.list_interfaces, owner_id)


@namespace.route(f"/<{ID}:owner_id>/{interfaces.SEGMENT}/<{ID}:part_id>")
class MachineNetworkInterface(Resource):
    @declare.declared(declare.reads("Read one MachineNetworkInterface", interfaces.TYPE_NAME))
    def get(self, owner_id, part_id):
        return crud.reading(interfaces.get_interface, owner_id, part_id)
