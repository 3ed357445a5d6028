"""Names and helpers the API tests share (`conftest` is not importable by name)."""
import time
from urllib.parse import urlsplit

from app.errors import Conflict, NotFound
from app.one import documents
from app.one.states import IMAGE_STATES
from app.services.storage_images import discard
from support import lanes
from support.lanes import STATE_WAIT_SECONDS

CIMI = "http://schemas.dmtf.org/cimi/1/"
ACTION = CIMI + "action/"
IMAGE_BEING_DELETED = next(number for number, name in IMAGE_STATES.items() if name == "DELETE")
OPENAPI_DOCUMENT = "/cimi/openapi.json"
HTTP_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")


def documented_routes(client):
    """(path, methods) of every operation of the server's OpenAPI document: every CIMI route
    (tests/api/test_openapi.py checks that), paths from the root with `{argument}`s."""
    document = client.get(OPENAPI_DOCUMENT).get_json()
    base = urlsplit(document["servers"][0]["url"]).path
    return sorted((base + path, sorted(method.upper() for method in operations
                                       if method.upper() in HTTP_METHODS))
                  for path, operations in document["paths"].items())


def terminate_all(one, vm_ids):
    """Terminate the VMs and wait until they are DONE, so no later test sees them change."""
    pending = set(vm_ids)
    deadline = time.monotonic() + STATE_WAIT_SECONDS
    while True:
        live = {vm.id for vm in one.vm_page().items} & pending
        if not live:
            return
        assert time.monotonic() < deadline, f"machines {sorted(live)} were never terminated"
        for vm_id in live:
            try:
                one.vm_action("terminate-hard", vm_id)
            except Conflict:
                pass   # in a transition (booting, already shutting down): try again shortly
        time.sleep(0.05)


def delete_images(one, image_ids):
    """Delete those of the images that still exist and are not being deleted already, and
    wait until they are gone: oned removes an image in the background (state DELETE) and
    keeps its name taken until then, so a later test reusing the name would be refused. An
    image still being copied (LOCKED) is waited for, as the server does to undo a creation."""
    for image in one.image_page().items:
        if image.id in image_ids and image.state != IMAGE_BEING_DELETED:
            try:
                discard(one, image.id)
            except NotFound:
                pass
    deadline = time.monotonic() + STATE_WAIT_SECONDS
    while left := {image.id for image in one.image_page().items} & set(image_ids):
        assert time.monotonic() < deadline, f"images {sorted(left)} were never deleted"
        time.sleep(0.05)


def deleted_in_the_background(cimi, result, href):
    """An image's DELETE: 202 with a Job; oned removes the image in the background, so it
    may show DELETING for a moment, and is gone (404) once the Job has succeeded."""
    assert result.status == 202, result.document
    job_href = result.headers["CIMI-Job-URI"]
    right_after = cimi.get(href)
    assert right_after.status == 404 or right_after.document["state"] == "DELETING"
    deadline = time.monotonic() + STATE_WAIT_SECONDS
    while (job := cimi.get(job_href).document)["state"] not in ("SUCCESS", "FAILED"):
        assert time.monotonic() < deadline, f"{job_href} never finished"
        time.sleep(0.05)
    assert (job["state"], job["action"]) == ("SUCCESS", "delete"), job
    assert cimi.get(href).status == 404
    return job


def public_network(request, opennebula, name, first_ip, size, **emulator_attributes):
    """The id of an IPv4 network of `size` addresses from `first_ip` that every user may use,
    made once per OpenNebula by oneadmin. The emulator has no vn.allocate: there it is made as
    its seed makes networks (`emulator_attributes`: its gateway and dns)."""
    if not opennebula.real:
        return _emulator_network(request.getfixturevalue("onesim_server"), name, first_ip, size,
                                 emulator_attributes)
    one = lanes.Rpc(opennebula.endpoint, opennebula.admin_session)
    template = (f'NAME="{name}"\nVN_MAD="dummy"\nBRIDGE="br0"\nNETWORK_MASK="255.255.255.0"\n'
                + "".join(f'{key.upper()}="{value}"\n'
                          for key, value in emulator_attributes.items())
                + f'AR=[TYPE="IP4", IP="{first_ip}", SIZE="{size}"]\n')
    with lanes.exclusive(opennebula, f"{name} network"):
        existing = {vnet.findtext("NAME"): int(vnet.findtext("ID"))
                    for vnet in one.pool("vnpool.info", -2, -1, -1)}
        if name in existing:
            return existing[name]
        network_id = one.call("vn.allocate", template, -1)
        one.call("vn.chmod", network_id, 1, 1, 0, 0, 0, 0, 1, 0, 0)
    return network_id


def _emulator_network(onesim_server, name, first_ip, size, attributes):
    from onesim.seed import PUBLIC_IMAGE_PERMISSIONS
    from onesim.vnets import create_vnet

    emulator = onesim_server.emulator
    with emulator.transaction():
        pool = emulator.pool("vnet")
        existing = {vnet.name: vnet for vnet in pool.values()}
        network = existing.get(name) or create_vnet(emulator, name, first_ip, size, **attributes)
        network.permissions = PUBLIC_IMAGE_PERMISSIONS
        pool.save(network)
    return network.id


# The OpenNebula document types a CIMI request may create (app.one.documents).
DOCUMENT_TYPES = (documents.MACHINE_CONFIGURATION, documents.VOLUME_CONFIGURATION,
                  documents.VOLUME_TEMPLATE, documents.CREDENTIAL, documents.JOB)
