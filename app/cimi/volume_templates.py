"""VolumeTemplates: `<base>/volumeTemplates` and `<base>/volumeTemplates/<id>`."""
from app.cimi import crud
from app.cimi.api import CollectionNamespace
from app.services import links, volume_templates as templates
from schemas.volumes import VolumeTemplateSchema

namespace = CollectionNamespace("volumeTemplates", links.VOLUME_TEMPLATES,
                                "Volume templates (a configuration and an optional image)")

crud.collection_routes(namespace, templates.resource.list, templates.resource.create,
                       VolumeTemplateSchema)
crud.member_routes(namespace, templates.resource.get, update=templates.resource.update,
                   update_schema=VolumeTemplateSchema, delete=templates.resource.delete)
