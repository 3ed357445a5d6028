"""MachineConfigurations: `<base>/machineConfigs` and `<base>/machineConfigs/<id>`."""
from flask_restx import Resource

from app.cimi.context import ID, request_context, request_query, shaped
from app.cimi.registry import CollectionNamespace
from app.protocol import read_body, require_current, respond
from app.services import links, machine_configurations as configurations
from schemas.machine_configurations import MachineConfigurationSchema

namespace = CollectionNamespace("machineConfigs", links.MACHINE_CONFIGURATIONS,
                                "Machine configurations (instance types)")


@namespace.route("")
class MachineConfigurationCollection(Resource):
    def get(self):
        ctx, query = request_context(), request_query()
        return respond(configurations.list_configurations(ctx, query))

    def post(self):
        ctx = request_context()
        created = configurations.create_configuration(ctx, read_body(MachineConfigurationSchema))
        return respond(created, 201, {"Location": created["id"]})


@namespace.route(f"/<{ID}:configuration_id>")
class MachineConfiguration(Resource):
    def get(self, configuration_id):
        ctx, query = request_context(), request_query()
        return respond(shaped(ctx, query, 
            configurations.get_configuration(ctx, configuration_id)))

    def put(self, configuration_id):
        ctx = request_context()
        require_current(lambda: configurations.get_configuration(ctx, configuration_id))
        body = read_body(MachineConfigurationSchema)
        return respond(configurations.update_configuration(ctx, configuration_id, body))

    def delete(self, configuration_id):
        ctx = request_context()
        require_current(lambda: configurations.get_configuration(ctx, configuration_id))
        configurations.delete_configuration(ctx, configuration_id)
        return respond(None, 200)
