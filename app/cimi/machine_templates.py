"""MachineTemplates: `<base>/machineTemplates` and `<base>/machineTemplates/<id>`."""
from app.cimi import crud
from app.cimi.api import CollectionNamespace
from app.services import links, machine_templates as templates
from schemas.machine_templates import MachineTemplateSchema

namespace = CollectionNamespace("machineTemplates", links.MACHINE_TEMPLATES,
                                "Machine templates (OpenNebula VM templates)")

crud.collection_routes(namespace, templates.list_templates, templates.create_template,
                       MachineTemplateSchema)
crud.member_routes(namespace, templates.get_template, update=templates.update_template,
                   update_schema=MachineTemplateSchema, delete=templates.delete_template)
