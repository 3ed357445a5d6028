"""MachineTemplates: `<base>/machineTemplates` and `<base>/machineTemplates/<id>`."""
from flask_restx import Resource

from app.cimi import crud, declarations as declare
from app.cimi.api import CollectionNamespace
from app.cimi.inputs import ID
from app.services import links, machine_templates as templates
from schemas.machine_templates import MachineTemplateSchema

namespace = CollectionNamespace("machineTemplates", links.MACHINE_TEMPLATES,
                                "Machine templates (OpenNebula VM templates)")


@namespace.route("")
class MachineTemplateCollection(Resource):
    @declare.declared(declare.lists("List the MachineTemplate collection", templates.TYPE_NAME))
    def get(self):
        return crud.listing(templates.list_templates)

    @declare.declared(declare.creates("Create one MachineTemplate", MachineTemplateSchema,
                                      templates.TYPE_NAME))
    def post(self, body):
        return crud.creation(templates.create_template, body)


@namespace.route(f"/<{ID}:resource_id>")
class MachineTemplate(Resource):
    @declare.declared(declare.reads("Read one MachineTemplate", templates.TYPE_NAME))
    def get(self, resource_id):
        return crud.reading(templates.get_template, resource_id)

    @declare.declared(declare.updates("Replace one MachineTemplate", MachineTemplateSchema,
                                      templates.TYPE_NAME, partial=False))
    def put(self, resource_id, body):
        return crud.replacement(templates.get_template, templates.update_template, resource_id,
                                body)

    @declare.declared(declare.deletes("Delete one MachineTemplate", declare.DELETED))
    def delete(self, resource_id):
        return crud.deletion(templates.get_template, templates.delete_template, resource_id)
