"""SSH public keys and a second user for the credential, context and network tests."""
import base64
import os
import struct

import pytest

from second_user import second_user_session

# Made with ssh-keygen (ed25519; rsa -b 2048; ecdsa -b 384 without a comment).
ED25519_KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIM6YS7PiP/ny8Gs13vXpGJauxda6GuDzrVSv5CTN+rgv "
               "alice@laptop")
RSA_KEY = (
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQD20thzclVTDouCLvoTKXcj1GW/pYOEulNObJ0MRv9wvDx9am+cnDlq"
    "ymP189eGa/t1cbtK62Aq1u0Gd/domzgTIvrwxXhkVaFDlm5/+RuUOPPfCTu9SIboW08ZjTYc1kFpLqLI3p/4Ss28YBPI"
    "rxzEPAHqzIhxVC98lfMFOQqf27T3EnG2vAv/oaxRhCHesMstlS0FAZvUkT3R+ZM+h7uKmGe5QW/jb8hpQtD/Fkg8G8Ni"
    "OzOKVSMqnC9Ssmdpbdkgqp18mB7bTq58Blzrl8cJn8HIxREXW4Yno4NJNfA31wf1Q4BffBT5c+/NEQ38owUotW6hXbkm"
    "4dMzLmkLz50f bob@desk")
ECDSA_KEY = (
    "ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBMNaU9zRS6Su8MC7i1mT"
    "ewb/u6kY7+d6tT9LzUY2fZcppXn+7ZE6B0t0aPOntmFEa8PodI2nn+M5FTqnryzVWIHA1U5ItD/wrPiiCNIUGcGD+BqI"
    "xNnvHJzogqQ9VcnPWQ==")

def ssh_string(data):
    return struct.pack(">I", len(data)) + data


def blob_key(*fields, key_type="ssh-ed25519", comment="test@cimi"):
    """A key line whose blob holds `fields` after the type string (bytes each)."""
    blob = ssh_string(key_type.encode()) + b"".join(ssh_string(field) for field in fields)
    return f"{key_type} {base64.b64encode(blob).decode()} {comment}".strip()


def fresh_key(comment="test@cimi"):
    """A well-formed Ed25519 public key nobody else uses."""
    return blob_key(os.urandom(32), comment=comment)


def credential_create(key, **attributes):
    return {"resourceURI": "http://schemas.dmtf.org/cimi/1/CredentialCreate",
            **attributes, "credentialTemplate": {"publicKey": key}}


@pytest.fixture
def other_user(opennebula):
    """Another ordinary user's session."""
    return second_user_session(opennebula)
