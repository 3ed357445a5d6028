"""MachineConfigurations: `<base>/machineConfigs` and `<base>/machineConfigs/<id>`."""
from app.cimi import crud
from app.cimi.api import CollectionNamespace
from app.services import links, machine_configurations as configurations
from schemas.machine_configurations import MachineConfigurationSchema

namespace = CollectionNamespace("machineConfigs", links.MACHINE_CONFIGURATIONS,
                                "Machine configurations (instance types)")

crud.collection_routes(namespace, configurations.resource.list,
                       configurations.resource.create, MachineConfigurationSchema)
crud.member_routes(namespace, configurations.resource.get,
                   update=configurations.resource.update,
                   update_schema=MachineConfigurationSchema,
                   delete=configurations.resource.delete)
