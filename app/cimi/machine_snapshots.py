"""A machine's snapshots: `<base>/machines/<id>/snapshots` and
`<base>/machines/<id>/snapshots/<snapshot id>` (the Machine `snapshot` and `restore` actions
take and use them; DELETE removes one)."""
from flask_restx import Namespace, Resource

from app.cimi import crud, declarations as declare
from app.cimi.inputs import ID
from app.services import links, machine_snapshots

namespace = Namespace("machineSnapshots", description="Snapshots of a machine",
                      path="/" + links.MACHINES)


@namespace.route(f"/<{ID}:machine_id>/{machine_snapshots.SEGMENT}")
class MachineSnapshotCollection(Resource):
    @declare.declared(declare.lists("List the snapshots of a Machine",
                                    machine_snapshots.TYPE_NAME))
    def get(self, machine_id):
        return crud.listing(machine_snapshots.list_snapshots, machine_id)


@namespace.route(f"/<{ID}:machine_id>/{machine_snapshots.SEGMENT}/<string:snapshot_id>")
class MachineSnapshot(Resource):
    @declare.declared(declare.reads("Read a snapshot of a Machine", machine_snapshots.TYPE_NAME))
    def get(self, machine_id, snapshot_id):
        return crud.reading(machine_snapshots.get_snapshot, machine_id, snapshot_id)

    @declare.declared(declare.deletes("Delete a snapshot of a Machine", declare.JOB_STARTED))
    def delete(self, machine_id, snapshot_id):
        return crud.deletion_by_job(machine_snapshots.get_snapshot,
                                    machine_snapshots.delete_snapshot, machine_id, snapshot_id)
