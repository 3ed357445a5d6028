"""MachineImages: OpenNebula's OS and CDROM images, read-only for now.

Other image types are not machine images (DATABLOCK images are volumes), so they are neither
listed nor found here.
"""
from app.errors import BadRequest, NotFound
from app.one.metadata import description_of, properties_of
from app.one.states import machine_image_state
from app.protocol.names import resource_uri
from app.protocol.responses import collection
from app.services import links as paths
from app.services.rendering import iso_time, kib_from_mb, without_empty

TYPE_NAME = "MachineImage"
MACHINE_IMAGE_TYPES = ("OS", "CDROM")


def list_images(ctx, query):
    images = sorted((image for image in ctx.gateway.image_page().items
                     if image.type in MACHINE_IMAGE_TYPES), key=lambda image: image.id)
    members = [render(ctx, image) for image in images]
    page, count = query.apply(members)
    return collection(TYPE_NAME, "machineImages", page, ctx.links.href(paths.MACHINE_IMAGES),
                      add=False, count=count)


def get_image(ctx, image_id):
    return render(ctx, _machine_image(ctx.gateway, image_id))


def resolve(ctx, choice, attribute):
    """The image record a `machineImage` (href, or the image by value with its id) names."""
    href = choice.get("href") or choice.get("id")
    field = attribute + (".href" if "href" in choice else ".id")
    image_id = ctx.links.id_in(href, paths.MACHINE_IMAGES, field)
    try:
        return _machine_image(ctx.gateway, image_id)
    except NotFound:
        raise BadRequest(f"{field} names no machine image you can use.") from None


def render(ctx, image):
    template = image.template
    return without_empty({
        "resourceURI": resource_uri(TYPE_NAME),
        "id": ctx.links.href(paths.MACHINE_IMAGES, image.id),
        "name": image.name,
        "description": description_of(template) or _text(template.get("DESCRIPTION")),
        "created": iso_time(image.regtime),
        "properties": properties_of(template),
        "state": machine_image_state(image.state),
        "type": "IMAGE",
        "imageLocation": image.path or image.source,
        "size": kib_from_mb(image.size_mb),
        "format": image.format,
        "owner": image.owner.uname,
        "operations": [],
    })


def _machine_image(gateway, image_id):
    image = gateway.image(image_id)
    if image.type not in MACHINE_IMAGE_TYPES:
        raise NotFound(f"Machine image {image_id} does not exist.")
    return image


def _text(value):
    return value if isinstance(value, str) else ""
