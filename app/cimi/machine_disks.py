"""MachineDisks: `<base>/machines/<id>/disks` and `<base>/machines/<id>/disks/<disk id>`
(read-only)."""
from flask_restx import Namespace, Resource

from app.cimi import crud, declarations as declare
from app.cimi.inputs import ID
from app.services import links, machine_disks as disks

namespace = Namespace("machineDisks", description="Disks of a machine (read-only)",
                      path="/" + links.MACHINES)


@namespace.route(f"/<{ID}:owner_id>/{disks.SEGMENT}")
class MachineDiskCollection(Resource):
    @declare.declared(declare.lists("List the MachineDisk parts of a resource", disks.TYPE_NAME))
    def get(self, owner_id):
        return crud.listing(disks.list_disks, owner_id)


@namespace.route(f"/<{ID}:owner_id>/{disks.SEGMENT}/<{ID}:part_id>")
class MachineDisk(Resource):
    @declare.declared(declare.reads("Read one MachineDisk", disks.TYPE_NAME))
    def get(self, owner_id, part_id):
        return crud.reading(disks.get_disk, owner_id, part_id)
