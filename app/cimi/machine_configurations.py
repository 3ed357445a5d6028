"""MachineConfigurations: `<base>/machineConfigs` and `<base>/machineConfigs/<id>`."""
from flask_restx import Resource

from app.cimi import crud, declarations as declare
from app.cimi.api import CollectionNamespace
from app.cimi.inputs import ID
from app.services import links, machine_configurations as configurations
from schemas.machine_configurations import MachineConfigurationSchema

namespace = CollectionNamespace("machineConfigs", links.MACHINE_CONFIGURATIONS,
                                "Machine configurations (instance types)")
configuration = configurations.resource


@namespace.route("")
class MachineConfigurationCollection(Resource):
    @declare.declared(declare.lists("List the MachineConfiguration collection",
                                    configurations.TYPE_NAME))
    def get(self):
        return crud.listing(configuration.list)

    @declare.declared(declare.creates("Create one MachineConfiguration",
                                      MachineConfigurationSchema, configurations.TYPE_NAME))
    def post(self, body):
        return crud.creation(configuration.create, body)


@namespace.route(f"/<{ID}:resource_id>")
class MachineConfiguration(Resource):
    @declare.declared(declare.reads("Read one MachineConfiguration", configurations.TYPE_NAME))
    def get(self, resource_id):
        return crud.reading(configuration.get, resource_id)

    @declare.declared(declare.updates("Replace one MachineConfiguration",
                                      MachineConfigurationSchema, configurations.TYPE_NAME,
                                      partial=False))
    def put(self, resource_id, body):
        return crud.replacement(configuration.get, configuration.update, resource_id, body)

    @declare.declared(declare.deletes("Delete one MachineConfiguration", declare.DELETED))
    def delete(self, resource_id):
        return crud.deletion(configuration.get, configuration.delete, resource_id)
