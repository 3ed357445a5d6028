"""VolumeTemplates: OpenNebula documents of type `documents.VOLUME_TEMPLATE`, and what any
`volumeTemplate` (by reference or by value) asks of a new volume.

A template's TEMPLATE holds VOLUME_CONFIG (the configuration's document id) when it refers to
one, CAPACITY_KIB and FORMAT when it gives them (by value, or overriding the configuration),
and VOLUME_IMAGE (the image id) when new volumes start as a copy of a VolumeImage.
"""
from dataclasses import dataclass

from app.errors import BadRequest, Forbidden, NotFound
from app.one.documents import VOLUME_TEMPLATE
from app.one.metadata import encode_metadata
from app.services import links as paths
from app.services import volume_configurations
from app.services.documents import (
    common_attributes, created, deleted, rendered, replaced, whole,
)
from app.services.listing import Listing, listed_documents
from app.services.rendering import edit_and_delete, kib_from_mb, without_empty
from app.services.storage_images import referenced_volume_image

TYPE_NAME = "VolumeTemplate"
VOLUME_CONFIG = "VOLUME_CONFIG"
VOLUME_IMAGE = "VOLUME_IMAGE"


@dataclass(frozen=True)
class VolumeDefinition:
    """What a new volume is: its capacity and format, and the volume image it copies."""
    capacity_kib: int
    format: str
    volume_image_id: int | None = None


def list_templates(ctx, query):
    listing = Listing(TYPE_NAME, "volumeTemplates", ctx.links.href(paths.VOLUME_TEMPLATES))
    return listed_documents(ctx, query, listing, VOLUME_TEMPLATE, render)


def get_template(ctx, template_id):
    return render(ctx, ctx.gateway.document(template_id, VOLUME_TEMPLATE))


def get_templates(ctx, document_ids):
    return rendered(ctx, document_ids, VOLUME_TEMPLATE, render)


def create_template(ctx, body):
    return created(ctx.gateway, VOLUME_TEMPLATE, body["name"], _attributes(ctx, body),
                   lambda template_id: get_template(ctx, template_id))


def update_template(ctx, template_id, body):
    """PUT: the body is the template's whole new editable state."""
    return replaced(ctx.gateway, VOLUME_TEMPLATE, template_id, body["name"],
                    _attributes(ctx, body), lambda: get_template(ctx, template_id))


def delete_template(ctx, template_id):
    """The template only: the configuration and image it names belong to their owners."""
    deleted(ctx.gateway, VOLUME_TEMPLATE, template_id)


def render(ctx, document):
    href = ctx.links.href(paths.VOLUME_TEMPLATES, document.id)
    return without_empty({
        **common_attributes(TYPE_NAME, href, document),
        **_choice_of(ctx, document.template),
        "owner": document.owner.uname,
        "operations": edit_and_delete(ctx, document.owner, document.permissions, href),
    })


def resolve(ctx, choice, attribute):
    """The VolumeDefinition a `volumeTemplate` (href, or by value) stands for."""
    if "href" in choice:
        template_id = ctx.links.id_in(choice["href"], paths.VOLUME_TEMPLATES, attribute + ".href")
        try:
            document = ctx.gateway.document(template_id, VOLUME_TEMPLATE)
        except (NotFound, Forbidden):
            raise BadRequest(f"{attribute}.href names no volume template you can use.") from None
        choice = _choice_of(ctx, document.template)
    sizing = volume_configurations.resolve(ctx, choice.get("volumeConfig"),
                                           attribute + ".volumeConfig")
    if "volumeImage" not in choice:
        if sizing is None:
            raise BadRequest(f"{attribute} gives neither a volumeConfig nor a volumeImage.")
        return VolumeDefinition(capacity_kib=sizing.capacity_kib, format=sizing.format)
    image = referenced_volume_image(ctx, choice["volumeImage"]["href"],
                                    attribute + ".volumeImage.href")
    capacity = kib_from_mb(image.size_mb)
    if sizing is not None and sizing.capacity_kib != capacity:
        raise BadRequest(f"{attribute}.volumeConfig.capacity must be left out or equal the "
                         f"volume image's capacity ({capacity} KiB): a copy of an image has "
                         "the image's size.")
    return VolumeDefinition(capacity_kib=capacity, format=image.format, volume_image_id=image.id)


def _choice_of(ctx, template):
    """The volumeConfig and volumeImage a stored template holds, as a request gives them."""
    config = without_empty({
        "href": (ctx.links.href(paths.VOLUME_CONFIGURATIONS, template[VOLUME_CONFIG])
                 if template.get(VOLUME_CONFIG) else None),
        "capacity": whole(template.get("CAPACITY_KIB")) or None,
        "format": template.get("FORMAT"),
    })
    return without_empty({
        "volumeConfig": config,
        "volumeImage": (ctx.links.reference(paths.VOLUME_IMAGES, template[VOLUME_IMAGE])
                        if template.get(VOLUME_IMAGE) else None),
    })


def _attributes(ctx, body):
    """The template's content; the configuration and image it names must be usable now."""
    attributes = encode_metadata(body.get("description"), body.get("properties", {}))
    config = body.get("volumeConfig", {})
    if "href" in config:
        attributes[VOLUME_CONFIG] = volume_configurations.referenced(
            ctx, config["href"], "volumeConfig.href").id
    if "capacity" in config:
        attributes["CAPACITY_KIB"] = config["capacity"]
    if "format" in config:
        attributes["FORMAT"] = config["format"]
    if "volumeImage" in body:
        attributes[VOLUME_IMAGE] = referenced_volume_image(
            ctx, body["volumeImage"]["href"], "volumeImage.href").id
    return attributes
