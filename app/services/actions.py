"""CIMI Actions on a Machine: a POST of an Action to the machine, and the capture a
MachineImage POST asks for by naming a machine as its imageLocation.

Most actions are one `one.vm.action` under a Job (`machines.tracked_action`); capture, stop
with an `image`, snapshot and restore are carried out by `machine_capture` and
`machine_snapshots`. This module sits above the three, so none of them imports another to
dispatch.
"""
from app.errors import BadRequest, Conflict
from app.one.states import one_action_for
from app.protocol.names import ACTION_URI
from app.services import jobs, machine_capture, machine_snapshots, machines
from schemas.machines import ACTIONS

# Carried out by the capture and snapshot services rather than `one.vm.action`.
IMAGE_ACTIONS = ("capture", "snapshot", "restore")


def perform_action(caller, vm_id, body):
    """Start an OpenNebula operation for a CIMI Action body; the headers of the 202 answer:
    the URI of its Job, and the Location of the image or snapshot the action creates."""
    name = _action_name(body["action"])
    vm = machines.load(caller.gateway, vm_id)
    one_action = one_action_for(name, vm.state, vm.lcm_state, force=body["force"])
    if one_action is None:
        raise Conflict(machines.not_now(vm, name))
    if name in IMAGE_ACTIONS or "image" in body:
        return _image_action(caller, vm, name, one_action, body.get("image", {}))
    return jobs.job_header(machines.tracked_action(caller, vm, name, one_action))


def _image_action(caller, vm, name, one_action, image):
    """capture, snapshot, restore, and stop with the `image` to keep the disk in; the headers
    of the 202 answer: the Location of the image or snapshot created, if any, and its Job,
    which follows the new image (capture, stop with an image: recorded once OpenNebula made
    it) or the machine (snapshot, restore)."""
    if name == "capture":
        return machine_capture.capture(caller, vm, image)
    if name == "stop":
        return machine_capture.stop_and_save(caller, vm, one_action, image)
    if name not in ("snapshot", "restore"):
        raise BadRequest(f"The {name} action takes no image; capture, snapshot, restore and "
                         "stop do.")
    with jobs.tracked(caller, jobs.machine(vm), name, "settled") as job_uri:
        if name == "snapshot":
            location = machine_snapshots.take(caller, vm, one_action, image)
        else:
            location = machine_snapshots.restore(caller, vm, one_action, image)
    headers = jobs.job_header(job_uri)
    return {"Location": location, **headers} if location else headers


def _action_name(uri):
    name = uri[len(ACTION_URI):] if uri.startswith(ACTION_URI) else None
    if name not in ACTIONS:
        offered = ", ".join(ACTION_URI + action for action in ACTIONS)
        raise BadRequest(f"Unknown or unsupported machine action {uri!r}; machines accept {offered}.")
    return name


def capture_location(caller, vm_id, body):
    """A MachineImage POST whose imageLocation is a machine: that machine's capture action;
    the headers of the 202 answer."""
    unused = sorted({"persistent", "visibility", "device"} & set(body))
    if unused:
        raise BadRequest(f"A capture takes a name, description and properties; set {unused[0]} "
                         "with a PUT on the new image.")
    hints = {key: body[key] for key in ("name", "description", "properties") if key in body}
    return perform_action(
        caller, vm_id, {"action": ACTION_URI + "capture", "force": False, "image": hints})
