"""VolumeConfigurations: `<base>/volumeConfigs` and `<base>/volumeConfigs/<id>`."""
from flask_restx import Resource

from app.cimi import crud, declarations as declare
from app.cimi.api import CollectionNamespace
from app.cimi.inputs import ID
from app.services import links, volume_configurations as configurations
from schemas.volumes import VolumeConfigurationSchema

namespace = CollectionNamespace("volumeConfigs", links.VOLUME_CONFIGURATIONS,
                                "Volume configurations (capacity and format)")
configuration = configurations.resource


@namespace.route("")
class VolumeConfigurationCollection(Resource):
    @declare.declared(declare.lists("List the VolumeConfiguration collection",
                                    configurations.TYPE_NAME))
    def get(self):
        return crud.listing(configuration.list)

    @declare.declared(declare.creates("Create one VolumeConfiguration",
                                      VolumeConfigurationSchema, configurations.TYPE_NAME))
    def post(self, body):
        return crud.creation(configuration.create, body)


@namespace.route(f"/<{ID}:resource_id>")
class VolumeConfiguration(Resource):
    @declare.declared(declare.reads("Read one VolumeConfiguration", configurations.TYPE_NAME))
    def get(self, resource_id):
        return crud.reading(configuration.get, resource_id)

    @declare.declared(declare.updates("Replace one VolumeConfiguration",
                                      VolumeConfigurationSchema, configurations.TYPE_NAME,
                                      partial=False))
    def put(self, resource_id, body):
        return crud.replacement(configuration.get, configuration.update, resource_id, body)

    @declare.declared(declare.deletes("Delete one VolumeConfiguration", declare.DELETED))
    def delete(self, resource_id):
        return crud.deletion(configuration.get, configuration.delete, resource_id)
