"""Cloud-init contextualization as the StratusLab guide describes it.

A context is a list of `mimetype,file` pairs, written `ssh,KEY.pub#x-shellscript,run.sh` on the
command line. `ssh` pairs are public keys; a `none` pair is included literally as the whole
user data (the last one wins, the other scripts are then left out); any other pairs become the
parts of a MIME multipart message (`x-shellscript` is sent as text/x-shellscript).

`cimi prepare-context` writes the guide's context file:

    CONTEXT_METHOD=cloud-init
    CLOUD_INIT_AUTHORIZED_KEYS=<base64 of the keys, one per line>
    CLOUD_INIT_USER_DATA=<base64 of the gzipped user data>
"""
import base64
import gzip
import os
from dataclasses import dataclass
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

from cimi_client.client import CimiError

PAIR_SEPARATOR = "#"
SSH = "ssh"
LITERAL = "none"
METHOD = "CONTEXT_METHOD"
KEYS = "CLOUD_INIT_AUTHORIZED_KEYS"
USER_DATA = "CLOUD_INIT_USER_DATA"
CLOUD_INIT = "cloud-init"


@dataclass(frozen=True)
class Context:
    keys: tuple = ()
    user_data: bytes | None = None

    def with_keys(self, keys):
        known = list(self.keys)
        known.extend(key for key in keys if key not in known)
        return Context(tuple(known), self.user_data)


def parse_option(text):
    """`ssh,a.pub#x-shellscript,run.sh` -> [("ssh", "a.pub"), ("x-shellscript", "run.sh")]."""
    return [parse_pair(pair) for pair in text.split(PAIR_SEPARATOR) if pair.strip()]


def parse_pair(text):
    mimetype, comma, path = text.partition(",")
    if not comma or not mimetype.strip() or not path.strip():
        raise CimiError(f"{text!r} is not a mimetype,file pair (e.g. x-shellscript,run.sh).")
    return mimetype.strip(), path.strip()


def build(pairs):
    keys = tuple(read_key(path) for mimetype, path in pairs if mimetype == SSH)
    literal = [path for mimetype, path in pairs if mimetype == LITERAL]
    parts = [(mimetype, path) for mimetype, path in pairs if mimetype not in (SSH, LITERAL)]
    if literal:
        return Context(keys, _read(literal[-1]))
    if parts:
        return Context(keys, _multipart(parts))
    return Context(keys)


def read_key(path):
    key = _read(path).decode("utf-8", "replace").strip()
    if not key:
        raise CimiError(f"The SSH key file {path} is empty.")
    return key


def _multipart(parts):
    """Each part as text/<mimetype> ("text/" may be given or left out)."""
    message = MIMEMultipart()
    for mimetype, path in parts:
        subtype = mimetype.removeprefix("text/")
        part = MIMEText(_read(path).decode("utf-8", "replace"), subtype, "utf-8")
        part.add_header("Content-Disposition", "attachment", filename=Path(path).name)
        message.attach(part)
    return message.as_bytes()


def file_text(context):
    lines = [f"{METHOD}={CLOUD_INIT}"]
    if context.keys:
        lines.append(f"{KEYS}={_b64(chr(10).join(context.keys).encode())}")
    if context.user_data is not None:
        lines.append(f"{USER_DATA}={_b64(gzip.compress(context.user_data, mtime=0))}")
    return "\n".join(lines) + "\n"


def read_file(path):
    values = {}
    for number, line in enumerate(_read(path).decode("utf-8", "replace").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, equals, value = line.partition("=")
        if not equals:
            raise CimiError(f"{path}, line {number}: expected NAME=value.")
        values[name.strip()] = value.strip()
    if values.get(METHOD, CLOUD_INIT) != CLOUD_INIT:
        raise CimiError(f"{path} is a {values[METHOD]} context; only {CLOUD_INIT} is supported.")
    try:
        keys = base64.b64decode(values[KEYS]).decode().splitlines() if KEYS in values else []
        user_data = (gzip.decompress(base64.b64decode(values[USER_DATA]))
                     if USER_DATA in values else None)
    except (ValueError, OSError, EOFError) as error:
        raise CimiError(f"{path} holds a malformed value: {error}") from None
    return Context(tuple(key for key in keys if key.strip()), user_data)


def _read(path):
    """The file's bytes; `~` and `$VARIABLE`s are expanded, as the guide writes paths such
    as `ssh,$HOME/.ssh/id_rsa.pub` inside quotes where no shell expands them."""
    try:
        return Path(os.path.expandvars(path)).expanduser().read_bytes()
    except OSError as error:
        raise CimiError(f"Cannot read {path}: {error.strerror}.") from None


def _b64(data):
    return base64.b64encode(data).decode("ascii")
