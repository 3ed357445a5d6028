"""VolumeTemplates: `<base>/volumeTemplates` and `<base>/volumeTemplates/<id>`."""
from flask_restx import Resource

from app.cimi.context import ID, request_context, request_query, shaped
from app.cimi.registry import CollectionNamespace
from app.protocol import read_body, require_current, respond
from app.services import links, volume_templates as templates
from schemas.volumes import VolumeTemplateSchema

namespace = CollectionNamespace("volumeTemplates", links.VOLUME_TEMPLATES,
                                "Volume templates (a configuration and an optional image)")


@namespace.route("")
class VolumeTemplateCollection(Resource):
    def get(self):
        ctx, query = request_context(), request_query()
        return respond(templates.list_templates(ctx, query))

    def post(self):
        ctx = request_context()
        created = templates.create_template(ctx, read_body(VolumeTemplateSchema))
        return respond(created, 201, {"Location": created["id"]})


@namespace.route(f"/<{ID}:template_id>")
class VolumeTemplate(Resource):
    def get(self, template_id):
        ctx, query = request_context(), request_query()
        return respond(shaped(ctx, query, templates.get_template(ctx, template_id)))

    def put(self, template_id):
        ctx = request_context()
        require_current(lambda: templates.get_template(ctx, template_id))
        body = read_body(VolumeTemplateSchema)
        return respond(templates.update_template(ctx, template_id, body))

    def delete(self, template_id):
        ctx = request_context()
        require_current(lambda: templates.get_template(ctx, template_id))
        templates.delete_template(ctx, template_id)
        return respond(None, 200)
