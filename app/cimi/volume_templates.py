"""VolumeTemplates: `<base>/volumeTemplates` and `<base>/volumeTemplates/<id>`."""
from flask_restx import Resource

from app.cimi import crud, declarations as declare
from app.cimi.api import CollectionNamespace
from app.cimi.inputs import ID
from app.services import links, volume_templates as templates
from schemas.volumes import VolumeTemplateSchema

namespace = CollectionNamespace("volumeTemplates", links.VOLUME_TEMPLATES,
                                "Volume templates (a configuration and an optional image)")
template = templates.resource


@namespace.route("")
class VolumeTemplateCollection(Resource):
    @declare.declared(declare.lists("List the VolumeTemplate collection", templates.TYPE_NAME))
    def get(self):
        return crud.listing(template.list)

    @declare.declared(declare.creates("Create one VolumeTemplate", VolumeTemplateSchema,
                                      templates.TYPE_NAME))
    def post(self, body):
        return crud.creation(template.create, body)


@namespace.route(f"/<{ID}:resource_id>")
class VolumeTemplate(Resource):
    @declare.declared(declare.reads("Read one VolumeTemplate", templates.TYPE_NAME))
    def get(self, resource_id):
        return crud.reading(template.get, resource_id)

    @declare.declared(declare.updates("Replace one VolumeTemplate", VolumeTemplateSchema,
                                      templates.TYPE_NAME, partial=False))
    def put(self, resource_id, body):
        return crud.replacement(template.get, template.update, resource_id, body)

    @declare.declared(declare.deletes("Delete one VolumeTemplate", declare.DELETED))
    def delete(self, resource_id):
        return crud.deletion(template.get, template.delete, resource_id)
