"""MachineImages: OpenNebula's OS and CDROM images.

Other image types are not machine images (DATABLOCK images are volumes), so they are neither
listed nor found here.

Registration (`register_image`) is `one.image.allocate` in the lowest-numbered image
datastore the user may use, with PATH set to the `imageLocation`: an http(s) URL, which the
datastore driver downloads (this server never fetches it), or an absolute path the datastore
can read. OpenNebula answers with the new image's id at once and copies the file in the
background, so the request is answered 201 Created with the image in state CREATING; it turns
AVAILABLE when the copy is done (ERROR if the driver fails). A `device` of cdrom registers a
CDROM image; anything else an OS disk image.

A captured image (see `machine_capture`) is a whole image like any other: its type is IMAGE,
it launches new machines, its `imageLocation` is the machine it was saved from and its
`relatedImage` the image that machine was launched from (OpenNebula's SAVED_VM_ID and
SAVED_IMAGE_ID). Type SNAPSHOT is kept for the snapshots listed under a machine
(`machine_snapshots`), which only restore that machine.

`visibility` public is OpenNebula's "other users may use" bit; `persistent` is OpenNebula's
persistence: a machine launched from a persistent image runs on the image itself (one machine
at a time), from a non-persistent one on its own copy.
"""

from app.errors import BadRequest, NotFound
from app.one.metadata import description_of, encode_metadata, properties_of
from app.one.states import machine_image_state
from app.services import jobs, links
from app.services.undo import tried_each, undone_on_failure
from app.services.references import expandable
from app.services.rendering import edit_and_delete, iso_time, kib_from_mb
from app.services.storage_images import (
    checked_location, discard, image_datastore, name_from_location, rendered_images, restore,
)
from app.services.listing import Listing, listed_images
from schemas.machine_images import MACHINE_IMAGE

TYPE_NAME = MACHINE_IMAGE.name
MACHINE_IMAGE_TYPES = ("OS", "CDROM")
# What disksaveas leaves in the new image's TEMPLATE.
SAVED_VM = "SAVED_VM_ID"
SAVED_IMAGE = "SAVED_IMAGE_ID"


def list_images(caller, query):
    listing = Listing(TYPE_NAME, "machineImages", caller.links.href(links.MACHINE_IMAGES))
    return listed_images(caller, query, listing, is_machine_image, render)


def get_image(caller, image_id):
    return render(caller, _machine_image(caller.gateway, image_id))


def get_images(caller, image_ids):
    return rendered_images(caller, image_ids, is_machine_image, render)


def machine_to_capture(caller, body):
    """The id of the Machine a registration's `imageLocation` names, or None when it names a
    file to register (a URL or a path)."""
    location = body["imageLocation"]
    if not _is_machine_href(caller, location):
        return None
    return caller.links.id_in(location, links.MACHINES, "imageLocation")


def image_at(caller, href):
    """The MachineImage this server's `href` names."""
    return get_image(caller, caller.links.id_in(href, links.MACHINE_IMAGES, "Location"))


def register_image(caller, body):
    """POST of a URL or a path: the new image, CREATING until OpenNebula has copied it."""
    path = checked_location(body["imageLocation"], ", or a machine of this server to capture")
    attributes = {
        "NAME": body.get("name") or name_from_location(path),
        "TYPE": "CDROM" if body.get("device") == "cdrom" else "OS",
        "PATH": path,
        "PERSISTENT": "YES" if body.get("persistent") else "NO",
        **encode_metadata(body.get("description"), body.get("properties", {})),
    }
    image_id = caller.gateway.image_allocate(attributes, image_datastore(caller.gateway))
    with undone_on_failure(lambda: discard(caller.gateway, image_id)):
        if body.get("visibility") == "public":
            caller.gateway.image_chmod(image_id, other_use=True)
        return get_image(caller, image_id)


def update_image(caller, image_id, body):
    """PUT: name, description, properties, visibility and persistence; attributes the body
    leaves out keep their values. OpenNebula refuses to change the persistence of an image in
    use (409)."""
    gateway = caller.gateway
    image = _machine_image(gateway, image_id)
    persistence = "persistent" in body and body["persistent"] != image.persistent
    with undone_on_failure(lambda: _restored(gateway, image, persistence)):
        if persistence:
            gateway.image_persistent(image_id, body["persistent"])
        if body.get("name") and body["name"] != image.name:
            gateway.image_rename(image_id, body["name"])
        attributes = encode_metadata(body.get("description"), body.get("properties"))
        if attributes:
            gateway.image_update(image_id, attributes, merge=True)
        if "visibility" in body and (body["visibility"] == "public") != image.permissions.public:
            gateway.image_chmod(image_id, other_use=body["visibility"] == "public")
        return get_image(caller, image_id)


def _restored(gateway, image, persistence):
    """Undo a PUT that failed halfway, the persistence too if it was changed."""
    restore(gateway, image)
    if persistence:
        tried_each(lambda: gateway.image_persistent(image.id, image.persistent))


def delete_image(caller, image_id):
    """OpenNebula refuses while machines use the image (409) and otherwise removes it in the
    background (DELETING); the URI of the Job that follows the removal."""
    _machine_image(caller.gateway, image_id)
    with jobs.image_deletion(caller, image_id, links.MACHINE_IMAGES) as job_uri:
        caller.gateway.image_delete(image_id)
    return job_uri


def resolve(caller, choice, attribute):
    """The image record a `machineImage` (href, or the image by value with its id) names."""
    href = choice.get("href") or choice.get("id")
    field = attribute + (".href" if "href" in choice else ".id")
    image_id = caller.links.id_in(href, links.MACHINE_IMAGES, field)
    try:
        return _machine_image(caller.gateway, image_id)
    except NotFound:
        raise BadRequest(f"{field} names no machine image you can use.") from None


def render(caller, image):
    template = image.template
    href = caller.links.href(links.MACHINE_IMAGES, image.id)
    return MACHINE_IMAGE.document({
        "id": href,
        "name": image.name,
        "description": description_of(template) or _text(template.get("DESCRIPTION")),
        "created": iso_time(image.regtime),
        "properties": properties_of(template),
        "state": machine_image_state(image.state),
        "type": "IMAGE",
        "imageLocation": {"href": _location(caller, image)},
        "relatedImage": _saved_reference(caller, links.MACHINE_IMAGES, template.get(SAVED_IMAGE)),
        "size": kib_from_mb(image.size_mb),
        "format": image.format,
        "device": "cdrom" if image.type == "CDROM" else "disk",
        "persistent": image.persistent,
        "visibility": "public" if image.permissions.public else "private",
        "owner": image.owner.uname,
        "operations": edit_and_delete(caller, image.owner, image.permissions, href),
    })


def _location(caller, image):
    machine = _saved_reference(caller, links.MACHINES, image.template.get(SAVED_VM))
    return machine["href"] if machine else image.path or image.source


def _saved_reference(caller, collection_segment, saved_id):
    """A reference to what disksaveas recorded (-1 or nothing: no such object)."""
    if not isinstance(saved_id, str) or not saved_id.isdigit():
        return None
    return caller.links.reference(collection_segment, saved_id)


def is_machine_image(image):
    return image.type in MACHINE_IMAGE_TYPES


def _machine_image(gateway, image_id):
    image = gateway.image(image_id, users=False)
    if not is_machine_image(image):
        raise NotFound(f"Machine image {image_id} does not exist.")
    return image


def _is_machine_href(caller, location):
    machines = caller.links.href(links.MACHINES)
    return location.startswith(machines + "/") or location.startswith(links.MACHINES + "/")


def _text(value):
    return value if isinstance(value, str) else ""


expandable(links.MACHINE_IMAGES, get_image, get_images)
