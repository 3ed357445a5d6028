"""MachineImages: `<base>/machineImages` and `<base>/machineImages/<id>`.

A POST registers a file (201, the image CREATING until OpenNebula has copied it) or, when its
imageLocation is a Machine, captures that machine's disk: 202, because the machine is acted on
and a Job follows the capture (CIMI-Job-URI), with the new image (CREATING) in the body and
its URI in Location, as a registration gives them.
"""
from flask_restx import Resource

from app.cimi import crud, declarations as declare
from app.cimi.api import CollectionNamespace
from app.cimi.inputs import ID, request_caller
from app.protocol import respond
from app.services import actions, jobs, links, machine_images
from schemas.machine_images import MachineImageCreateSchema, MachineImageUpdateSchema

namespace = CollectionNamespace("machineImages", links.MACHINE_IMAGES,
                                "Machine images (OpenNebula OS and CDROM images)")


@namespace.route("")
class MachineImageCollection(Resource):
    @declare.declared(declare.lists("List the MachineImage collection", machine_images.TYPE_NAME))
    def get(self):
        return crud.listing(machine_images.list_images)

    @declare.declared(declare.Declaration(
        "Register a MachineImage, or capture a Machine's disk as one",
        (declare.CREATED,
         declare.Answer(202, "A capture accepted: Location is the new image's URI, CIMI-Job-URI "
                             "the Job that follows the capture.", declare.RESOURCE,
                        (declare.LOCATION, jobs.HEADER))),
        body=MachineImageCreateSchema, resource=machine_images.TYPE_NAME))
    def post(self, body):
        caller, posted = request_caller(), body()
        machine_id = machine_images.machine_to_capture(caller, posted)
        if machine_id is not None:
            headers = actions.capture_location(caller, machine_id, posted)
            return respond(machine_images.image_at(caller, headers[declare.LOCATION]), 202, headers)
        image = machine_images.register_image(caller, posted)
        return respond(image, 201, {declare.LOCATION: image["id"]})



@namespace.route(f"/<{ID}:resource_id>")
class MachineImage(Resource):
    @declare.declared(declare.reads("Read one MachineImage", machine_images.TYPE_NAME))
    def get(self, resource_id):
        return crud.reading(machine_images.get_image, resource_id)

    @declare.declared(declare.updates("Update one MachineImage, all of it or what $select names",
                                      MachineImageUpdateSchema, machine_images.TYPE_NAME,
                                      partial=True))
    def put(self, resource_id, body):
        return crud.selected_replacement(machine_images.get_image, machine_images.update_image,
                                         resource_id, body)

    @declare.declared(declare.deletes("Delete one MachineImage", declare.JOB_STARTED))
    def delete(self, resource_id):
        return crud.deletion_by_job(machine_images.get_image, machine_images.delete_image,
                                    resource_id)
