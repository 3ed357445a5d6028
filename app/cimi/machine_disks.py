"""MachineDisks: `<base>/machines/<id>/disks` and `<base>/machines/<id>/disks/<disk id>`."""
from flask_restx import Namespace, Resource

from app.cimi.context import ID, request_context, request_query, shaped
from app.protocol import respond
from app.services import links, machine_disks

namespace = Namespace("machineDisks", description="Disks of a machine (read-only)",
                      path="/" + links.MACHINES)


@namespace.route(f"/<{ID}:machine_id>/{machine_disks.SEGMENT}")
class MachineDiskCollection(Resource):
    def get(self, machine_id):
        ctx, query = request_context(), request_query()
        return respond(machine_disks.list_disks(ctx, machine_id, query))


@namespace.route(f"/<{ID}:machine_id>/{machine_disks.SEGMENT}/<{ID}:disk_id>")
class MachineDisk(Resource):
    def get(self, machine_id, disk_id):
        ctx, query = request_context(), request_query()
        return respond(shaped(ctx, query, machine_disks.get_disk(ctx, machine_id, disk_id)))
