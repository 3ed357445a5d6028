"""`$expand` support: the document an href of this server names, for the references that
Machines and MachineTemplates hold (machineConfig, machineImage, credential)."""
from app.errors import BadRequest, Forbidden, NotFound
from app.services import links as paths
from app.services import credentials, machine_configurations, machine_images

_GETTERS = (
    (paths.MACHINE_CONFIGURATIONS, machine_configurations.get_configuration),
    (paths.MACHINE_IMAGES, machine_images.get_image),
    (paths.CREDENTIALS, credentials.get_credential),
)


def resolver(ctx):
    """href -> document, or None to leave the reference as it is (not ours, gone, hidden)."""
    def resolve(href):
        for segment, get in _GETTERS:
            try:
                object_id = ctx.links.id_in(href, segment, "href")
            except BadRequest:
                continue
            try:
                return get(ctx, object_id)
            except (NotFound, Forbidden):
                return None
        return None
    return resolve
