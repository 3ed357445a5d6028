"""A machine's snapshots: `<base>/machines/<id>/snapshots` and
`<base>/machines/<id>/snapshots/<snapshot id>` (the Machine `snapshot` and `restore` actions
take and use them; DELETE removes one)."""
from flask_restx import Namespace, Resource

from app.cimi import declarations as declare
from app.cimi.inputs import ID, request_caller, request_query, shaped
from app.protocol import require_current, respond
from app.services import jobs, links, machine_snapshots

namespace = Namespace("machineSnapshots", description="Snapshots of a machine",
                      path="/" + links.MACHINES)


@namespace.route(f"/<{ID}:machine_id>/{machine_snapshots.SEGMENT}")
class MachineSnapshotCollection(Resource):
    @declare.declared(declare.lists("List the snapshots of a Machine",
                                    machine_snapshots.TYPE_NAME))
    def get(self, machine_id):
        caller, query = request_caller(), request_query()
        return respond(machine_snapshots.list_snapshots(caller, machine_id, query))


@namespace.route(f"/<{ID}:machine_id>/{machine_snapshots.SEGMENT}/<string:snapshot_id>")
class MachineSnapshot(Resource):
    @declare.declared(declare.reads("Read a snapshot of a Machine", machine_snapshots.TYPE_NAME))
    def get(self, machine_id, snapshot_id):
        caller, query = request_caller(), request_query()
        snapshot = machine_snapshots.get_snapshot(caller, machine_id, snapshot_id)
        return respond(shaped(caller, query, snapshot))

    @declare.declared(declare.deletes("Delete a snapshot of a Machine", declare.JOB_STARTED))
    def delete(self, machine_id, snapshot_id):
        caller = request_caller()
        require_current(lambda: machine_snapshots.get_snapshot(caller, machine_id, snapshot_id))
        job_uri = machine_snapshots.delete_snapshot(caller, machine_id, snapshot_id)
        return respond(None, 202, jobs.job_header(job_uri))
