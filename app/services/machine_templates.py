"""MachineTemplates: OpenNebula VM templates.

A MachineTemplate's machineConfig and machineImage are turned into the template's CPU, VCPU,
MEMORY, DISKs and NIC exactly as for a Machine created by value (`machine_definitions`), so
instantiating the template launches the same VM. The template's TEMPLATE also keeps
CIMI_DESCRIPTION, CIMI_PROPERTIES, CIMI_INITIAL_STATE and the configuration and image ids; a VM
template created outside CIMI is listed too, with what can be read from its attributes.
"""
from app.one.metadata import description_of, encode_metadata, properties_of
from app.services import links
from app.services.undo import tried_each, undone_on_failure
from app.services.documents import vectors
from app.services.listing import Listing, Pool, listed_pool, owner_pushdown
from app.services.machine_definitions import MACHINE_CONFIG, MACHINE_IMAGE, machine_attributes
from app.services.machine_context import template_view
from app.services.machine_storage import template_volumes
from app.services.machines import INITIAL_STATE
from app.services.references import expandable, resolver
from app.services.rendering import edit_and_delete, iso_time, kib_from_mb, without_empty
from schemas.machine_templates import MACHINE_TEMPLATE
from schemas.machines import DEFAULT_INITIAL_STATE

TYPE_NAME = MACHINE_TEMPLATE.name


def list_templates(caller, query):
    query, mine = owner_pushdown(caller.user_name, query)
    pool = Pool(lambda offset, size: caller.gateway.template_page(offset, size, mine=mine))
    listing = Listing(TYPE_NAME, "machineTemplates", caller.links.href(links.MACHINE_TEMPLATES))
    return listed_pool(query, listing, pool, lambda template: render(caller, template),
                       expand=resolver(caller))


def get_template(caller, template_id, query=None):
    """The MachineTemplate, shaped by the query's $expand and $select when one is given."""
    document = render(caller, caller.gateway.template(template_id))
    return query.shape(document, expand=resolver(caller)) if query is not None else document


def create_template(caller, body):
    attributes = {"NAME": body["name"], **_attributes(caller, body)}
    template_id = caller.gateway.template_allocate(attributes)
    with undone_on_failure(lambda: caller.gateway.template_delete(template_id)):
        return get_template(caller, template_id)


def update_template(caller, template_id, body):
    """PUT: the body is the template's whole new state (a missing machineConfig means the
    default configuration, as at creation)."""
    gateway = caller.gateway
    current = gateway.template(template_id)
    attributes = _attributes(caller, body)
    # Renaming first: a name already taken is the likeliest refusal, and then nothing changed.
    with undone_on_failure(lambda: tried_each(
            lambda: gateway.template_rename(template_id, current.name),
            lambda: gateway.template_update(template_id, dict(current.template), merge=False))):
        if body["name"] != current.name:
            gateway.template_rename(template_id, body["name"])
        gateway.template_update(template_id, attributes, merge=False)
        return get_template(caller, template_id)


def delete_template(caller, template_id):
    """The template only: the images it refers to belong to their owners."""
    caller.gateway.template_delete(template_id, with_images=False)


def _attributes(caller, body):
    attributes = machine_attributes(caller, body)
    attributes[INITIAL_STATE] = body.get("initialState", DEFAULT_INITIAL_STATE)
    attributes.update(encode_metadata(body.get("description"), body.get("properties", {})))
    return attributes


def render(caller, vm_template):
    href = caller.links.href(links.MACHINE_TEMPLATES, vm_template.id)
    attributes = vm_template.template
    return MACHINE_TEMPLATE.document({
        "id": href,
        "name": vm_template.name,
        "description": description_of(attributes),
        "created": iso_time(vm_template.regtime),
        "properties": properties_of(attributes),
        "machineConfig": _machine_config(caller, attributes),
        "machineImage": _machine_image(caller, attributes),
        "initialState": attributes.get(INITIAL_STATE) or DEFAULT_INITIAL_STATE,
        "volumes": template_volumes(caller, attributes, attributes.get(MACHINE_IMAGE)),
        **template_view(caller, attributes),
        "owner": vm_template.owner.uname,
        "operations": edit_and_delete(caller, vm_template.owner, vm_template.permissions, href),
    })


def _machine_config(caller, attributes):
    """The configuration the template was made from, with the sizing it actually has (which
    differs when the configuration was overridden or has changed since)."""
    sizing = without_empty({
        "cpu": _whole(attributes.get("VCPU")) or _whole(attributes.get("CPU")),
        "memory": kib_from_mb(_whole(attributes.get("MEMORY"))),
        "disks": [_disk(vector) for vector in vectors(attributes.get("DISK"))
                  if not vector.get("IMAGE_ID") and not vector.get("IMAGE")],
    })
    configuration_id = attributes.get(MACHINE_CONFIG)
    if configuration_id:
        return {"href": caller.links.href(links.MACHINE_CONFIGURATIONS, configuration_id), **sizing}
    return sizing or None


def _machine_image(caller, attributes):
    image_id = attributes.get(MACHINE_IMAGE) or next(
        (vector["IMAGE_ID"] for vector in vectors(attributes.get("DISK"))
         if vector.get("IMAGE_ID")), None)
    return caller.links.reference(links.MACHINE_IMAGES, image_id) if image_id else None


def _disk(vector):
    disk = {"capacity": kib_from_mb(_whole(vector.get("SIZE"))),
            "format": ("swap" if vector.get("TYPE", "").lower() == "swap"
                       else vector.get("FS") or vector.get("FORMAT", "raw"))}
    if vector.get("TARGET"):
        disk["initialLocation"] = vector["TARGET"]
    return disk


def _whole(text):
    try:
        return int(float(text))
    except (TypeError, ValueError):
        return 0


expandable(links.MACHINE_TEMPLATES, get_template)
