"""MachineConfigurations: `<base>/machineConfigs` and `<base>/machineConfigs/<id>`."""
from app.cimi import crud
from app.cimi.registry import CollectionNamespace
from app.services import links, machine_configurations as configurations
from schemas.machine_configurations import MachineConfigurationSchema

namespace = CollectionNamespace("machineConfigs", links.MACHINE_CONFIGURATIONS,
                                "Machine configurations (instance types)")

crud.collection_routes(namespace, configurations.list_configurations,
                       configurations.create_configuration, MachineConfigurationSchema)
crud.member_routes(namespace, configurations.get_configuration,
                   update=configurations.update_configuration,
                   update_schema=MachineConfigurationSchema,
                   delete=configurations.delete_configuration)
