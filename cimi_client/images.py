"""Image commands: find machine images (the guide's chapter 8) and register new ones."""
from cimi_client.client import CIMI, CimiError, short_id
from cimi_client.commands import Arg, Command, created_href

KIB_PER_MIB = 1024
HEADERS = ("id", "state", "size(MB)", "format", "owner", "name")
READY = {"AVAILABLE", "ERROR"}


def describe_images(invocation):
    arguments = invocation.arguments
    params = {"$filter": arguments.filter} if arguments.filter else None
    found = invocation.chosen(invocation.client.members("machineImages", params),
                              "machine image", by_name=True)
    rows = [(short_id(image["id"]), image.get("state", "?"), _mib(image.get("size")),
             image.get("format", "-"), image.get("owner", "-"), image.get("name", ""))
            for image in found]
    details = [_details(image) for image in found] if arguments.verbose else ()
    invocation.output.table(HEADERS, rows, found, [short_id(image["id"]) for image in found],
                            details)


def register_image(invocation):
    """POST a MachineImage with its imageLocation; prints `IMAGE <id>`."""
    arguments, client = invocation.arguments, invocation.client
    body = {"resourceURI": CIMI + "MachineImage", "type": "IMAGE",
            "imageLocation": arguments.url, "name": arguments.name or _name_from(arguments.url)}
    if arguments.description:
        body["description"] = arguments.description
    answer = client.create("machineImages", body)
    href = created_href(answer, "The server registered the image but did not say where it is "
                                "(no Location).")
    image = answer.document if answer.document and answer.document.get("id") else None
    if arguments.wait:
        image = invocation.settled(answer, READY, href, "image")
        if image["state"] != "AVAILABLE":
            raise CimiError(f"Image {short_id(href)} is {image['state']}, not AVAILABLE.")
    invocation.output.record(image or {"id": href}, short_id(href), f"IMAGE {short_id(href)}")


def _name_from(url):
    return url.rstrip("/").rpartition("/")[2] or url


def _text(value):
    """A reference as its href (imageLocation may be one), anything else as it is."""
    return value["href"] if isinstance(value, dict) and "href" in value else value


def _mib(kib):
    return kib // KIB_PER_MIB if isinstance(kib, int) else "-"


def _details(image):
    lines = [f"{key}: {_text(image[key])}"
             for key in ("description", "created", "imageLocation", "type") if image.get(key)]
    lines += [f"property {key}: {value}"
              for key, value in sorted(image.get("properties", {}).items())]
    return lines


COMMANDS = (
    Command("describe-images", describe_images, "list machine images",
            "List the machine images you can use: id, state, size, format, owner, name. "
            "--filter takes a CIMI $filter, e.g. \"name='ttylinux'\" or \"state='AVAILABLE'\".", (
                Arg("ids", nargs="*", metavar="ID", help="image id or name (default: all)"),
                Arg("--filter", metavar="EXPR", help="CIMI $filter expression"),
            )),
    Command("register-image", register_image, "register an image from a URL",
            "Register a new machine image whose disk is at URL; prints `IMAGE <id>`.", (
                Arg("url", metavar="URL", help="where the image's disk is (http(s) URL or path)"),
                Arg("--name", help="image name (default: the URL's file name)"),
                Arg("--description", help="image description"),
                Arg("--wait", action="store_true", help="wait until the image is AVAILABLE"),
            )),
)
