"""Volumes: `<base>/volumes` and `<base>/volumes/<id>`."""
from app.cimi import crud
from app.cimi.api import CollectionNamespace
from app.services import links, volumes
from schemas.volumes import VolumeCreateSchema, VolumeUpdateSchema

namespace = CollectionNamespace("volumes", links.VOLUMES,
                                "Volumes (persistent OpenNebula DATABLOCK images)")

crud.collection_routes(namespace, volumes.list_volumes, volumes.create_volume,
                       VolumeCreateSchema)
crud.member_routes(namespace, volumes.get_volume, update=volumes.update_volume,
                   update_schema=VolumeUpdateSchema, partial_updates=True,
                   delete_by_job=volumes.delete_volume)
