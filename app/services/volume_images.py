"""VolumeImages: snapshots of volumes, as OpenNebula image clones, and data images.

A volume image is a copy of a volume (`one.image.clone`) marked VOLUME_IMAGE in its TEMPLATE
(`storage_images`) and made non-persistent, with CIMI_VOLUME naming the volume it was taken
from; or a non-persistent DATABLOCK registered from an `imageLocation` and marked the same
(the guide's read-only data images, 7.6: a file system such as an ISO 9660 image put on a web
server). It is never listed as a Volume; a new volume is made from it by giving it as the
`volumeImage` of a volumeTemplate (shareable, for many machines to read it). OpenNebula copies an image only when it is not in use by a
machine that writes to it, so a volume must be detached (or attached read-only) to be
snapshotted; the copy is CREATING until the datastore has finished it.
"""
import secrets

from app.one.metadata import description_of, encode_metadata, properties_of
from app.one.states import machine_image_state
from app.one.storable import fitted_name
from app.services import jobs
from app.services import links
from app.services.undo import undone_on_failure
from app.services.references import expandable
from app.services.rendering import edit_and_delete, iso_time, kib_from_mb
from app.services.listing import Listing, listed_images
from app.services.storage_images import (
    DATABLOCK, KIND, VOLUME_IMAGE_KIND, checked_location, discard, image_datastore,
    is_volume_image, load_volume_image, name_from_location, referenced_volume, rendered_images,
)
from schemas.volumes import VOLUME_IMAGE

TYPE_NAME = VOLUME_IMAGE.name
SOURCE_VOLUME = "CIMI_VOLUME"


def list_images(caller, query):
    listing = Listing(TYPE_NAME, "volumeImages", caller.links.href(links.VOLUME_IMAGES))
    return listed_images(caller, query, listing, is_volume_image, render)


def get_image(caller, image_id):
    return render(caller, load_volume_image(caller.gateway, image_id))


def get_images(caller, image_ids):
    return rendered_images(caller, image_ids, is_volume_image, render)


def create_image(caller, body):
    """A snapshot of the volume the body names, or a data image from its imageLocation."""
    if "imageLocation" in body:
        return _registered(caller, body)
    volume = referenced_volume(caller, body["volume"]["href"], "volume.href")
    name = body.get("name") or fitted_name(volume.name, f"-snapshot-{secrets.token_hex(3)}")
    image_id = caller.gateway.image_clone(volume.id, name)
    with undone_on_failure(lambda: discard(caller.gateway, image_id)):
        caller.gateway.image_persistent(image_id, False)
        caller.gateway.image_update(image_id, {
            KIND: VOLUME_IMAGE_KIND, SOURCE_VOLUME: volume.id,
            **encode_metadata(body.get("description", ""), body.get("properties", {}))},
            merge=True)
        return get_image(caller, image_id)


def _registered(caller, body):
    path = checked_location(body["imageLocation"])
    attributes = {"NAME": body.get("name") or name_from_location(path), "TYPE": DATABLOCK,
                  "PATH": path, "PERSISTENT": "NO", KIND: VOLUME_IMAGE_KIND,
                  **encode_metadata(body.get("description"), body.get("properties", {}))}
    image_id = caller.gateway.image_allocate(attributes, image_datastore(caller.gateway))
    with undone_on_failure(lambda: discard(caller.gateway, image_id)):
        return get_image(caller, image_id)


def delete_image(caller, image_id):
    """OpenNebula removes the copy asynchronously: the answer is a Job's URI."""
    load_volume_image(caller.gateway, image_id)
    with jobs.image_deletion(caller, image_id, links.VOLUME_IMAGES) as job_uri:
        caller.gateway.image_delete(image_id)
    return job_uri


def render(caller, image):
    href = caller.links.href(links.VOLUME_IMAGES, image.id)
    template = image.template
    source = template.get(SOURCE_VOLUME)
    return VOLUME_IMAGE.document({
        "id": href,
        "name": image.name,
        "description": description_of(template),
        "created": iso_time(image.regtime),
        "properties": properties_of(template),
        "state": machine_image_state(image.state),
        "imageLocation": {"href": image.path or image.source},
        "bootable": False,
        "capacity": kib_from_mb(image.size_mb),
        "format": image.format,
        "volume": caller.links.reference(links.VOLUMES, source) if source else None,
        "owner": image.owner.uname,
        # A snapshot is never edited, only deleted.
        "operations": [operation for operation in
                       edit_and_delete(caller, image.owner, image.permissions, href)
                       if operation["rel"] == "delete"],
    })


expandable(links.VOLUME_IMAGES, get_image, get_images)
