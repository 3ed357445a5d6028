"""Hrefs of this server's resources: building them for documents and reading them back.

Services get a `Links` bound to the request's base URI instead of reading the request, so they
stay free of Flask. An href a client sends must name a resource of this server in the expected
collection; anything else (another host, another collection, a malformed id) is a BadRequest
naming the attribute, before any OpenNebula call is made.
"""
import re

from app.errors import BadRequest

MACHINES = "machines"
MACHINE_CONFIGURATIONS = "machineConfigs"
MACHINE_TEMPLATES = "machineTemplates"
MACHINE_IMAGES = "machineImages"
NETWORKS = "networks"
CREDENTIALS = "credentials"
ADDRESSES = "addresses"
VOLUMES = "volumes"
VOLUME_CONFIGURATIONS = "volumeConfigs"
VOLUME_TEMPLATES = "volumeTemplates"
VOLUME_IMAGES = "volumeImages"
EVENT_LOGS = "eventLogs"

# OpenNebula object ids are XML-RPC i4 values.
MAX_ID = 2**31 - 1
_ID = re.compile(r"^(0|[1-9][0-9]{0,9})$")


def parse_id(text):
    """The OpenNebula id an href's last segment holds, or None when it holds none."""
    if not _ID.match(text):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


class Links:
    def __init__(self, base_uri):
        self.base_uri = base_uri

    def href(self, *segments):
        return self.base_uri + "/".join(map(str, segments))

    def reference(self, *segments):
        return {"href": self.href(*segments)}

    def id_in(self, href, collection, attribute):
        """The id of the member of `collection` that `href` names (absolute, or relative to the
        base URI as CIMI allows)."""
        expected = f"{self.base_uri}{collection}/<id>"
        if not isinstance(href, str):
            raise BadRequest(f"{attribute} must be an href like {expected}.")
        relative = self._relative(href)
        if relative is None:
            raise BadRequest(f"{attribute} must name a resource of this server, like {expected}.")
        member = _member(relative)
        if member is None or member[0] != collection:
            raise BadRequest(f"{attribute} must be an href like {expected}, got {href!r}.")
        return member[1]

    def member(self, href):
        """(collection, id) of the member of one of this server's collections that `href`
        names as `id_in` reads it, else None: one look at an href whatever its collection."""
        relative = self._relative(href) if isinstance(href, str) else None
        return None if relative is None else _member(relative)

    def _relative(self, href):
        """`href` relative to the base URI; None when it is absolute elsewhere."""
        if href.startswith(self.base_uri):
            return href[len(self.base_uri):]
        if "://" in href or href.startswith("/"):
            return None
        return href


def _member(relative):
    head, _, tail = relative.partition("/")
    number = parse_id(tail)
    return None if number is None else (head, number)
