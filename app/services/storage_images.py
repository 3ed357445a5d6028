"""Which OpenNebula images are Volumes and which are VolumeImages.

OpenNebula keeps volumes, their snapshots and machine images in one image pool. Every image
this server creates for storage carries CIMI_KIND in its TEMPLATE: VOLUME for a volume,
VOLUME_IMAGE for a snapshot of one (a clone, a DATABLOCK too). A Volume is a DATABLOCK image
that is not a volume image, so a datablock made outside CIMI is a volume as well; machine
images are OS and CDROM images only, so no image is ever two kinds of resource.
"""
import time
from urllib.parse import urlsplit

from app.errors import BadRequest, Conflict, DomainError, Forbidden, NotFound
from app.one.states import IMAGE_STATES
from app.one.storable import name_problem, normal_name
from app.services import links
from app.services.undo import complete_mark, is_abandoned, tried_each

DATABLOCK = "DATABLOCK"
# What an image's content may be registered from.
URL_SCHEMES = ("http", "https")
KIND = "CIMI_KIND"
VOLUME_KIND = "VOLUME"
VOLUME_IMAGE_KIND = "VOLUME_IMAGE"
PERSISTENT_TYPE = "PERSISTENT_TYPE"
SHAREABLE = "SHAREABLE"
IMAGE_DATASTORE = 0    # Datastore TYPE of image datastores
DATASTORE_READY = 0
IMAGE_LOCKED = next(number for number, name in IMAGE_STATES.items() if name == "LOCKED")
# How long undoing a creation waits for the new image's copy to end before giving up.
DISCARD_WAIT_SECONDS = 30
DISCARD_POLL_SECONDS = 0.2


def discard(gateway, image_id):
    """Delete an image this request has just created, to undo its creation. oned refuses to
    delete an image while its copy into the datastore runs (LOCKED, as a new image is) unless
    forced, and forcing takes ADMIN rights its owner does not have; it refuses too while a
    machine holds it (a volume of a machine whose creation is being undone, until the
    terminated VM lets it go). Both are waited for, within DISCARD_WAIT_SECONDS."""
    deadline = time.monotonic() + DISCARD_WAIT_SECONDS
    while _busy(gateway.image(image_id)) and time.monotonic() < deadline:
        time.sleep(DISCARD_POLL_SECONDS)
    gateway.image_delete(image_id)


def abandoned(gateway, image):
    """True for an image a request marked incomplete and a dead server left so
    (`context.is_abandoned`), which is then deleted: a MachineCreate's new volume whose machine
    was never made. One a machine holds was attached by that MachineCreate before the server
    died, and is completed instead."""
    if not is_abandoned(image.template):
        return False
    try:
        if image.running_vms:
            gateway.image_update(image.id, complete_mark(), merge=True)
            return False
        gateway.image_delete(image.id)
    except DomainError:
        pass
    return True


def restore(gateway, image):
    """Undo a PUT of an image that failed halfway: the name, TEMPLATE and visibility `image`
    (read before the PUT) had, each step tried whatever the others do."""
    tried_each(lambda: gateway.image_rename(image.id, image.name),
               lambda: gateway.image_update(image.id, dict(image.template), merge=False),
               lambda: gateway.image_chmod(image.id, other_use=image.permissions.public))


def _busy(image):
    return image.state == IMAGE_LOCKED or image.running_vms > 0


def image_datastore(gateway):
    """Where new images go: the lowest-numbered ready image datastore the caller can see."""
    usable = [datastore.id for datastore in gateway.datastores()
              if datastore.type == IMAGE_DATASTORE and datastore.state == DATASTORE_READY]
    if not usable:
        raise Conflict("There is no image datastore you can create images in.")
    return min(usable)


def is_volume(image):
    return image.type == DATABLOCK and image.template.get(KIND) != VOLUME_IMAGE_KIND


def is_volume_image(image):
    return image.type == DATABLOCK and image.template.get(KIND) == VOLUME_IMAGE_KIND


def is_shareable(image):
    return str(image.template.get(PERSISTENT_TYPE, "")).upper() == SHAREABLE


def attachment_refusal(volume, read_only):
    """Why the volume cannot be attached to a machine now (None if it can): a volume that is
    not shareable serves one machine at a time, a shareable one is only attached read-only,
    so that no two machines ever write to it together."""
    if is_shareable(volume) and not read_only:
        return (f"volume {volume.id} is shareable: it is attached read-only only "
                "(readOnly true), so that no two machines write to it.")
    if volume.running_vms and not is_shareable(volume):
        users = ", ".join(str(vm_id) for vm_id in volume.vm_ids)
        return (f"volume {volume.id} is already attached to machine {users}; it serves one "
                "machine at a time unless it is made shareable.")
    return None


def rendered_images(caller, image_ids, wanted, render):
    """{id: render(caller, image)} of the listed images `wanted(image)` picks that exist and are
    visible, from one imagepool.info (the image pool has no call for a set of ids)."""
    image_ids = set(image_ids)
    return {image.id: render(caller, image)
            for image in caller.gateway.image_page(users=False).items
            if image.id in image_ids and wanted(image)}


def load_volume(gateway, image_id):
    return _load(gateway, image_id, lambda image: is_volume(image) and
                 not abandoned(gateway, image), "Volume")


def load_volume_image(gateway, image_id):
    return _load(gateway, image_id, is_volume_image, "Volume image")


def referenced_volume(caller, href, attribute):
    """The volume an href in a request body names; BadRequest when there is none to use."""
    return _referenced(caller, href, links.VOLUMES, load_volume, "volume", attribute)


def referenced_volume_image(caller, href, attribute):
    return _referenced(caller, href, links.VOLUME_IMAGES, load_volume_image, "volume image",
                       attribute)


def _referenced(caller, href, collection, load, label, attribute):
    image_id = caller.links.id_in(href, collection, attribute)
    try:
        return load(caller.gateway, image_id)
    except (NotFound, Forbidden):
        raise BadRequest(f"{attribute} names no {label} you can use.") from None


def _load(gateway, image_id, belongs, label):
    image = gateway.image(image_id)
    if not belongs(image):
        raise NotFound(f"{label} {image_id} does not exist.")
    return image


def checked_location(location, also=""):
    """An http(s) URL with a host, or an absolute path; nothing else reaches OpenNebula.
    `also` completes the refusal with what else the attribute may name."""
    if any(character.isspace() or not character.isprintable() for character in location):
        raise BadRequest(f"imageLocation {location!r} contains spaces or control characters.")
    if location.startswith("/"):
        if "/../" in location + "/":
            raise BadRequest(f"imageLocation {location!r} is not a usable absolute path.")
        return location
    parts = urlsplit(location)
    if parts.scheme.lower() not in URL_SCHEMES:
        raise BadRequest(
            f"imageLocation must be an http or https URL or an absolute path in the image "
            f"datastore{also}; got {location!r}.")
    if not parts.hostname:
        raise BadRequest(f"imageLocation {location!r} is not a valid URL.")
    try:
        parts.port
    except ValueError:
        raise BadRequest(f"imageLocation {location!r} has an invalid port.") from None
    return location


def name_from_location(location):
    """A default name: the last segment of the URL's path or of the file path."""
    name = normal_name(urlsplit(location).path.rstrip("/").rpartition("/")[2])
    if not name:
        raise BadRequest("A name is needed: imageLocation does not end in a file name.")
    problem = name_problem(name)
    if problem:
        raise BadRequest(f"A name is needed: the file name imageLocation ends in cannot be "
                         f"one. {problem}")
    return name
