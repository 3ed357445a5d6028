"""MachineNetworkInterfaces: `<base>/machines/<id>/networkInterfaces[/<nic id>]`."""
from flask_restx import Namespace

from app.cimi import crud
from app.services import links, machine_network_interfaces as interfaces

namespace = Namespace("machineNetworkInterfaces",
                      description="Network interfaces of a machine (read-only)",
                      path="/" + links.MACHINES)

crud.part_routes(namespace, interfaces.SEGMENT, interfaces.TYPE_NAME,
                 interfaces.list_interfaces, interfaces.get_interface)
