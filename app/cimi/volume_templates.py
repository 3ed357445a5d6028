"""VolumeTemplates: `<base>/volumeTemplates` and `<base>/volumeTemplates/<id>`."""
from app.cimi import crud
from app.cimi.registry import CollectionNamespace
from app.services import links, volume_templates as templates
from schemas.volumes import VolumeTemplateSchema

namespace = CollectionNamespace("volumeTemplates", links.VOLUME_TEMPLATES,
                                "Volume templates (a configuration and an optional image)")

crud.collection_routes(namespace, templates.list_templates, templates.create_template,
                       VolumeTemplateSchema)
crud.member_routes(namespace, templates.get_template, update=templates.update_template,
                   update_schema=VolumeTemplateSchema, delete=templates.delete_template)
