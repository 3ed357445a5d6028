"""VolumeTemplates: OpenNebula documents of type `documents.VOLUME_TEMPLATE`, and what any
`volumeTemplate` (by reference or by value) asks of a new volume.

A template's TEMPLATE holds VOLUME_CONFIG (the configuration's document id) when it refers to
one, CAPACITY_KIB and FORMAT when it gives them (by value, or overriding the configuration),
and VOLUME_IMAGE (the image id) when new volumes start as a copy of a VolumeImage.
"""
from dataclasses import dataclass

from app.errors import BadRequest
from app.one import documents as document_types
from app.one.metadata import encode_metadata
from app.services import links
from app.services import volume_configurations
from app.services.document_resources import DocumentResource
from app.services.documents import whole
from app.services.rendering import kib_from_mb, without_empty
from app.services.storage_images import referenced_volume_image
from schemas.volumes import VOLUME_TEMPLATE

TYPE_NAME = VOLUME_TEMPLATE.name
VOLUME_CONFIG = "VOLUME_CONFIG"
VOLUME_IMAGE = "VOLUME_IMAGE"


@dataclass(frozen=True)
class VolumeDefinition:
    """What a new volume is: its capacity and format, and the volume image it copies."""
    capacity_kib: int
    format: str
    volume_image_id: int | None = None


def resolve(caller, choice, attribute):
    """The VolumeDefinition a `volumeTemplate` (href, or by value) stands for."""
    if "href" in choice:
        document = resource.referenced(caller, choice["href"], attribute + ".href")
        choice = _choice_of(caller, document.template)
    sizing = volume_configurations.resolve(caller, choice.get("volumeConfig"),
                                           attribute + ".volumeConfig")
    if "volumeImage" not in choice:
        if sizing is None:
            raise BadRequest(f"{attribute} gives neither a volumeConfig nor a volumeImage.")
        return VolumeDefinition(capacity_kib=sizing.capacity_kib, format=sizing.format)
    image = referenced_volume_image(caller, choice["volumeImage"]["href"],
                                    attribute + ".volumeImage.href")
    capacity = kib_from_mb(image.size_mb)
    if sizing is not None and sizing.capacity_kib != capacity:
        raise BadRequest(f"{attribute}.volumeConfig.capacity must be left out or equal the "
                         f"volume image's capacity ({capacity} KiB): a copy of an image has "
                         "the image's size.")
    return VolumeDefinition(capacity_kib=capacity, format=image.format, volume_image_id=image.id)


def _choice_of(caller, template):
    """The volumeConfig and volumeImage a stored template holds, as a request gives them."""
    config = without_empty({
        "href": (caller.links.href(links.VOLUME_CONFIGURATIONS, template[VOLUME_CONFIG])
                 if template.get(VOLUME_CONFIG) else None),
        "capacity": whole(template.get("CAPACITY_KIB")) or None,
        "format": template.get("FORMAT"),
    })
    return without_empty({
        "volumeConfig": config,
        "volumeImage": (caller.links.reference(links.VOLUME_IMAGES, template[VOLUME_IMAGE])
                        if template.get(VOLUME_IMAGE) else None),
    })


def _stored(caller, body):
    """The template's content; the configuration and image it names must be usable now."""
    attributes = encode_metadata(body.get("description"), body.get("properties", {}))
    config = body.get("volumeConfig", {})
    if "href" in config:
        attributes[VOLUME_CONFIG] = volume_configurations.resource.referenced(
            caller, config["href"], "volumeConfig.href").id
    if "capacity" in config:
        attributes["CAPACITY_KIB"] = config["capacity"]
    if "format" in config:
        attributes["FORMAT"] = config["format"]
    if "volumeImage" in body:
        attributes[VOLUME_IMAGE] = referenced_volume_image(
            caller, body["volumeImage"]["href"], "volumeImage.href").id
    return attributes


def _shown(caller, document):
    return _choice_of(caller, document.template)


resource = DocumentResource(VOLUME_TEMPLATE, "volume template", "volumeTemplates",
                            links.VOLUME_TEMPLATES, document_types.VOLUME_TEMPLATE, _stored, _shown)
