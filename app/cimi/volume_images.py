"""VolumeImages: `<base>/volumeImages` and `<base>/volumeImages/<id>` (snapshots of volumes)."""
from flask_restx import Resource

from app.cimi.context import ID, request_context, request_query, shaped
from app.cimi.registry import CollectionNamespace
from app.protocol import read_body, require_current, respond
from app.services import jobs, links, volume_images as images
from schemas.volumes import VolumeImageCreateSchema

namespace = CollectionNamespace("volumeImages", links.VOLUME_IMAGES,
                                "Volume images (snapshots of volumes, as image copies)")


@namespace.route("")
class VolumeImageCollection(Resource):
    def get(self):
        ctx, query = request_context(), request_query()
        return respond(images.list_images(ctx, query))

    def post(self):
        ctx = request_context()
        created = images.create_image(ctx, read_body(VolumeImageCreateSchema))
        return respond(created, 201, {"Location": created["id"]})


@namespace.route(f"/<{ID}:image_id>")
class VolumeImage(Resource):
    def get(self, image_id):
        ctx, query = request_context(), request_query()
        return respond(shaped(ctx, query, images.get_image(ctx, image_id)))

    def delete(self, image_id):
        ctx = request_context()
        require_current(lambda: images.get_image(ctx, image_id))
        job_uri = images.delete_image(ctx, image_id)
        return respond(None, 202, jobs.job_header(job_uri))
