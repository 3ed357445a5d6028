"""VolumeConfigurations: `<base>/volumeConfigs` and `<base>/volumeConfigs/<id>`."""
from app.cimi import crud
from app.cimi.api import CollectionNamespace
from app.services import links, volume_configurations as configurations
from schemas.volumes import VolumeConfigurationSchema

namespace = CollectionNamespace("volumeConfigs", links.VOLUME_CONFIGURATIONS,
                                "Volume configurations (capacity and format)")

crud.collection_routes(namespace, configurations.resource.list,
                       configurations.resource.create, VolumeConfigurationSchema)
crud.member_routes(namespace, configurations.resource.get,
                   update=configurations.resource.update,
                   update_schema=VolumeConfigurationSchema,
                   delete=configurations.resource.delete)
