"""What a machine template may ask of the machine's context and networking at launch:
`credential` (an SSH key), `userData` (base64, handed to cloud-init) and `networkInterfaces`.

`LaunchContext` is mixed into the MachineCreate's machineTemplate; the MachineTemplate
declares the same fields (in its own attribute order), so both accept the same attributes with
the same checks.
"""
import base64
import re

from marshmallow import ValidationError, fields

from schemas.common import CimiBody, described, strict_base64
from schemas.credentials import CredentialChoice
from schemas.networks import network_interfaces_field

# EC2 and OpenStack bound user data at 16 KiB and 64 KiB; oned keeps it in the VM's template,
# so a bound well below the request size limit keeps VM documents reasonable.
MAX_USER_DATA_BYTES = 64 * 1024
_WHITE_SPACE = re.compile(r"\s+")


class UserData(fields.String):
    """Base64 text (line breaks allowed, as XML clients wrap it); loaded in canonical form."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = _WHITE_SPACE.sub("", super()._deserialize(value, attr, data, **kwargs))
        decoded = strict_base64(text)
        if decoded is None:
            raise ValidationError("Not valid base64: give the user data base64-encoded "
                                  "(RFC 4648 alphabet, padded).")
        if len(decoded) > MAX_USER_DATA_BYTES:
            raise ValidationError(f"At most {MAX_USER_DATA_BYTES} bytes of user data "
                                  f"(before encoding); this is {len(decoded)}.")
        return base64.b64encode(decoded).decode("ascii")


def credential_field():
    return fields.Nested(CredentialChoice, metadata=described(
        "The SSH public key put in the machine, as a Credential by reference or by value."))


def user_data_field():
    return UserData(metadata=described(
        "cloud-init user data, base64-encoded, given to the machine's context."))


class LaunchContext(CimiBody):
    credential = credential_field()
    userData = user_data_field()
    networkInterfaces = network_interfaces_field()
