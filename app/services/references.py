"""`$expand` support: the document an href of this server names, for the references that
documents hold (machineConfig, machineImage, credential, network, volume, volumeImage,
targetResource, ...). Each lookup goes through the resource's service, as a GET would."""
from app.errors import BadRequest, Forbidden, NotFound
from app.services import links as paths


def _getters():
    """(collection segment, getter) pairs. Imported when first used: the services list their
    members with this module's resolver, so it cannot import them while they load."""
    from app.services import (
        credentials, event_logs, jobs, machine_configurations, machine_images,
        machine_templates, machines, networks, volume_configurations, volume_images,
        volume_templates, volumes,
    )
    return (
        (paths.MACHINES, machines.get_machine),
        (paths.MACHINE_TEMPLATES, machine_templates.get_template),
        (paths.MACHINE_CONFIGURATIONS, machine_configurations.get_configuration),
        (paths.MACHINE_IMAGES, machine_images.get_image),
        (paths.CREDENTIALS, credentials.get_credential),
        (paths.NETWORKS, networks.get_network),
        (paths.VOLUMES, volumes.get_volume),
        (paths.VOLUME_CONFIGURATIONS, volume_configurations.get_configuration),
        (paths.VOLUME_TEMPLATES, volume_templates.get_template),
        (paths.VOLUME_IMAGES, volume_images.get_image),
        (jobs.SEGMENT, jobs.get_job),
        (paths.EVENT_LOGS, event_logs.get_event_log),
    )


def resolver(ctx):
    """href -> document, or None to leave the reference as it is (not ours, gone, hidden)."""
    def resolve(href):
        for segment, get in _getters():
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
