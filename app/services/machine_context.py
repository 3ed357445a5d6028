"""What a machine template asks of a machine's contextualization and networking at launch.

- `networkInterfaces`: one NIC per interface, on the Network each names (checked usable by
  the caller). Without the attribute the machine gets one NIC on the default network (the
  lowest-numbered one the user may see), as a StratusLab machine got its public address. An
  empty list counts as none: XML cannot tell an empty list from a missing one.
- `credential` (an href to one of the caller's Credentials, or a publicKey by value): its keys
  become the CONTEXT's SSH_PUBLIC_KEY. Without one, SSH_PUBLIC_KEY is `$USER[SSH_PUBLIC_KEY]`,
  which OpenNebula replaces at instantiation with the user's own key (the default credential,
  see `credentials`), exactly as OpenNebula's own templates do; a MachineTemplate made without
  a credential thus gives each user who launches it that user's key.
- `userData`: base64 text, handed to cloud-init as CONTEXT USER_DATA with
  USERDATA_ENCODING=base64, unchanged (base64 holds no `$`, so OpenNebula's variable
  substitution in CONTEXT cannot touch it).
- NETWORK=YES: OpenNebula adds each NIC's address, gateway, mask and DNS to the context.

The credential chosen is remembered as CIMI_CREDENTIAL, so a MachineTemplate can show it.
"""
from app.services import credentials, links, networks
from app.services.documents import vectors

CREDENTIAL = "CIMI_CREDENTIAL"
USER_KEY_VARIABLE = f"$USER[{credentials.USER_KEY}]"
USER_DATA_ENCODING = "base64"


def launch_attributes(caller, choice, prefix=""):
    """NIC, CONTEXT (and CIMI_CREDENTIAL) attributes for a `machineTemplate`-shaped choice;
    `prefix` is where the choice sits in the request body, for error messages."""
    where = f"{prefix}." if prefix else ""
    attributes = {}
    nics = _nics(caller, choice, where + "networkInterfaces")
    if nics:
        attributes["NIC"] = nics
    key, credential_id = _key(caller, choice.get("credential"), where + "credential")
    if credential_id is not None:
        attributes[CREDENTIAL] = credential_id
    attributes["CONTEXT"] = context(key, choice.get("userData"))
    return attributes


def instantiate_overrides(caller, choice, template_attributes, prefix):
    """The attributes to merge over a VM template when a MachineCreate names a MachineTemplate
    and gives networkInterfaces, a credential or userData next to its href. OpenNebula's merge
    replaces an attribute whole, so the CONTEXT sent is the template's with the new values."""
    where = f"{prefix}."
    overrides = {}
    if choice.get("networkInterfaces"):
        overrides["NIC"] = _nics(caller, choice, where + "networkInterfaces")
    if "credential" in choice or "userData" in choice:
        vector = dict(next(iter(vectors(template_attributes.get("CONTEXT"))), {}))
        if "credential" in choice:
            key, credential_id = _key(caller, choice["credential"], where + "credential")
            vector["SSH_PUBLIC_KEY"] = key
            if credential_id is not None:
                overrides[CREDENTIAL] = credential_id
        vector.update(_user_data(choice.get("userData")))
        overrides["CONTEXT"] = vector
    return overrides


def context(key, user_data=None):
    """The CONTEXT vector for SSH keys (or the variable naming the user's own) and user data."""
    return {"NETWORK": "YES", "SSH_PUBLIC_KEY": key, **_user_data(user_data)}


def _user_data(user_data):
    return {"USER_DATA": user_data, "USERDATA_ENCODING": USER_DATA_ENCODING} if user_data else {}


def template_view(caller, attributes):
    """credential, userData and networkInterfaces of a VM template's attributes, as a
    MachineTemplate shows them."""
    vector = next(iter(vectors(attributes.get("CONTEXT"))), {})
    credential_id = attributes.get(CREDENTIAL)
    return {
        "credential": (caller.links.reference(links.CREDENTIALS, credential_id)
                       if credential_id else None),
        "userData": (vector.get("USER_DATA")
                     if vector.get("USERDATA_ENCODING") == USER_DATA_ENCODING else None),
        "networkInterfaces": [{"network": caller.links.reference(links.NETWORKS, nic["NETWORK_ID"])}
                              for nic in vectors(attributes.get("NIC"))
                              if nic.get("NETWORK_ID")],
    }


def _nics(caller, choice, attribute):
    if not choice.get("networkInterfaces"):
        network_id = networks.default_id(caller.gateway)
        return [] if network_id is None else [{"NETWORK_ID": network_id}]
    return [{"NETWORK_ID": networks.usable_id(caller, interface["network"]["href"],
                                              f"{attribute}[{index}].network.href")}
            for index, interface in enumerate(choice["networkInterfaces"])]


def _key(caller, credential, attribute):
    """(SSH_PUBLIC_KEY value, credential id or None)."""
    if credential is None:
        return USER_KEY_VARIABLE, None
    if "publicKey" in credential:
        return credential["publicKey"], None
    document = credentials.resource.referenced(caller, credential["href"], attribute + ".href")
    return credentials.key_of(document), document.id
