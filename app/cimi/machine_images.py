"""MachineImages: `<base>/machineImages` and `<base>/machineImages/<id>`.

A POST registers a file (201, the image CREATING until OpenNebula has copied it) or, when its
imageLocation is a Machine, captures that machine's disk: 202, because the machine is acted on
and a Job follows the capture (CIMI-Job-URI), with the new image (CREATING) in the body and
its URI in Location, as a registration gives them.
"""
from flask_restx import Resource

from app.cimi import crud
from app.cimi.context import request_context, request_query
from app.cimi.registry import CollectionNamespace
from app.protocol import read_body, respond
from app.services import links, machine_capture, machine_images
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
            headers = machine_capture.capture_location(ctx, machine_id, body)
            return respond(machine_images.image_at(ctx, headers["Location"]), 202, headers)
        image = machine_images.register_image(ctx, body)
        return respond(image, 201, {"Location": image["id"]})


crud.member_routes(namespace, machine_images.get_image, update=machine_images.update_image,
                   update_schema=MachineImageUpdateSchema, partial_updates=True,
                   delete_by_job=machine_images.delete_image)
