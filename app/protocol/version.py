"""The CIMI specification version of every response (`CIMI-Specification-Version`).

This is the one place that decides it. A client may send the header with a comma-separated
list of the versions it accepts, each `major.minor[.update]`; a version without an update
accepts any update of that minor version. The answer names the version used: the first one
of the client's list this server speaks (it speaks one). When the client accepts none, the
request is refused with 400 before anything runs. Without the header, or with a blank one,
the server's own version is used.
"""
import re

from flask import request

from app.errors import BadRequest

SPECIFICATION_VERSION = "1.1.0"
HEADER = "CIMI-Specification-Version"
_VERSION = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*))?")


def response_version():
    return SPECIFICATION_VERSION


def check_request_version():
    """Run before every view: a 400 when the client accepts no version this server speaks."""
    requested = request.headers.get(HEADER, "")
    if not requested.strip():
        return
    accepted = [text.strip() for text in requested.split(",")]
    if not any(_speaks(version) for version in accepted):
        raise BadRequest(f"This server speaks CIMI {SPECIFICATION_VERSION}; the "
                         f"{HEADER} header accepts only {requested.strip()!r}.")


def _speaks(version):
    """Whether `version` (`major.minor[.update]`) names the version this server speaks."""
    match = _VERSION.fullmatch(version)
    if match is None:
        return False
    major, minor, update = match.groups()
    ours = SPECIFICATION_VERSION.split(".")
    return [major, minor] == ours[:2] and update in (None, ours[2])
