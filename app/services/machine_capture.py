"""Capture: a machine's boot disk saved as a new MachineImage, and "save on shutdown".

Capture is `one.vm.disksaveas` on the boot disk (the first disk made from an image that is
not read-only). OpenNebula creates the new image at once, LOCKED (CREATING) while the
datastore copies the disk, with the machine CAPTURING meanwhile; the image then turns
AVAILABLE and launches machines like any other. The Machine `capture` action and a POST to
machineImages naming the machine as `imageLocation` both do it, and both are answered
202 Accepted with the new image's href as Location and a Job (CIMI-Job-URI) that follows
the image until it is READY or ERROR: the copy is still under way. The Action's
optional `image` gives the new image's name, description and properties; without a name it
is called `<machine name>-<UTC time>`. OpenNebula refuses disksaveas while the machine is
being created, shut down or moved (409 naming the state).

Save on shutdown (the StratusLab guide's `--save`): the `stop` action with an `image` input
stops the machine and keeps its disk as that image, in one request. The server keeps no state
of its own, so the request does the whole job while it runs, in the order OpenNebula's rules
allow:

1. everything that can be checked is checked first (the machine may stop, has a disk to save,
   the image name is free), so a refusal leaves the machine as it was;
2. the machine is powered off (`poweroff`, or `poweroff-hard` when forced);
3. the request polls the machine until it is POWEROFF, for at most STOP_WAIT_SECONDS
   (disksaveas is refused during SHUTDOWN_POWEROFF);
4. the disk of the powered-off machine is saved with disksaveas, and the answer is 202 with
   the new image's href.

Saving after the power-off, rather than saving the running disk and powering off afterwards,
keeps what the guest wrote while shutting down, as the guide's save at shutdown does.

Failure modes, each answered with an error that says the machine was asked to stop but its
disk not saved, so nothing is left half-done silently: the guest does not power off in time
(504; the machine is still STOPPING, capture it once STOPPED or stop it with force); the
machine ends in another state than POWEROFF, e.g. the guest came back up or someone deleted
it (409). A read of the machine that fails while it powers off is tried again at the next
poll. When OpenNebula refuses the save after the machine stopped (its own error and status,
e.g. 409 for a name taken meanwhile or a full datastore), or the new image's description or
Job cannot be written, the image is deleted and the machine started again (resume), and the
error says so. If the server itself dies while waiting, the client gets no answer at all;
OpenNebula still completes the power-off, and the machine is left STOPPED without a new
image, which the client sees and can capture.

A capture whose image's description or Job cannot be written deletes the new image again
(once OpenNebula's copy has ended), so an error answer leaves no image behind.
"""
import time

from app.errors import (
    BackendError, BackendTimeout, BackendUnavailable, BadRequest, Conflict, DomainError,
)
from app.one.metadata import encode_metadata
from app.one.states import ACTIVE, LCM_NUMBERS, STATE_NUMBERS, machine_state, vm_state_name
from app.one.storable import fitted_name
from app.services import jobs, links
from app.services.undo import undone_on_failure
from app.services.storage_images import discard

STOP_WAIT_SECONDS = 120.0
POLL_SECONDS = 0.1
POWEROFF = STATE_NUMBERS["POWEROFF"]
# Where a machine asked to power off may still be on its way: oned's LCM takes the request
# asynchronously, so the machine can still show RUNNING (or UNKNOWN) at first.
ON_THE_WAY_TO_POWEROFF = frozenset(
    LCM_NUMBERS[name] for name in ("RUNNING", "UNKNOWN", "SHUTDOWN_POWEROFF"))


def capture(caller, vm, hints):
    """Save the machine's boot disk as a new image now; the headers of the 202 answer."""
    check_new_image(hints)
    name = hints.get("name") or default_name(vm)
    image_id = caller.gateway.vm_disk_saveas(vm.id, boot_disk(vm).disk_id, name)
    return _kept(caller, vm, "capture", image_id, hints)


def stop_and_save(caller, vm, stop_action, hints):
    """Power the machine off (`stop_action`: poweroff or poweroff-hard), then save its boot
    disk; the headers of the 202 answer. See the module's docstring for the failure modes."""
    check_new_image(hints)
    disk = boot_disk(vm)
    name = hints.get("name") or default_name(vm)
    _check_name_free(caller.gateway, name)
    caller.gateway.vm_action(stop_action, vm.id)
    _wait_until_powered_off(caller.gateway, vm.id)
    try:
        with undone_on_failure(lambda: _started_again(caller.gateway, vm.id)):
            image_id = caller.gateway.vm_disk_saveas(vm.id, disk.disk_id, name)
            return _kept(caller, vm, "stop", image_id, hints)
    except DomainError as error:
        raise type(error)(f"Machine {vm.id} was stopped, but its disk was not saved, so it is "
                          f"being started again: {error.message}") from None


def check_new_image(hints):
    """An action's `image` describes the image it creates: an href names an existing one."""
    if "href" in hints:
        raise BadRequest("image.href names an existing image or snapshot, which only restore "
                         "takes; give the new image's name, description or properties.")


def boot_disk(vm):
    """The disk a capture saves: the first image disk the machine can write to."""
    disks = sorted((disk for disk in vm.disks if disk.image_id is not None and not disk.readonly),
                   key=lambda disk: disk.disk_id)
    if not disks:
        raise Conflict(f"Machine {vm.id} has no disk made from an image to capture.")
    return disks[0]


def default_name(vm):
    """`<machine name>-<UTC time>`, the machine's name shortened to fit OpenNebula's limit."""
    return fitted_name(vm.name, f"-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}")


def _kept(caller, vm, action, image_id, hints):
    """The 202 headers of a save OpenNebula accepted (the new image's href as Location, and a
    Job following the image), once its description and properties are written. If either
    write fails the image is deleted again (once its copy ended), so the refused request
    leaves nothing behind."""
    with undone_on_failure(lambda: discard(caller.gateway, image_id)):
        metadata = encode_metadata(hints.get("description"), hints.get("properties"))
        if metadata:
            caller.gateway.image_update(image_id, metadata, merge=True)
        job_uri = jobs.record(caller, jobs.image(image_id, links.MACHINE_IMAGES), action,
                              "image_ready", affected=[(links.MACHINES, vm.id)])
    return {"Location": caller.links.href(links.MACHINE_IMAGES, image_id),
            **jobs.job_header(job_uri)}


def _started_again(gateway, vm_id):
    """Undo the stop of a stop with an image whose image could not be kept."""
    gateway.vm_action("resume", vm_id)


def _check_name_free(gateway, name):
    taken = next((image for image in gateway.image_page(mine=True).items if image.name == name),
                 None)
    if taken is not None:
        raise Conflict(f"You already have an image named {name!r} (image {taken.id}); "
                       "the machine was not stopped.")


def _wait_until_powered_off(gateway, vm_id):
    deadline = time.monotonic() + STOP_WAIT_SECONDS
    while True:
        vm = _read_if_possible(gateway, vm_id)
        if vm is not None and vm.state == POWEROFF:
            return
        if vm is not None and (vm.state != ACTIVE or vm.lcm_state not in ON_THE_WAY_TO_POWEROFF):
            raise Conflict(
                f"Machine {vm_id} was asked to stop but is now "
                f"{machine_state(vm.state, vm.lcm_state)} (OpenNebula "
                f"{vm_state_name(vm.state, vm.lcm_state)}); its disk was not saved.")
        if time.monotonic() >= deadline:
            raise BackendTimeout(
                f"Machine {vm_id} was asked to stop but had not stopped after "
                f"{STOP_WAIT_SECONDS:g} seconds; its disk was not saved. Capture it once it is "
                "STOPPED, or stop it with force.")
        time.sleep(POLL_SECONDS)


def _read_if_possible(gateway, vm_id):
    """The VM, or None when OpenNebula could not answer: the machine is on its way to
    POWEROFF whatever one read says, so the poll goes on."""
    try:
        return gateway.vm(vm_id)
    except (BackendError, BackendTimeout, BackendUnavailable):
        return None
