"""Volumes: `<base>/volumes` and `<base>/volumes/<id>`."""
from flask_restx import Resource

from app.cimi.context import ID, request_context, request_query, selected_update, shaped
from app.cimi.registry import CollectionNamespace
from app.protocol import read_body, require_current, respond
from app.services import jobs, links, volumes
from schemas.volumes import VolumeCreateSchema, VolumeUpdateSchema

namespace = CollectionNamespace("volumes", links.VOLUMES,
                                "Volumes (persistent OpenNebula DATABLOCK images)")


@namespace.route("")
class VolumeCollection(Resource):
    def get(self):
        ctx, query = request_context(), request_query()
        return respond(volumes.list_volumes(ctx, query))

    def post(self):
        ctx = request_context()
        created = volumes.create_volume(ctx, read_body(VolumeCreateSchema))
        return respond(created, 201, {"Location": created["id"]})


@namespace.route(f"/<{ID}:volume_id>")
class Volume(Resource):
    def get(self, volume_id):
        ctx, query = request_context(), request_query()
        return respond(shaped(ctx, query, volumes.get_volume(ctx, volume_id)))

    def put(self, volume_id):
        """An update of the attributes the body gives, or of those `$select` names."""
        ctx, query = request_context(), request_query()
        require_current(lambda: volumes.get_volume(ctx, volume_id))
        body = selected_update(query, read_body(VolumeUpdateSchema))
        return respond(volumes.update_volume(ctx, volume_id, body))

    def delete(self, volume_id):
        ctx = request_context()
        require_current(lambda: volumes.get_volume(ctx, volume_id))
        job_uri = volumes.delete_volume(ctx, volume_id)
        return respond(None, 202, jobs.job_header(job_uri))
