"""Machines: `<base>/machines` and `<base>/machines/<id>`.

POST to a machine's URI carries a CIMI Action (the href every action operation names).
"""
from flask_restx import Resource

from app.cimi import crud, declarations as declare
from app.cimi.api import CollectionNamespace
from app.cimi.inputs import FORCE, ID, forced, request_caller, request_query
from app.protocol import require_current, respond
from app.services import actions, jobs, links, machines
from schemas.actions import ActionSchema
from schemas.machines import MachineCreateSchema, MachineUpdateSchema

namespace = CollectionNamespace("machines", links.MACHINES, "Machines (OpenNebula VMs)")


@namespace.route("")
class MachineCollection(Resource):
    @declare.declared(declare.lists("List the Machine collection", machines.TYPE_NAME))
    def get(self):
        return crud.listing(machines.list_machines)

    @declare.declared(declare.creates("Create one Machine", MachineCreateSchema,
                                      machines.TYPE_NAME))
    def post(self, body):
        return crud.creation(machines.create_machine, body)


@namespace.route(f"/<{ID}:machine_id>")
class Machine(Resource):
    @declare.declared(declare.reads("Read a Machine", machines.TYPE_NAME))
    def get(self, machine_id):
        caller, query = request_caller(), request_query()
        return respond(machines.get_machine(caller, machine_id, query))

    @declare.declared(declare.updates("Update a Machine, all of it or what $select names",
                                      MachineUpdateSchema, machines.TYPE_NAME, partial=True))
    def put(self, machine_id, body):
        """A full update, or a partial one of the attributes named by `$select`."""
        caller, query = request_caller(), request_query()
        require_current(lambda: machines.get_machine(caller, machine_id))
        update = query.updates(body())
        return respond(machines.update_machine(caller, machine_id, update.values, update.cleared))

    @declare.declared(declare.Declaration(
        "Perform a CIMI Action on a Machine",
        (declare.Answer(202, "Accepted: CIMI-Job-URI names the Job that follows the action; "
                             "Location names the image or snapshot it creates, if any.",
                        headers=(jobs.HEADER, declare.LOCATION)),),
        body=ActionSchema))
    def post(self, machine_id, body):
        caller = request_caller()
        headers = actions.perform_action(caller, machine_id, body())
        return respond(None, 202, headers)

    @declare.declared(declare.deletes("Delete a Machine", declare.JOB_STARTED, query=(FORCE,)))
    def delete(self, machine_id):
        caller = request_caller()
        require_current(lambda: machines.get_machine(caller, machine_id))
        job_uri = machines.delete_machine(caller, machine_id, force=forced())
        return respond(None, 202, jobs.job_header(job_uri))
