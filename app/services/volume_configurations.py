"""VolumeConfigurations: OpenNebula documents of type `documents.VOLUME_CONFIGURATION`.

OpenNebula has no object for a volume's sizing, so each configuration is a document
(`app.services.document_resources`) whose TEMPLATE holds CAPACITY_KIB and FORMAT (raw or qcow2) next
to CIMI's description, properties and times. Every volume is a block device, so `type` is
always CIMI's mapped type.
"""
from dataclasses import dataclass

from app.one import documents as document_types
from app.one.metadata import encode_metadata
from app.services import links
from app.services.document_resources import DocumentResource
from app.services.documents import whole
from schemas.volumes import VOLUME_CONFIGURATION, VOLUME_TYPE

TYPE_NAME = VOLUME_CONFIGURATION.name
DEFAULT_FORMAT = "raw"


@dataclass(frozen=True)
class VolumeSizing:
    """What a volume gets from a configuration, after any overrides."""
    capacity_kib: int
    format: str


def _shown(caller, document):
    sizing = _sizing_of(document)
    return {"type": VOLUME_TYPE, "format": sizing.format, "capacity": sizing.capacity_kib}


def _stored(caller, body):
    return {"CAPACITY_KIB": body["capacity"], "FORMAT": body.get("format", DEFAULT_FORMAT),
            **encode_metadata(body.get("description"), body.get("properties", {}))}


resource = DocumentResource(VOLUME_CONFIGURATION, "volume configuration", "volumeConfigurations",
                            links.VOLUME_CONFIGURATIONS, document_types.VOLUME_CONFIGURATION,
                            _stored, _shown)


def resolve(caller, choice, attribute):
    """The VolumeSizing a `volumeConfig` (href with optional overrides, or by value) stands
    for; None without a choice."""
    if choice is None:
        return None
    if "href" in choice:
        base = _sizing_of(resource.referenced(caller, choice["href"], attribute + ".href"))
    else:
        base = VolumeSizing(capacity_kib=choice["capacity"], format=DEFAULT_FORMAT)
    return VolumeSizing(capacity_kib=choice.get("capacity", base.capacity_kib),
                        format=choice.get("format", base.format))


def _sizing_of(document):
    return VolumeSizing(capacity_kib=whole(document.template.get("CAPACITY_KIB")),
                        format=document.template.get("FORMAT") or DEFAULT_FORMAT)

