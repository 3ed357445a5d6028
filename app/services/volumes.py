"""Volumes: persistent OpenNebula DATABLOCK images in the image datastore (which images
count as volumes: `storage_images`).

Capacity is KiB in CIMI and MB in OpenNebula. Ownership and visibility are OpenNebula's: a
new volume is private (oned's umask lets only its owner use and manage it); public sets the
other-USE bit, so every user can see and attach it, but only its owner can change or delete
it. A shareable volume (PERSISTENT_TYPE=SHAREABLE) may be attached to many machines at once,
and this server only ever attaches it read-only, so no two machines write to it together.
"""
import secrets
from contextlib import contextmanager

from app.errors import Conflict, Forbidden
from app.one.metadata import description_of, encode_metadata, properties_of
from app.one.states import volume_state
from app.services import links
from app.services import jobs, volume_templates
from app.services.undo import undone_on_failure
from app.services.references import expandable
from app.services.storage_images import (
    DATABLOCK, KIND, PERSISTENT_TYPE, SHAREABLE, VOLUME_KIND, abandoned, discard,
    image_datastore, is_shareable, is_volume, load_volume, rendered_images, restore,
)
from app.services.listing import Listing, listed_images
from app.services.rendering import (
    edit_and_delete, iso_time, kib_from_mb, mb_from_kib,
)
from schemas.machine_configurations import FILE_SYSTEMS
from schemas.volumes import VOLUME, VOLUME_TYPE

TYPE_NAME = VOLUME.name


def list_volumes(caller, query):
    listing = Listing(TYPE_NAME, "volumes", caller.links.href(links.VOLUMES))
    return listed_images(caller, query, listing, lambda image: is_volume(image) and
                         not abandoned(caller.gateway, image), render)


def get_volume(caller, volume_id):
    return render(caller, load_volume(caller.gateway, volume_id))


def get_volumes(caller, image_ids):
    return rendered_images(caller, image_ids, is_volume, render)


def create_volume(caller, body):
    volume_id = new_volume(caller, body["volumeTemplate"], "volumeTemplate", body)
    with undone_on_failure(lambda: discard(caller.gateway, volume_id)):
        return get_volume(caller, volume_id)


def new_volume(caller, template_choice, attribute, body, marks=None):
    """Create the volume a volumeTemplate choice describes, named and described by `body`
    (name, description, properties, visibility, shareable), with the further TEMPLATE
    attributes `marks`; its OpenNebula id. Nothing is left behind if a step fails."""
    definition = volume_templates.resolve(caller, template_choice, attribute)
    name = body.get("name") or f"volume-{secrets.token_hex(4)}"
    marks = {KIND: VOLUME_KIND, **(marks or {}),
             **encode_metadata(body.get("description", ""), body.get("properties", {}))}
    if body.get("shareable"):
        marks[PERSISTENT_TYPE] = SHAREABLE
    if definition.volume_image_id is None:
        volume_id = _allocate(caller.gateway, name, definition, marks)
    else:
        volume_id = _clone(caller.gateway, name, definition, marks)
    with undone_on_failure(lambda: discard(caller.gateway, volume_id)):
        if body.get("visibility") == "public":
            caller.gateway.image_chmod(volume_id, other_use=True)
    return volume_id


def _allocate(gateway, name, definition, marks):
    attributes = {"NAME": name, "TYPE": DATABLOCK, "PERSISTENT": True,
                  "SIZE": mb_from_kib(definition.capacity_kib), **_layout(definition.format),
                  **marks}
    return gateway.image_allocate(attributes, image_datastore(gateway))


def _layout(volume_format):
    """OpenNebula's FORMAT, and FS for a raw datablock formatted with a file system."""
    if volume_format in FILE_SYSTEMS:
        return {"FORMAT": "raw", "FS": volume_format}
    return {"FORMAT": volume_format}


def _clone(gateway, name, definition, marks):
    """A copy of the volume image made persistent and marked as a volume: the clone carries
    the image's TEMPLATE, whose description and properties the volume's replace."""
    volume_id = gateway.image_clone(definition.volume_image_id, name)
    with undone_on_failure(lambda: discard(gateway, volume_id)):
        gateway.image_persistent(volume_id, True)
        gateway.image_update(volume_id, marks, merge=True)
    return volume_id


def update_volume(caller, volume_id, body):
    """PUT: attributes the body leaves out keep their current values. Renaming goes first:
    a name already taken is the likeliest refusal, and then nothing changed."""
    volume = load_volume(caller.gateway, volume_id)
    attributes = encode_metadata(body.get("description"), body.get("properties"))
    if "shareable" in body and body["shareable"] != is_shareable(volume):
        if volume.running_vms:
            raise Conflict(f"Volume {volume_id} is attached to {_machines(volume)}: detach it "
                           "before changing whether it is shareable.")
        attributes[PERSISTENT_TYPE] = SHAREABLE if body["shareable"] else ""
    with owner_only(volume, "change"), undone_on_failure(lambda: restore(caller.gateway, volume)):
        if body.get("name") and body["name"] != volume.name:
            caller.gateway.image_rename(volume_id, body["name"])
        if attributes:
            caller.gateway.image_update(volume_id, attributes, merge=True)
        if "visibility" in body:
            caller.gateway.image_chmod(volume_id, other_use=body["visibility"] == "public")
        return get_volume(caller, volume_id)



def delete_volume(caller, volume_id):
    """Only a volume no machine uses can go; OpenNebula removes it asynchronously, so the
    answer is a Job's URI."""
    volume = load_volume(caller.gateway, volume_id)
    with (owner_only(volume, "delete"),
          jobs.image_deletion(caller, volume_id, links.VOLUMES) as job_uri):
        try:
            caller.gateway.image_delete(volume_id)
        except Conflict as refusal:
            if volume.running_vms:
                raise Conflict(f"Volume {volume_id} is attached to {_machines(volume)}: detach "
                               "it before deleting it.") from None
            raise refusal
    return job_uri


@contextmanager
def owner_only(volume, action):
    """OpenNebula's authorization refusal, with a message saying whose volume it is."""
    try:
        yield
    except Forbidden:
        raise Forbidden(f"Volume {volume.id} belongs to {volume.owner.uname}: only its owner "
                        f"can {action} it. The volume is unchanged.") from None


def _machines(volume):
    machines = ", ".join(f"machine {vm_id}" for vm_id in volume.vm_ids)
    return machines or f"{volume.running_vms} machine(s)"


def render(caller, image):
    href = caller.links.href(links.VOLUMES, image.id)
    template = image.template
    return VOLUME.document({
        "id": href,
        "name": image.name,
        "description": description_of(template),
        "created": iso_time(image.regtime),
        "properties": properties_of(template),
        "state": volume_state(image.state),
        "type": VOLUME_TYPE,
        "capacity": kib_from_mb(image.size_mb),
        "bootable": False,
        "format": image.fs or image.format,
        "owner": image.owner.uname,
        "visibility": "public" if image.permissions.public else "private",
        "shareable": is_shareable(image),
        "users": image.running_vms,
        "operations": edit_and_delete(caller, image.owner, image.permissions, href),
    })


expandable(links.VOLUMES, get_volume, get_volumes)
