"""MachineVolumes: `<base>/machines/<id>/volumes` (attach) and `.../volumes/<disk id>`
(detach); both answer 202 with the Job that follows the hot-plug."""
from flask_restx import Namespace, Resource

from app.cimi import crud, declarations as declare
from app.cimi.inputs import ID, request_caller
from app.protocol import respond
from app.services import jobs, links, machine_volumes
from schemas.volumes import MachineVolumeSchema

namespace = Namespace("machineVolumes", description="Volumes attached to a machine",
                      path="/" + links.MACHINES)


@namespace.route(f"/<{ID}:machine_id>/{machine_volumes.SEGMENT}")
class MachineVolumeCollection(Resource):
    @declare.declared(declare.lists("List the volumes attached to a Machine",
                                    machine_volumes.TYPE_NAME))
    def get(self, machine_id):
        return crud.listing(machine_volumes.list_volumes, machine_id)

    @declare.declared(declare.Declaration(
        "Attach a Volume to a Machine",
        (declare.Answer(202, "Accepted: Location is the MachineVolume's URI, CIMI-Job-URI the "
                             "Job that follows the attachment.", declare.RESOURCE,
                        (declare.LOCATION, jobs.HEADER)),),
        body=MachineVolumeSchema, resource=machine_volumes.TYPE_NAME))
    def post(self, machine_id, body):
        caller = request_caller()
        attached, job_uri = machine_volumes.attach_volume(caller, machine_id, body())
        return respond(attached, 202,
                       {declare.LOCATION: attached["id"], **jobs.job_header(job_uri)})


@namespace.route(f"/<{ID}:machine_id>/{machine_volumes.SEGMENT}/<{ID}:disk_id>")
class MachineVolume(Resource):
    @declare.declared(declare.reads("Read a MachineVolume", machine_volumes.TYPE_NAME))
    def get(self, machine_id, disk_id):
        return crud.reading(machine_volumes.get_volume, machine_id, disk_id)

    @declare.declared(declare.deletes("Detach a Volume from a Machine", declare.JOB_STARTED))
    def delete(self, machine_id, disk_id):
        return crud.deletion_by_job(machine_volumes.get_volume, machine_volumes.detach_volume,
                                    machine_id, disk_id)
