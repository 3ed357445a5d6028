"""Volume commands: the guide's persistent disks (chapter 7) as CIMI Volumes and
MachineVolumes (a volume attached to a machine, in the machine's `volumes` collection)."""
from contextlib import contextmanager

from cimi_client.client import CIMI, GONE, CimiError, short_id
from cimi_client.commands import POSITIVE, Arg, Command, created_href, find, pick

KIB_PER_GIB = 1024 * 1024
READY = {"AVAILABLE", "ERROR"}
PUBLIC, PRIVATE = "public", "private"


def create_volume(invocation):
    """VolumeCreate with the size and tag, or holding the data image at --location; prints
    `DISK <id>` as the guide does."""
    arguments = invocation.arguments
    if (arguments.size is None) == (arguments.location is None):
        raise CimiError("Give --size GIB for an empty volume, or --location URL for a volume "
                        "holding the data image found there.")
    if arguments.location:
        with _data_image(invocation) as image_href:
            _create_volume(invocation, {"volumeImage": {"href": image_href}}, settle=True)
        return
    _create_volume(invocation, {"volumeConfig": {"capacity": arguments.size * KIB_PER_GIB,
                                                 "format": "raw"}}, settle=arguments.wait)


def _create_volume(invocation, template, settle):
    arguments, client = invocation.arguments, invocation.client
    body = {"resourceURI": CIMI + "VolumeCreate", "name": arguments.tag,
            "volumeTemplate": template}
    if arguments.public:
        body["visibility"] = PUBLIC
    if arguments.shareable:
        body["shareable"] = True
    answer = client.create("volumes", body)
    href = created_href(answer, "The server created the volume but did not say where it is "
                                "(no Location).")
    volume = answer.document if answer.document and answer.document.get("id") else {"id": href}
    if settle:
        volume = invocation.settled(answer, READY, href, "volume")
        if volume["state"] != "AVAILABLE":
            raise CimiError(f"DISK {short_id(href)} is {volume['state']}, not AVAILABLE.")
    invocation.output.record(volume, short_id(href), f"DISK {short_id(href)}")


@contextmanager
def _data_image(invocation):
    """The href of a VolumeImage registered from --location, once the cloud has fetched it;
    deleted when the volume copied from it is ready, or when anything fails (the volume is
    what the user asked for, the image only the way to it)."""
    arguments, client = invocation.arguments, invocation.client
    answer = client.create("volumeImages", {
        "resourceURI": CIMI + "VolumeImage", "name": f"{arguments.tag}-data",
        "imageLocation": arguments.location})
    href = created_href(answer, "The server registered the data image but did not say where "
                                "it is (no Location).")
    try:
        image = invocation.settled(answer, READY, href, "data image")
        if image["state"] != "AVAILABLE":
            raise CimiError(f"The data image at {arguments.location} is {image['state']}: "
                            "the cloud could not fetch it.")
        yield href
    finally:
        try:
            client.delete({"id": href})
        except CimiError as error:
            invocation.output.warn(f"The data image {short_id(href)} was left behind: {error}")


def describe_volumes(invocation):
    found = invocation.chosen(invocation.client.members("volumes"), "volume")
    for volume in found:
        invocation.output.record(volume, short_id(volume["id"]), "\n".join(_volume_lines(volume)))


def _volume_lines(volume):
    lines = [f":: DISK {short_id(volume['id'])}"]
    fields = (("created", volume.get("created")), ("state", volume.get("state")),
              ("visibility", volume.get("visibility")), ("shareable", volume.get("shareable")),
              ("tag", volume.get("name", "")),
              ("owner", volume.get("owner")), ("size", _gib(volume.get("capacity"))),
              ("users", volume.get("users")))
    lines += [f"    {label}: {str(value).lower() if isinstance(value, bool) else value}"
              for label, value in fields if value is not None]
    return lines


def update_volume(invocation):
    arguments, client = invocation.arguments, invocation.client
    if not (arguments.visibility or arguments.tag is not None or arguments.shareable is not None):
        raise CimiError("Say what to change: --public, --private, --tag NAME, --shareable or "
                        "--exclusive.")

    def update(identifier):
        volume = find(client, "volumes", identifier, "volume")
        changed = {key: value for key, value in volume.items() if key != "operations"}
        if arguments.tag is not None:
            changed["name"] = arguments.tag
        if arguments.visibility:
            changed["visibility"] = arguments.visibility
        if arguments.shareable is not None:
            changed["shareable"] = arguments.shareable
        answer = client.edit(volume, changed)
        updated = answer.document or changed
        invocation.output.record(updated, short_id(volume["id"]),
                                 f"UPDATED {short_id(volume['id'])}")

    invocation.each(arguments.ids, update)


def delete_volume(invocation):
    client = invocation.client
    volumes = client.members("volumes")

    def delete(identifier):
        volume = pick(volumes, identifier, "volume")
        answer = client.delete(volume)
        if invocation.arguments.wait:
            client.settle(answer, invocation.timeout, {GONE}, volume["id"])
        invocation.output.record({"id": volume["id"]}, short_id(volume["id"]),
                                 f"DELETED {short_id(volume['id'])}")

    invocation.each(invocation.arguments.ids, delete)


def attach_volume(invocation):
    """POST a MachineVolume to the machine's volumes; prints `ATTACHED <volume> in VM <m> on
    /dev/<device>`."""
    client, arguments = invocation.client, invocation.arguments
    machine = find(client, "machines", arguments.instance, "machine")
    attachments = _volumes_href(machine)
    volumes = client.members("volumes")

    def attach(identifier):
        volume = pick(volumes, identifier, "volume")
        body = {"resourceURI": CIMI + "MachineVolume", "volume": {"href": volume["id"]}}
        if arguments.readonly:
            body["readOnly"] = True
        answer = client.attach(attachments, body)
        attachment = _attachment(client, answer, invocation.timeout)
        invocation.output.record(
            attachment, short_id(volume["id"]),
            f"ATTACHED {short_id(volume['id'])} in VM {short_id(machine['id'])} on "
            f"{_device(attachment)}")

    invocation.each(arguments.ids, attach)


def detach_volume(invocation):
    """DELETE the MachineVolume; prints `DETACHED <volume> from VM <m> on /dev/<device>`."""
    client, arguments = invocation.client, invocation.arguments
    machine = find(client, "machines", arguments.instance, "machine")
    attachments = client.members(_volumes_href(machine))
    last = len(arguments.ids)

    def detach(numbered):
        position, identifier = numbered
        matching = [attachment for attachment in attachments
                    if identifier in (attachment.get("volume", {}).get("href"),
                                      short_id(attachment.get("volume", {}).get("href", "")))]
        if not matching:
            raise CimiError(
                f"DISK {identifier}: not attached to machine {short_id(machine['id'])}.")
        answer = client.delete(matching[0])
        # OpenNebula unplugs one disk at a time (the machine is in HOTPLUG meanwhile), so
        # each detach is waited for before the next one, as attach-volume does.
        if arguments.wait or position < last:
            client.settle(answer, invocation.timeout, {GONE}, matching[0]["id"])
        invocation.output.record(
            matching[0], identifier,
            f"DETACHED {identifier} from VM {short_id(machine['id'])} on {_device(matching[0])}")

    invocation.each(enumerate(arguments.ids, 1), detach)


def _volumes_href(machine):
    href = (machine.get("volumes") or {}).get("href")
    if not href:
        raise CimiError("The server offers no volumes collection on machine "
                        f"{short_id(machine['id'])}.")
    return href


def _attachment(client, answer, timeout):
    if answer.job:
        client.wait_for_job(answer.job, timeout)
    if answer.document and answer.document.get("id"):
        return answer.document
    if answer.location:
        return client.get(answer.location)
    raise CimiError("The server attached the volume but did not say where (no Location).")


def _device(attachment):
    location = attachment.get("initialLocation")
    if not location:
        return "an unknown device"
    return location if location.startswith("/") else f"/dev/{location}"


def _gib(kib):
    """GiB as the guide shows them: `1`, or `0.5` for sizes that are not whole GiB."""
    if not isinstance(kib, int):
        return None
    return kib // KIB_PER_GIB if kib % KIB_PER_GIB == 0 else round(kib / KIB_PER_GIB, 2)


IDS = Arg("ids", nargs="+", metavar="ID", help="volume id (or URI)")
INSTANCE = Arg("-i", "--instance", required=True, metavar="MACHINE", help="machine id")
WAIT = Arg("--wait", action="store_true", help="wait until the work is done, up to --timeout")

COMMANDS = (
    Command("create-volume", create_volume, "create a persistent disk",
            "Create a volume (persistent disk) of --size GiB, or holding the data image at "
            "--location (waited for), tagged --tag; private unless --public. Prints "
            "`DISK <id>`.", (
                Arg("--size", type=POSITIVE, metavar="GIB", help="size in GiB (an empty volume)"),
                Arg("--location", metavar="URL",
                    help="a data image (e.g. an ISO 9660 file system) the volume holds, "
                         "fetched from URL; with --shareable, many machines read it "
                         "(--readonly-disk)"),
                Arg("--tag", required=True, metavar="NAME", help="the volume's name"),
                Arg("--public", action="store_true", help="let other users use it"),
                Arg("--shareable", action="store_true",
                    help="let many machines use it at once, read-only (--readonly-disk)"),
                WAIT,
            )),
    Command("describe-volumes", describe_volumes, "list persistent disks",
            "List your volumes and other users' public ones: created, visibility, tag, "
            "owner, size (GiB), users.", (
                Arg("ids", nargs="*", metavar="ID", help="volume id (default: all)"),
            )),
    Command("update-volume", update_volume, "change a volume's visibility or tag",
            "Make volumes public or private, shareable or exclusive, or change their tag.", (
                IDS,
                Arg("--public", dest="visibility", action="store_const", const=PUBLIC,
                    help="make the volume public"),
                Arg("--private", dest="visibility", action="store_const", const=PRIVATE,
                    help="make the volume private"),
                Arg("--tag", metavar="NAME", help="new tag (name)"),
                Arg("--shareable", dest="shareable", action="store_const", const=True,
                    help="let many machines use it at once, read-only"),
                Arg("--exclusive", dest="shareable", action="store_const", const=False,
                    help="one machine at a time, read-write"),
            )),
    Command("delete-volume", delete_volume, "delete persistent disks",
            "Delete volumes (only your own); prints `DELETED <id>`.", (IDS, WAIT)),
    Command("attach-volume", attach_volume, "hot-plug volumes into a running machine",
            "Attach volumes to machine -i; prints `ATTACHED <volume> in VM <machine> on "
            "<device>`.", (
                INSTANCE, IDS,
                Arg("--readonly", action="store_true", help="attach read-only"),
            )),
    Command("detach-volume", detach_volume, "hot-unplug volumes from a machine",
            "Detach volumes from machine -i; prints `DETACHED <volume> from VM <machine> on "
            "<device>`.", (INSTANCE, IDS, WAIT)),
)
