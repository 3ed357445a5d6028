"""The CIMI HTTP layer: one flask-restx Namespace module per resource, routes only.

`init_app(app)` serves them under CIMI_BASE_PATH. The Cloud Entry Point lists the
collections of exactly the namespaces registered here.
"""
from app.cimi import (
    cloud_entry_point, event_logs, jobs, machine_configurations, machine_disks, machine_images,
    machine_network_interfaces, machine_templates, machines,
)
from app.cimi import addresses, credentials, networks
from app.cimi import machine_snapshots
from app.cimi import resource_metadata
from app.cimi import (
    machine_volumes, volume_configurations, volume_images, volume_templates, volumes,
)
from app.cimi.idempotent import honoured
from app.cimi.api import CimiApi

RESOURCE_MODULES = (
    cloud_entry_point,
    resource_metadata,
    machines,
    machine_disks,
    machine_network_interfaces,
    machine_snapshots,
    credentials,
    networks,
    addresses,
    machine_templates,
    machine_configurations,
    machine_images,
    machine_volumes,
    volumes,
    volume_templates,
    volume_configurations,
    volume_images,
    jobs,
    event_logs,
)


def init_app(app):
    api = CimiApi(app, prefix=app.config["CIMI_BASE_PATH"], title="cimi-one",
                  decorators=[honoured])
    for module in RESOURCE_MODULES:
        api.add_namespace(module.namespace)
    app.extensions[cloud_entry_point.EXTENSION] = api
