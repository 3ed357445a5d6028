"""VolumeConfigurations: `<base>/volumeConfigs` and `<base>/volumeConfigs/<id>`."""
from flask_restx import Resource

from app.cimi.context import ID, request_context, request_query, shaped
from app.cimi.registry import CollectionNamespace
from app.protocol import read_body, require_current, respond
from app.services import links, volume_configurations as configurations
from schemas.volumes import VolumeConfigurationSchema

namespace = CollectionNamespace("volumeConfigs", links.VOLUME_CONFIGURATIONS,
                                "Volume configurations (capacity and format)")


@namespace.route("")
class VolumeConfigurationCollection(Resource):
    def get(self):
        ctx, query = request_context(), request_query()
        return respond(configurations.list_configurations(ctx, query))

    def post(self):
        ctx = request_context()
        created = configurations.create_configuration(ctx, read_body(VolumeConfigurationSchema))
        return respond(created, 201, {"Location": created["id"]})


@namespace.route(f"/<{ID}:configuration_id>")
class VolumeConfiguration(Resource):
    def get(self, configuration_id):
        ctx, query = request_context(), request_query()
        return respond(shaped(ctx, query, 
            configurations.get_configuration(ctx, configuration_id)))

    def put(self, configuration_id):
        ctx = request_context()
        require_current(lambda: configurations.get_configuration(ctx, configuration_id))
        body = read_body(VolumeConfigurationSchema)
        return respond(configurations.update_configuration(ctx, configuration_id, body))

    def delete(self, configuration_id):
        ctx = request_context()
        require_current(lambda: configurations.get_configuration(ctx, configuration_id))
        configurations.delete_configuration(ctx, configuration_id)
        return respond(None, 200)
