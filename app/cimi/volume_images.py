"""VolumeImages: `<base>/volumeImages` and `<base>/volumeImages/<id>` (snapshots of volumes)."""
from flask_restx import Resource

from app.cimi import crud, declarations as declare
from app.cimi.api import CollectionNamespace
from app.cimi.inputs import ID
from app.services import links, volume_images as images
from schemas.volumes import VolumeImageCreateSchema

namespace = CollectionNamespace("volumeImages", links.VOLUME_IMAGES,
                                "Volume images (snapshots of volumes, as image copies)")


@namespace.route("")
class VolumeImageCollection(Resource):
    @declare.declared(declare.lists("List the VolumeImage collection", images.TYPE_NAME))
    def get(self):
        return crud.listing(images.list_images)

    @declare.declared(declare.creates("Create one VolumeImage", VolumeImageCreateSchema,
                                      images.TYPE_NAME))
    def post(self, body):
        return crud.creation(images.create_image, body)


@namespace.route(f"/<{ID}:resource_id>")
class VolumeImage(Resource):
    @declare.declared(declare.reads("Read one VolumeImage", images.TYPE_NAME))
    def get(self, resource_id):
        return crud.reading(images.get_image, resource_id)

    @declare.declared(declare.deletes("Delete one VolumeImage", declare.JOB_STARTED))
    def delete(self, resource_id):
        return crud.deletion_by_job(images.get_image, images.delete_image, resource_id)
