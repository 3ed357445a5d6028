"""What a machine's template asks of storage at launch, as OpenNebula DISKs.

- `volumes`: existing volumes by reference (each optionally read-only and on a chosen
  device) become DISKs of their images, after the machine's image and volatile disks. The
  checks are those of a hot-plug: a volume that is not shareable must be free, a shareable
  one is attached read-only.
- `volumeTemplates`: a new volume is created for each (described as made for the machine)
  and attached the same way; the volumes stay when the machine is deleted, like any
  persistent volume, and are deleted again if the launch fails.

Volatile disks (scratch space and swap, destroyed with the machine) are the `disks` of the
machine's configuration (`machine_definitions`).
"""
from contextlib import contextmanager

from app.errors import Conflict, DomainError
from app.services import links
from app.services import volumes
from app.services.undo import complete_mark, incomplete_mark, undone_on_failure
from app.services.documents import as_list
from app.services.storage_images import attachment_refusal, discard, referenced_volume


def volume_disks(caller, choice, prefix=""):
    """DISK vectors for the template's `volumes` (existing volumes)."""
    disks = []
    for index, attachment in enumerate(choice.get("volumes", ())):
        field = _field(prefix, f"volumes[{index}]")
        volume = referenced_volume(caller, attachment["volume"]["href"], field + ".volume.href")
        refusal = attachment_refusal(volume, attachment["readOnly"])
        if refusal:
            raise Conflict(f"{field}: {refusal}")
        disks.append(_disk(volume.id, attachment["readOnly"], attachment.get("initialLocation")))
    return disks


@contextmanager
def new_volume_disks(caller, choice, machine_name, prefix=""):
    """Create a volume for each of the template's `volumeTemplates` and yield their DISK
    vectors; the volumes are deleted again if the block fails. They are marked incomplete
    until `complete_new_volumes`, so that reads can clean up after a server that died
    before the machine was made (`abandoned_volume`)."""
    created = []
    with undone_on_failure(lambda: _delete_all(caller, created)):
        disks = []
        for index, item in enumerate(choice.get("volumeTemplates", ())):
            field = _field(prefix, f"volumeTemplates[{index}].volumeTemplate")
            description = f"Created at the launch of machine {machine_name}".rstrip()
            volume_id = volumes.new_volume(caller, item["volumeTemplate"], field,
                                           {"description": description + "."},
                                           incomplete_mark(caller))
            created.append(volume_id)
            disks.append(_disk(volume_id, False, item.get("initialLocation")))
        yield disks


def complete_new_volumes(caller, disks):
    """The machine made with the volumes of `new_volume_disks` exists: they are complete."""
    for disk in disks:
        caller.gateway.image_update(disk["IMAGE_ID"], complete_mark(), merge=True)


def _delete_all(caller, volume_ids):
    """Each volume is tried, whatever happens to the others."""
    for volume_id in volume_ids:
        try:
            discard(caller.gateway, volume_id)
        except DomainError:
            pass


def _disk(volume_id, read_only, initial_location):
    disk = {"IMAGE_ID": volume_id}
    if read_only:
        disk["READONLY"] = "YES"
    if initial_location:
        disk["TARGET"] = initial_location
    return disk


def _field(prefix, name):
    return f"{prefix}.{name}" if prefix else name


def template_volumes(caller, attributes, machine_image_id):
    """The `volumes` a VM template's DISKs hold: every image DISK but the machine's image
    (`machine_image_id`, or the first image DISK of a template made outside CIMI)."""
    vectors = [vector for vector in as_list(attributes.get("DISK"))
               if isinstance(vector, dict) and vector.get("IMAGE_ID")]
    machine_image = machine_image_id or (vectors[0]["IMAGE_ID"] if vectors else None)
    return [_attachment_of(caller, vector) for vector in vectors
            if vector["IMAGE_ID"] != machine_image]


def _attachment_of(caller, vector):
    attachment = {"volume": caller.links.reference(links.VOLUMES, vector["IMAGE_ID"]),
                  "readOnly": vector.get("READONLY", "").upper() == "YES"}
    if vector.get("TARGET"):
        attachment["initialLocation"] = vector["TARGET"]
    return attachment
