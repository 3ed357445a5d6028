"""Machines: `<base>/machines` and `<base>/machines/<id>`.

POST to a machine's URI carries a CIMI Action (the href every action operation names).
"""
from flask_restx import Resource

from app.cimi import crud
from app.cimi.context import ID, forced, request_context, request_query
from app.cimi.registry import CollectionNamespace
from app.protocol import read_body, require_current, respond
from app.services import jobs, links, machines
from schemas.actions import ActionSchema
from schemas.machines import MachineCreateSchema, MachineUpdateSchema

namespace = CollectionNamespace("machines", links.MACHINES, "Machines (OpenNebula VMs)")

crud.collection_routes(namespace, machines.list_machines, machines.create_machine,
                       MachineCreateSchema)


@namespace.route(f"/<{ID}:machine_id>")
class Machine(Resource):
    def get(self, machine_id):
        ctx, query = request_context(), request_query()
        return respond(machines.get_machine(ctx, machine_id, query))

    def put(self, machine_id):
        """A full update, or a partial one of the attributes named by `$select`."""
        ctx, query = request_context(), request_query()
        require_current(lambda: machines.get_machine(ctx, machine_id))
        update = query.updates(read_body(MachineUpdateSchema))
        return respond(machines.update_machine(ctx, machine_id, update.values, update.cleared))

    def post(self, machine_id):
        ctx = request_context()
        headers = machines.perform_action(ctx, machine_id, read_body(ActionSchema))
        return respond(None, 202, headers)

    def delete(self, machine_id):
        ctx = request_context()
        require_current(lambda: machines.get_machine(ctx, machine_id))
        job_uri = machines.delete_machine(ctx, machine_id, force=forced())
        return respond(None, 202, jobs.job_header(job_uri))
