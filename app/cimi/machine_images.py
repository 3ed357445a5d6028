"""MachineImages: `<base>/machineImages` and `<base>/machineImages/<id>`.

A POST registers a file (201, the image CREATING until OpenNebula has copied it) or, when its
imageLocation is a Machine, captures that machine's disk (202, Location: the new image).
"""
from flask_restx import Resource

from app.cimi.context import ID, request_context, request_query, selected_update, shaped
from app.cimi.registry import CollectionNamespace
from app.protocol import read_body, require_current, respond
from app.services import jobs, links, machine_capture, machine_images
from schemas.machine_images import MachineImageCreateSchema, MachineImageUpdateSchema

namespace = CollectionNamespace("machineImages", links.MACHINE_IMAGES,
                                "Machine images (OpenNebula OS and CDROM images)")


@namespace.route("")
class MachineImageCollection(Resource):
    def get(self):
        ctx, query = request_context(), request_query()
        return respond(machine_images.list_images(ctx, query))

    def post(self):
        ctx = request_context()
        body = read_body(MachineImageCreateSchema)
        machine_id = machine_images.machine_to_capture(ctx, body)
        if machine_id is not None:
            return respond(None, 202, machine_capture.capture_location(ctx, machine_id, body))
        image = machine_images.register_image(ctx, body)
        return respond(image, 201, {"Location": image["id"]})


@namespace.route(f"/<{ID}:image_id>")
class MachineImage(Resource):
    def get(self, image_id):
        ctx, query = request_context(), request_query()
        return respond(shaped(ctx, query, machine_images.get_image(ctx, image_id)))

    def put(self, image_id):
        """An update of the attributes the body gives, or of those `$select` names."""
        ctx, query = request_context(), request_query()
        require_current(lambda: machine_images.get_image(ctx, image_id))
        body = selected_update(query, read_body(MachineImageUpdateSchema))
        return respond(machine_images.update_image(ctx, image_id, body))

    def delete(self, image_id):
        ctx = request_context()
        require_current(lambda: machine_images.get_image(ctx, image_id))
        job_uri = machine_images.delete_image(ctx, image_id)
        return respond(None, 202, jobs.job_header(job_uri))
