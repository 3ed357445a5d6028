"""MachineImages: `<base>/machineImages` and `<base>/machineImages/<id>`, read-only for now."""
from flask_restx import Resource

from app.cimi.context import ID, request_context, request_query
from app.cimi.registry import CollectionNamespace
from app.protocol import respond
from app.services import links, machine_images

namespace = CollectionNamespace("machineImages", links.MACHINE_IMAGES,
                                "Machine images (OpenNebula OS and CDROM images)")


@namespace.route("")
class MachineImageCollection(Resource):
    def get(self):
        ctx, query = request_context(), request_query()
        return respond(machine_images.list_images(ctx, query))


@namespace.route(f"/<{ID}:image_id>")
class MachineImage(Resource):
    def get(self, image_id):
        ctx, query = request_context(), request_query()
        return respond(query.select_resource(machine_images.get_image(ctx, image_id)))
