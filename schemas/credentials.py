"""The Credential resource, and its bodies: CredentialCreate (POST to the credentials
collection) and Credential PUT, and the SSH public key check shared with credentials given by
value in a MachineCreate.

A credential holds one or more OpenSSH public keys, one per line, as OpenNebula's
SSH_PUBLIC_KEY does: `<type> <base64 blob> [comment]`. The blob must be a well-formed key of
the type the line names (its fields are read, not only its base64). A comment may not hold
`$`, because OpenNebula would read it as a variable in the machine's CONTEXT, nor what
OpenNebula cannot store (`]]>`, characters outside the Basic Multilingual Plane).
"""
import re
import struct

from marshmallow import ValidationError, fields, validates_schema

from app.one.storable import unstorable_part
from app.protocol.model import Resource
from schemas.common import (
    Attributes, CimiBody, CommonAttributes, described, href_field, owner_field, strict_base64,
)

MAX_KEYS = 32
MAX_KEY_LINE_LENGTH = 8192
MIN_RSA_BITS = 1024

# Key type -> the fields of its blob after the type string (RFC 4253, 5656, 8709; OpenSSH
# PROTOCOL.u2f for the security-key types).
_KEY_FIELDS = {
    "ssh-rsa": ("exponent", "modulus"),
    "ssh-ed25519": ("key",),
    "ecdsa-sha2-nistp256": ("curve", "point"),
    "ecdsa-sha2-nistp384": ("curve", "point"),
    "ecdsa-sha2-nistp521": ("curve", "point"),
    "sk-ssh-ed25519@openssh.com": ("key", "application"),
    "sk-ecdsa-sha2-nistp256@openssh.com": ("curve", "point", "application"),
}
_ED25519_KEY_BYTES = 32
_CURVES = {"ecdsa-sha2-nistp256": "nistp256", "ecdsa-sha2-nistp384": "nistp384",
           "ecdsa-sha2-nistp521": "nistp521", "sk-ecdsa-sha2-nistp256@openssh.com": "nistp256"}
_COMMENT_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f$]")


def check_public_keys(text):
    """The keys of `text` (one per line, blank lines ignored), each checked; ValidationError
    saying which line is wrong and why."""
    if not isinstance(text, str):
        raise ValidationError("Must be text: OpenSSH public keys, one per line.")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise ValidationError("Give at least one OpenSSH public key, like 'ssh-ed25519 AAAA... me@host'.")
    if len(lines) > MAX_KEYS:
        raise ValidationError(f"At most {MAX_KEYS} keys, one per line.")
    for number, line in enumerate(lines, start=1):
        where = f"key {number}: " if len(lines) > 1 else ""
        try:
            _check_key(line)
        except ValueError as problem:
            raise ValidationError(where + str(problem)) from None
    return "\n".join(lines)


def _check_key(line):
    if len(line) > MAX_KEY_LINE_LENGTH:
        raise ValueError(f"a key line may be at most {MAX_KEY_LINE_LENGTH} characters long.")
    parts = line.split(None, 2)
    key_type = parts[0]
    if key_type not in _KEY_FIELDS:
        raise ValueError(f"{_shown(key_type)} is not a supported key type; a key starts with "
                         f"one of {', '.join(_KEY_FIELDS)}.")
    if len(parts) < 2:
        raise ValueError(f"the {key_type} key has no base64 key data after its type.")
    blob = strict_base64(parts[1])
    if not blob:
        raise ValueError("the key data is not valid base64.")
    if len(parts) == 3 and _COMMENT_FORBIDDEN.search(parts[2]):
        raise ValueError("the comment after the key must not contain control characters or '$'.")
    unstorable = unstorable_part(parts[2]) if len(parts) == 3 else None
    if unstorable:
        raise ValueError(f"the comment after the key must not contain {unstorable!r}, which "
                         "OpenNebula cannot store.")
    _check_blob(key_type, blob)


def _check_blob(key_type, blob):
    strings = _ssh_strings(blob)
    if not strings or strings[0] != key_type.encode():
        inner = _shown(strings[0].decode("ascii", "replace")) if strings else "nothing"
        raise ValueError(f"the key data is for {inner}, not {key_type}.")
    names = _KEY_FIELDS[key_type]
    if len(strings) - 1 != len(names):
        raise ValueError(f"the {key_type} key data is malformed (it holds {len(strings) - 1} "
                         f"fields, a {key_type} key has {len(names)}).")
    values = dict(zip(names, strings[1:]))
    if "key" in values and len(values["key"]) != _ED25519_KEY_BYTES:
        raise ValueError(f"an Ed25519 key is {_ED25519_KEY_BYTES} bytes long, this one "
                         f"{len(values['key'])}.")
    if "curve" in values and values["curve"] != _CURVES[key_type].encode():
        raise ValueError(f"the {key_type} key data names another curve.")
    if "modulus" in values:
        bits = int.from_bytes(values["modulus"], "big").bit_length()
        if bits < MIN_RSA_BITS:
            raise ValueError(f"an RSA key needs at least {MIN_RSA_BITS} bits, this one has {bits}.")


def _ssh_strings(blob):
    """The length-prefixed strings a key blob is made of; ValueError if it is not one."""
    strings, offset = [], 0
    while offset < len(blob):
        if offset + 4 > len(blob):
            raise ValueError("the key data is truncated.")
        (length,) = struct.unpack(">I", blob[offset:offset + 4])
        offset += 4
        if offset + length > len(blob):
            raise ValueError("the key data is truncated.")
        strings.append(blob[offset:offset + length])
        offset += length
    return strings


def _shown(text):
    return repr(text[:40] + ("..." if len(text) > 40 else ""))


class PublicKeys(fields.String):
    """OpenSSH public keys, one per line; loaded as the checked lines joined by newlines."""

    def _deserialize(self, value, attr, data, **kwargs):
        return check_public_keys(super()._deserialize(value, attr, data, **kwargs))


class CredentialTemplateSchema(CommonAttributes):
    """`credentialTemplate` of a CredentialCreate, by value (there are no CredentialTemplates
    to refer to)."""

    href = href_field()
    publicKey = PublicKeys()

    @validates_schema
    def _by_value(self, data, **kwargs):
        if "href" in data:
            raise ValidationError("Credential templates are not kept on this server: give the "
                                  "credentialTemplate by value, with a publicKey.", "href")
        if "publicKey" not in data:
            raise ValidationError("A credential needs a publicKey.", "publicKey")


class CredentialCreateSchema(CommonAttributes):
    credentialTemplate = fields.Nested(CredentialTemplateSchema, required=True)


class CredentialAttributes(Attributes):
    """A Credential: a user's SSH public keys. A PUT sets name, description, properties and
    publicKey; attributes absent from the body keep their current values."""

    publicKey = PublicKeys(metadata=described("OpenSSH public keys, one per line."))
    owner = owner_field("credential")


CredentialUpdateSchema = CredentialAttributes

CREDENTIAL = Resource("Credential", CredentialAttributes,
                      "SSH public keys put into the machines launched with them.",
                      collection="credentials")


class CredentialChoice(CimiBody):
    """`credential` inside a machine template: an href to a Credential, or a key by value."""

    href = href_field()
    publicKey = PublicKeys()

    @validates_schema
    def _href_or_key(self, data, **kwargs):
        if ("href" in data) == ("publicKey" in data):
            raise ValidationError("Give the credential's href or a publicKey by value.")
