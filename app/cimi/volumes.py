"""Volumes: `<base>/volumes` and `<base>/volumes/<id>`."""
from flask_restx import Resource

from app.cimi import crud, declarations as declare
from app.cimi.api import CollectionNamespace
from app.cimi.inputs import ID
from app.services import links, volumes
from schemas.volumes import VolumeCreateSchema, VolumeUpdateSchema

namespace = CollectionNamespace("volumes", links.VOLUMES,
                                "Volumes (persistent OpenNebula DATABLOCK images)")


@namespace.route("")
class VolumeCollection(Resource):
    @declare.declared(declare.lists("List the Volume collection", volumes.TYPE_NAME))
    def get(self):
        return crud.listing(volumes.list_volumes)

    @declare.declared(declare.creates("Create one Volume", VolumeCreateSchema, volumes.TYPE_NAME))
    def post(self, body):
        return crud.creation(volumes.create_volume, body)


@namespace.route(f"/<{ID}:resource_id>")
class Volume(Resource):
    @declare.declared(declare.reads("Read one Volume", volumes.TYPE_NAME))
    def get(self, resource_id):
        return crud.reading(volumes.get_volume, resource_id)

    @declare.declared(declare.updates("Update one Volume, all of it or what $select names",
                                      VolumeUpdateSchema, volumes.TYPE_NAME, partial=True))
    def put(self, resource_id, body):
        return crud.selected_replacement(volumes.get_volume, volumes.update_volume, resource_id,
                                         body)

    @declare.declared(declare.deletes("Delete one Volume", declare.JOB_STARTED))
    def delete(self, resource_id):
        return crud.deletion_by_job(volumes.get_volume, volumes.delete_volume, resource_id)
