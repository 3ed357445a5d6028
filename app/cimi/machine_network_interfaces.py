"""MachineNetworkInterfaces: `<base>/machines/<id>/networkInterfaces[/<nic id>]`."""
from flask_restx import Namespace, Resource

from app.cimi.context import ID, request_context, request_query, shaped
from app.protocol import respond
from app.services import links, machine_network_interfaces as interfaces

namespace = Namespace("machineNetworkInterfaces",
                      description="Network interfaces of a machine (read-only)",
                      path="/" + links.MACHINES)


@namespace.route(f"/<{ID}:machine_id>/{interfaces.SEGMENT}")
class MachineNetworkInterfaceCollection(Resource):
    def get(self, machine_id):
        ctx, query = request_context(), request_query()
        return respond(interfaces.list_interfaces(ctx, machine_id, query))


@namespace.route(f"/<{ID}:machine_id>/{interfaces.SEGMENT}/<{ID}:nic_id>")
class MachineNetworkInterface(Resource):
    def get(self, machine_id, nic_id):
        ctx, query = request_context(), request_query()
        return respond(shaped(ctx, query, interfaces.get_interface(ctx, machine_id, nic_id)))
