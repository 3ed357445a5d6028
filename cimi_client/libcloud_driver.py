"""An Apache Libcloud compute driver for any DMTF CIMI cloud (`pip install '.[libcloud]'`).

    from cimi_client.libcloud_driver import CimiNodeDriver
    driver = CimiNodeDriver("alice", secret,
                            ex_entry_point="https://cloud.example.org/cimi/cloudEntryPoint")
    size = next(size for size in driver.list_sizes() if size.name == "m1.small")
    image = next(image for image in driver.list_images() if image.name == "ttylinux")
    node = driver.create_node("web", size, image, auth=NodeAuthSSHKey(public_key))
    [(node, addresses)] = driver.wait_until_running([node])

Like the `cimi` command it starts from the Cloud Entry Point and follows the hrefs and
operations the server hands out: collections from the entry point, creations through a
collection's `add` operation, actions through the operations a resource offers. It speaks
libcloud's conventions: nodes are Machines (`Node.id` is the Machine's URI), sizes
MachineConfigurations, images MachineImages, volumes Volumes (hot-plugged through a machine's
`volumes` collection), and the cloud is one location.

Operations the server answers with a Job (reboot, start, stop, destroy, attach, detach,
destroy_volume) return True once their Job has succeeded; a Job that fails raises a
LibcloudError with the server's word on why. Every refusal of the server raises a
ProviderError (InvalidCredsError for wrong credentials) whose `value` is the server's CIMI
message and `http_code` its HTTP status.
"""
import base64
import json
import time
from urllib.parse import urlsplit

import requests
from libcloud.common.base import ConnectionUserAndKey, JsonResponse
from libcloud.common.types import InvalidCredsError, LibcloudError, ProviderError
from libcloud.compute.base import (
    Node, NodeDriver, NodeImage, NodeLocation, NodeSize, StorageVolume,
)
from libcloud.compute.types import NodeState, StorageVolumeState

from cimi_client.client import (
    ACTION, CIMI, JOB_ENDED, JOB_SUCCEEDED, JOB_URI_HEADER, MEDIA_TYPES, STATUS_MESSAGE,
    CimiError, every_member, failure_reason, offers_or_settled, operation_href, own_operation,
    shown, short_id, why,
)

PROVIDER = "cimi"
KIB_PER_MIB = 1024
KIB_PER_GIB = 1024 * 1024
DEFAULT_WAIT_SECONDS = 300
DEFAULT_POLL_SECONDS = 1.0
DEFAULT_HTTP_TIMEOUT = 30
VOLUME_READY = {"AVAILABLE", "IN_USE", "ERROR"}
DEFAULT_PORTS = {"http": 80, "https": 443}

# CIMI Machine states as libcloud's NodeStates; a state not listed is UNKNOWN.
NODE_STATES = {
    "CREATING": NodeState.PENDING,
    "STARTING": NodeState.STARTING,
    "STARTED": NodeState.RUNNING,
    "STOPPING": NodeState.STOPPING,
    "STOPPED": NodeState.STOPPED,
    "PAUSING": NodeState.STOPPING,
    "PAUSED": NodeState.PAUSED,
    "SUSPENDING": NodeState.STOPPING,
    "SUSPENDED": NodeState.SUSPENDED,
    "CAPTURING": NodeState.UPDATING,
    "RESTORING": NodeState.UPDATING,
    "DELETING": NodeState.TERMINATED,
    "DELETED": NodeState.TERMINATED,
    "ERROR": NodeState.ERROR,
    "FAILED": NodeState.ERROR,
}

# CIMI Volume states as libcloud's StorageVolumeStates; a state not listed is UNKNOWN.
VOLUME_STATES = {
    "CREATING": StorageVolumeState.CREATING,
    "AVAILABLE": StorageVolumeState.AVAILABLE,
    "IN_USE": StorageVolumeState.INUSE,
    "CAPTURING": StorageVolumeState.BACKUP,
    "DELETING": StorageVolumeState.DELETING,
    "ERROR": StorageVolumeState.ERROR,
}


class CimiResponse(JsonResponse):
    """A CIMI answer in JSON; a refusal raises with the server's CIMI message."""

    def success(self):
        return 200 <= self.status < 300

    def parse_body(self):
        return super().parse_body() or None

    def parse_error(self):
        message = self._message()
        if self.status == 401:
            raise InvalidCredsError(message, driver=self.connection.driver)
        raise ProviderError(message, self.status, driver=self.connection.driver)

    def _message(self):
        """The CIMI error's `message`; else the first line of a plain-text answer (a proxy's),
        else the status."""
        try:
            document = json.loads(self.body)
        except ValueError:
            document = None
        if isinstance(document, dict) and isinstance(document.get("message"), str):
            return document["message"]
        first_line = self.body.splitlines()[0].strip() if self.body else ""
        if first_line and not first_line.startswith("<"):
            return f"{self.status} {self.error}: {first_line}"
        return f"{self.status} {self.error}"


class CimiConnection(ConnectionUserAndKey):
    """HTTP Basic authentication with the user's own credentials, JSON both ways. Requests
    name the hrefs the server handed out; they may only lead to the entry point's server,
    which is the only one the credentials are sent to."""

    responseCls = CimiResponse
    timeout = DEFAULT_HTTP_TIMEOUT

    def add_default_headers(self, headers):
        credentials = f"{self.user_id}:{self.key}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(credentials).decode("ascii")
        headers["Accept"] = MEDIA_TYPES["json"]
        return headers

    def morph_action_hook(self, action):
        """The path (and query) of an href: an absolute one must be the entry point's server."""
        parts = urlsplit(action)
        if parts.scheme or parts.netloc:
            scheme = "https" if self.secure else "http"
            if (parts.scheme, parts.hostname, parts.port or DEFAULT_PORTS.get(parts.scheme)) \
                    != (scheme, self.host, int(self.port)):
                raise LibcloudError(f"The server sent a link to another server ({shown(action)}); "
                                    "the credentials are only sent to the Cloud Entry Point's.",
                                    driver=self.driver)
        return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


class CimiNodeDriver(NodeDriver):
    """libcloud's compute API over a CIMI Cloud Entry Point.

    `key` and `secret` are the user's name and password; `ex_entry_point` is the Cloud Entry
    Point URL (`http://127.0.0.1:8080/cimi/cloudEntryPoint` for `make run`). Waits for Jobs
    and for new volumes last at most `ex_wait_seconds`, checking every `ex_poll_seconds`;
    each HTTP request at most `timeout` seconds.
    """

    type = PROVIDER
    name = "DMTF CIMI"
    website = "https://www.dmtf.org/standards/cloud"
    connectionCls = CimiConnection
    features = {"create_node": ["ssh_key"]}
    NODE_STATE_MAP = NODE_STATES

    def __init__(self, key, secret=None, ex_entry_point=None,
                 ex_wait_seconds=DEFAULT_WAIT_SECONDS, ex_poll_seconds=DEFAULT_POLL_SECONDS,
                 **kwargs):
        if not ex_entry_point:
            raise ValueError("Give ex_entry_point, the Cloud Entry Point URL, e.g. "
                             "'https://cloud.example.org/cimi/cloudEntryPoint'.")
        self.entry_point_url = ex_entry_point
        self.wait_seconds = ex_wait_seconds
        self.poll_seconds = ex_poll_seconds
        self._entry_point = None
        super().__init__(key, secret, secure=urlsplit(ex_entry_point).scheme == "https",
                         **kwargs)

    def _ex_connection_class_kwargs(self):
        return {"url": self.entry_point_url}

    # --- nodes -----------------------------------------------------------------------------

    def list_nodes(self):
        return [self._node(machine) for machine in self._members("machines")]

    def create_node(self, name, size, image, location=None, auth=None, ex_userdata=None,
                    ex_volumes=(), ex_read_only_volumes=()):
        """A new Machine of `size` (a MachineConfiguration) from `image` (a MachineImage),
        with the SSH key of `auth` (a NodeAuthSSHKey), cloud-init user data `ex_userdata`
        (str or bytes) and the StorageVolumes `ex_volumes` (read-write) and
        `ex_read_only_volumes` attached. Returns the Node as soon as the cloud has it (see
        wait_until_running)."""
        template = {"machineConfig": {"href": size.id}, "machineImage": {"href": image.id}}
        auth = self._get_and_check_auth(auth)
        if auth:
            template["credential"] = {"publicKey": auth.pubkey}
        if ex_userdata is not None:
            data = ex_userdata.encode() if isinstance(ex_userdata, str) else ex_userdata
            template["userData"] = base64.b64encode(data).decode("ascii")
        volumes = [{"volume": {"href": volume.id}} for volume in ex_volumes]
        volumes += [{"volume": {"href": volume.id}, "readOnly": True}
                    for volume in ex_read_only_volumes]
        if volumes:
            template["volumes"] = volumes
        body = {"resourceURI": CIMI + "MachineCreate", "name": name,
                "machineTemplate": template}
        return self._node(self._created(self._create("machines", body)))

    def reboot_node(self, node):
        return self._act(node, "restart")

    def start_node(self, node):
        return self._act(node, "start")

    def stop_node(self, node, ex_force=False):
        """A graceful stop (`ex_force`: pull the plug)."""
        return self._act(node, "stop", force=ex_force)

    def destroy_node(self, node):
        machine = self._ready_for(node.id, "delete")
        return self._settled(self._request(own_operation(machine, "delete"), "DELETE"))

    # --- sizes, images, location -----------------------------------------------------------

    def list_sizes(self, location=None):
        return [self._size(configuration) for configuration in self._members("machineConfigs")]

    def list_images(self, location=None, ex_filter=None):
        """The MachineImages, or those matching a CIMI `$filter` such as "name='ttylinux'"."""
        params = {"$filter": ex_filter} if ex_filter else None
        return [NodeImage(image["id"], image.get("name", short_id(image["id"])), self,
                          extra=_extra(image, ("state", "description", "format", "owner",
                                               "size", "created")))
                for image in self._members("machineImages", params)]

    def list_locations(self):
        """The one location: the cloud of the entry point."""
        entry_point = self._cloud_entry_point()
        name = entry_point.get("name") or urlsplit(self.entry_point_url).hostname
        return [NodeLocation(entry_point.get("id", self.entry_point_url), name, "", self)]

    # --- volumes ---------------------------------------------------------------------------

    def list_volumes(self):
        return [self._volume(volume) for volume in self._members("volumes")]

    def create_volume(self, size, name, location=None, snapshot=None, ex_public=False,
                      ex_shareable=False):
        """An empty raw volume of `size` GiB; returned once it is ready to attach."""
        body = {"resourceURI": CIMI + "VolumeCreate", "name": name,
                "volumeTemplate": {"volumeConfig": {"capacity": size * KIB_PER_GIB,
                                                    "format": "raw"}}}
        if ex_public:
            body["visibility"] = "public"
        if ex_shareable:
            body["shareable"] = True
        created = self._created(self._create("volumes", body))
        ready = self._poll(created["id"], lambda volume: volume.get("state") in VOLUME_READY,
                           " or ".join(sorted(VOLUME_READY)))
        if ready["state"] == "ERROR":
            raise LibcloudError(f"Volume {ready['id']} is in ERROR{why(ready)}", driver=self)
        return self._volume(ready)

    def attach_volume(self, node, volume, device=None, ex_read_only=False):
        """Hot-plug the volume into the machine (on `device`, e.g. "vdb" or "/dev/vdb")."""
        machine = self._get(node.id)
        attachments = self._subcollection(machine, "volumes")
        body = {"resourceURI": CIMI + "MachineVolume", "volume": {"href": volume.id}}
        if device:
            body["initialLocation"] = device.removeprefix("/dev/")
        if ex_read_only:
            body["readOnly"] = True
        add = self._operation(self._get(attachments), "add", "attach")
        return self._settled(self._request(add, "POST", body))

    def detach_volume(self, volume, ex_node=None):
        """Hot-unplug the volume from `ex_node`, else from every machine that has it, one at a
        time (OpenNebula hot-plugs one disk at a time)."""
        machines = [self._get(ex_node.id)] if ex_node else self._members("machines")
        detached = False
        for machine in machines:
            if "volumes" not in machine:
                continue
            for attachment in self._members(self._subcollection(machine, "volumes")):
                if (attachment.get("volume") or {}).get("href") == volume.id:
                    self._settled(self._request(own_operation(attachment, "delete"), "DELETE"))
                    detached = True
        if not detached:
            where = f"machine {ex_node.id}" if ex_node else "any of your machines"
            raise LibcloudError(f"Volume {volume.id} is not attached to {where}.", driver=self)
        return True

    def destroy_volume(self, volume):
        current = self._get(volume.id)
        return self._settled(self._request(own_operation(current, "delete"), "DELETE"))

    # --- CIMI ------------------------------------------------------------------------------

    def _request(self, href, method="GET", body=None, params=None):
        headers = {"Content-Type": MEDIA_TYPES["json"]} if body is not None else {}
        data = json.dumps(body) if body is not None else None
        try:
            return self.connection.request(href, params=params, data=data, headers=headers,
                                           method=method)
        except requests.RequestException as failure:
            raise LibcloudError(f"Cannot reach {shown(self.entry_point_url)}: "
                                f"{failure_reason(failure)}", driver=self) from None

    def _get(self, href, params=None):
        return self._request(href, params=params).object or {}

    def _cloud_entry_point(self):
        if self._entry_point is None:
            self._entry_point = self._get(self.entry_point_url)
        return self._entry_point

    def _members(self, collection, params=None):
        """Every member of a collection named by its entry point key, or given by href."""
        if "/" in collection:
            return every_member(self._get, collection, params)
        return every_member(self._get, self._collection_href(collection), params)

    def _collection_href(self, collection):
        href = (self._cloud_entry_point().get(collection) or {}).get("href")
        if not href:
            raise LibcloudError(f"The cloud at {shown(self.entry_point_url)} offers no "
                                f"{collection} collection.", driver=self)
        return href

    def _subcollection(self, resource, key):
        href = (resource.get(key) or {}).get("href")
        if not href:
            raise LibcloudError(f"The server offers no {key} collection on {resource['id']}.",
                                driver=self)
        return href

    def _operation(self, resource, rel, what):
        try:
            return operation_href(resource, rel, what)
        except CimiError as error:
            raise LibcloudError(str(error), driver=self) from None

    def _create(self, collection, body):
        """POST a *Create body to the `add` operation of a collection (entry point key)."""
        listing = self._get(self._collection_href(collection), {"$first": 1, "$last": 1})
        return self._request(self._operation(listing, "add", collection), "POST", body)

    def _created(self, response):
        """The new resource: from the body when the server sends it, else read at `Location`
        once its Job (if any) has ended."""
        self._settled(response)
        if response.object and response.object.get("id"):
            return response.object
        location = response.headers.get("location")
        if not location:
            raise LibcloudError("The server created the resource but did not say where it is "
                                "(no Location).", driver=self)
        return self._get(location)

    def _act(self, node, action, **inputs):
        machine = self._ready_for(node.id, ACTION + action)
        body = {"resourceURI": CIMI + "Action", "action": ACTION + action, **inputs}
        return self._settled(self._request(self._operation(machine, ACTION + action, action),
                                           "POST", body))

    def _ready_for(self, href, rel):
        """The machine once it offers the operation `rel`, or once it has settled in a state
        that does not offer it (then the operation's absence is reported)."""
        machine = self._get(href)
        if not offers_or_settled(machine, rel):
            machine = self._poll(href, lambda document: offers_or_settled(document, rel),
                                 f"a {rel} operation")
        return machine

    def _settled(self, response):
        """True once the Job the server started for the request (if any) has succeeded."""
        job = response.headers.get(JOB_URI_HEADER.lower())
        if job:
            ended = self._poll(job, lambda document: document.get("state") in JOB_ENDED,
                               "the Job to end")
            if ended["state"] != JOB_SUCCEEDED:
                raise LibcloudError(ended.get(STATUS_MESSAGE)
                                    or f"Job {job} ended {ended['state']}.", driver=self)
        return True

    def _poll(self, href, done, awaited):
        deadline = time.monotonic() + self.wait_seconds
        while True:
            document = self._get(href)
            if done(document):
                return document
            if time.monotonic() >= deadline:
                raise LibcloudError(f"{href} is still {document.get('state')} after "
                                    f"{self.wait_seconds:g} s (waiting for {awaited})"
                                    f"{why(document)}", driver=self)
            time.sleep(self.poll_seconds)

    # --- CIMI resources as libcloud objects ------------------------------------------------

    def _node(self, machine):
        """A Machine as a Node, its CIMI attributes in `extra` as CIMI gives them (`state`,
        `cpu`, `memory` in KiB, ...). Its addresses are the ones the cloud gives its users to
        reach it, so all are public_ips (as libcloud's OpenNebula driver has them), which is
        what wait_until_running looks at by default."""
        extra = _extra(machine, ("state", "cpu", "memory", "host", "description",
                                 STATUS_MESSAGE, "properties", "created"))
        for key in ("machineImage", "machineConfig"):
            if (machine.get(key) or {}).get("href"):
                extra[key] = machine[key]["href"]
        return Node(machine["id"], machine.get("name", short_id(machine["id"])),
                    NODE_STATES.get(machine.get("state"), NodeState.UNKNOWN),
                    list(machine.get("ipAddresses") or ()), [], self, extra=extra)

    def _size(self, configuration):
        """A MachineConfiguration as a NodeSize: RAM in MiB, its non-swap disks in GiB, the
        CPUs and the swap (MiB) in `extra`."""
        disks = configuration.get("disks") or ()
        disk_kib = sum(disk.get("capacity", 0) for disk in disks if disk.get("format") != "swap")
        swap_kib = sum(disk.get("capacity", 0) for disk in disks if disk.get("format") == "swap")
        extra = _extra(configuration, ("cpu", "description"))
        extra["swap"] = swap_kib // KIB_PER_MIB
        return NodeSize(configuration["id"], configuration.get("name", configuration["id"]),
                        configuration.get("memory", 0) // KIB_PER_MIB, -(-disk_kib // KIB_PER_GIB),
                        None, None, self, extra=extra)

    def _volume(self, volume):
        """A Volume as a StorageVolume: size in GiB (rounded up)."""
        return StorageVolume(volume["id"], volume.get("name", short_id(volume["id"])),
                             -(-volume.get("capacity", 0) // KIB_PER_GIB), self,
                             VOLUME_STATES.get(volume.get("state"), StorageVolumeState.UNKNOWN),
                             extra=_extra(volume, ("state", "capacity", "owner", "visibility",
                                                   "shareable", "users", "created")))


def _extra(resource, keys):
    return {key: resource[key] for key in keys if key in resource}
