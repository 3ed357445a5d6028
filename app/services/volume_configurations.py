"""VolumeConfigurations: OpenNebula documents of type `documents.VOLUME_CONFIGURATION`.

OpenNebula has no object for a volume's sizing, so each configuration is a document
(`app.services.documents`) whose TEMPLATE holds CAPACITY_KIB and FORMAT (raw or qcow2) next
to CIMI's description, properties and times. Every volume is a block device, so `type` is
always CIMI's mapped type.
"""
from dataclasses import dataclass

from app.errors import BadRequest, Forbidden, NotFound
from app.one.documents import VOLUME_CONFIGURATION
from app.one.metadata import encode_metadata
from app.services import links as paths
from app.services.documents import (
    common_attributes, created, deleted, rendered, replaced, whole,
)
from app.services.listing import Listing, listed_documents
from app.services.rendering import edit_and_delete, without_empty
from schemas.volumes import VOLUME_TYPE

TYPE_NAME = "VolumeConfiguration"
DEFAULT_FORMAT = "raw"


@dataclass(frozen=True)
class VolumeSizing:
    """What a volume gets from a configuration, after any overrides."""
    capacity_kib: int
    format: str


def list_configurations(ctx, query):
    listing = Listing(TYPE_NAME, "volumeConfigurations",
                      ctx.links.href(paths.VOLUME_CONFIGURATIONS))
    return listed_documents(ctx, query, listing, VOLUME_CONFIGURATION, render)


def get_configuration(ctx, configuration_id):
    return render(ctx, ctx.gateway.document(configuration_id, VOLUME_CONFIGURATION))


def get_configurations(ctx, document_ids):
    return rendered(ctx, document_ids, VOLUME_CONFIGURATION, render)


def create_configuration(ctx, body):
    return created(ctx.gateway, VOLUME_CONFIGURATION, body["name"], _attributes(body),
                   lambda configuration_id: get_configuration(ctx, configuration_id))


def update_configuration(ctx, configuration_id, body):
    """PUT: the body is the configuration's whole new editable state."""
    return replaced(ctx.gateway, VOLUME_CONFIGURATION, configuration_id, body["name"], _attributes(body),
                    lambda: get_configuration(ctx, configuration_id))


def delete_configuration(ctx, configuration_id):
    deleted(ctx.gateway, VOLUME_CONFIGURATION, configuration_id)


def render(ctx, document):
    href = ctx.links.href(paths.VOLUME_CONFIGURATIONS, document.id)
    sizing = _sizing_of(document)
    return without_empty({
        **common_attributes(TYPE_NAME, href, document),
        "type": VOLUME_TYPE,
        "format": sizing.format,
        "capacity": sizing.capacity_kib,
        "owner": document.owner.uname,
        "operations": edit_and_delete(ctx, document.owner, document.permissions, href),
    })


def resolve(ctx, choice, attribute):
    """The VolumeSizing a `volumeConfig` (href with optional overrides, or by value) stands
    for; None without a choice."""
    if choice is None:
        return None
    if "href" in choice:
        base = _sizing_of(referenced(ctx, choice["href"], attribute + ".href"))
    else:
        base = VolumeSizing(capacity_kib=choice["capacity"], format=DEFAULT_FORMAT)
    return VolumeSizing(capacity_kib=choice.get("capacity", base.capacity_kib),
                        format=choice.get("format", base.format))


def referenced(ctx, href, attribute):
    configuration_id = ctx.links.id_in(href, paths.VOLUME_CONFIGURATIONS, attribute)
    try:
        return ctx.gateway.document(configuration_id, VOLUME_CONFIGURATION)
    except (NotFound, Forbidden):
        raise BadRequest(f"{attribute} names no volume configuration you can use.") from None


def _sizing_of(document):
    return VolumeSizing(capacity_kib=whole(document.template.get("CAPACITY_KIB")),
                        format=document.template.get("FORMAT") or DEFAULT_FORMAT)


def _attributes(body):
    return {"CAPACITY_KIB": body["capacity"], "FORMAT": body.get("format", DEFAULT_FORMAT),
            **encode_metadata(body.get("description"), body.get("properties", {}))}
