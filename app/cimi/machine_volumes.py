"""MachineVolumes: `<base>/machines/<id>/volumes` (attach) and `.../volumes/<disk id>`
(detach); both answer 202 with the Job that follows the hot-plug."""
from flask_restx import Namespace, Resource

from app.cimi.context import ID, request_context, request_query, shaped
from app.protocol import read_body, require_current, respond
from app.services import jobs, links, machine_volumes
from schemas.volumes import MachineVolumeSchema

namespace = Namespace("machineVolumes", description="Volumes attached to a machine",
                      path="/" + links.MACHINES)


@namespace.route(f"/<{ID}:machine_id>/{machine_volumes.SEGMENT}")
class MachineVolumeCollection(Resource):
    def get(self, machine_id):
        ctx, query = request_context(), request_query()
        return respond(machine_volumes.list_volumes(ctx, machine_id, query))

    def post(self, machine_id):
        ctx = request_context()
        attached, job_uri = machine_volumes.attach_volume(
            ctx, machine_id, read_body(MachineVolumeSchema))
        return respond(attached, 202, {"Location": attached["id"], **jobs.job_header(job_uri)})


@namespace.route(f"/<{ID}:machine_id>/{machine_volumes.SEGMENT}/<{ID}:disk_id>")
class MachineVolume(Resource):
    def get(self, machine_id, disk_id):
        ctx, query = request_context(), request_query()
        return respond(shaped(ctx, query, machine_volumes.get_volume(ctx, machine_id, disk_id)))

    def delete(self, machine_id, disk_id):
        ctx = request_context()
        require_current(lambda: machine_volumes.get_volume(ctx, machine_id, disk_id))
        job_uri = machine_volumes.detach_volume(ctx, machine_id, disk_id)
        return respond(None, 202, jobs.job_header(job_uri))
