"""Credentials: users' SSH public keys, OpenNebula documents of type `documents.CREDENTIAL`.

The document's TEMPLATE holds PUBLIC_KEY (one or more OpenSSH keys, one per line, checked by
`schemas.credentials`), CIMI_DESCRIPTION, CIMI_PROPERTIES and the CIMI times. OpenNebula
creates documents with its default umask, so a credential is private to its owner: anyone
else, an administrator too, is told it does not exist (404), and cannot launch a machine with
it.

The user's default key: the credential whose property `default` is "true". Its key is written
to the OpenNebula user's own SSH_PUBLIC_KEY (USER/TEMPLATE), which is what OpenNebula itself
puts into a machine's context, and a machine created without a credential gets it from there
(`machine_context`). Marking a credential default unmarks the user's others; unmarking or
deleting it removes the key from the user's template, so a deleted key stops being injected.

Creating, changing or deleting the default credential takes several calls; any that fails
undoes the others (the other credentials marked again, the user's key as it was). A new
default credential is also marked incomplete (`undo.INCOMPLETE`) with what it changes
(PRIOR_DEFAULTS, PRIOR_KEY) until its last call: if the server dies halfway, the next read
of the user's credentials after CIMI_RECOVERY_SECONDS undoes it the same way.
"""
from app.errors import DomainError, NotFound
from app.one import documents as document_types
from app.one.metadata import PROPERTIES, description_of, encode_metadata, encode_properties, \
    properties_of
from app.one.storable import fitted_name, is_valid_name
from app.services import documents, links
from app.services.document_resources import DocumentResource
from app.services.undo import incomplete_mark, is_abandoned, undone_on_failure
from schemas.credentials import CREDENTIAL

TYPE_NAME = CREDENTIAL.name
PUBLIC_KEY = "PUBLIC_KEY"
USER_KEY = "SSH_PUBLIC_KEY"
DEFAULT_PROPERTY = "default"
DEFAULT_NAME = "ssh-key"
PRIOR_DEFAULTS = "CIMI_PRIOR_DEFAULTS"
PRIOR_KEY = "CIMI_PRIOR_KEY"


def _stored(caller, values):
    return {PUBLIC_KEY: values["publicKey"],
            **encode_metadata(values.get("description"), values.get("properties", {}))}


def _shown(caller, document):
    return {"publicKey": key_of(document)}


def _recovered(caller, found):
    """The credentials but those a dead server left incomplete, which are undone here;
    undoing one marks others default again, so the rest are then read as they are now."""
    undone = [_abandoned(caller, document) for document in found]
    kept = [document for document in found if not is_abandoned(document.template)]
    if not any(undone):
        return kept
    fresh = []
    for document in kept:
        try:
            fresh.append(caller.gateway.document(document.id, document_types.CREDENTIAL))
        except NotFound:
            pass
    return fresh


resource = DocumentResource(CREDENTIAL, "credential", "credentials", links.CREDENTIALS,
                            document_types.CREDENTIAL, _stored, _shown, private=True,
                            followed=_recovered)


def create_credential(caller, body):
    template = body["credentialTemplate"]
    values = {**template, **{key: body[key] for key in ("name", "description", "properties")
                             if key in body}}
    values["name"] = values.get("name") or _comment(values["publicKey"]) or DEFAULT_NAME
    if values.get("properties", {}).get(DEFAULT_PROPERTY) != "true":
        return resource.create(caller, values)
    gateway, name, attributes = caller.gateway, values["name"], _stored(caller, values)
    prior = _prior_default(gateway)
    credential_id = documents.allocate(gateway, document_types.CREDENTIAL, name,
                                       {**attributes, **incomplete_mark(caller), **prior})
    with undone_on_failure(lambda: _rolled_back(gateway, credential_id, prior)):
        created = resource.stored_document(caller, credential_id)
        _apply_default(caller, created, was_default=False)
        documents.replace(gateway, created, name, attributes)
        return resource.get(caller, credential_id)


def update_credential(caller, credential_id, body):
    """PUT: name, description, properties and publicKey; what the body leaves out is kept.
    If a call fails, the credential, the others' marks and the user's key are put back."""
    gateway = caller.gateway
    current = resource.read(caller, credential_id)
    values = {"name": current.name, "description": description_of(current.template),
              "properties": properties_of(current.template),
              "publicKey": key_of(current), **body}
    prior = _prior_default(gateway)
    with undone_on_failure(lambda: _restored(gateway, current, values["name"], prior)):
        documents.replace(gateway, current, values["name"], _stored(caller, values))
        updated = resource.stored_document(caller, credential_id)
        _apply_default(caller, updated, was_default=_is_default(current))
        return resource.render(caller, updated)


def delete_credential(caller, credential_id):
    """The default credential's key leaves the user's template first, and comes back if the
    deletion fails."""
    gateway = caller.gateway
    current = resource.read(caller, credential_id)
    if not _is_default(current):
        gateway.document_delete(credential_id)
        return
    prior = _prior_default(gateway)
    with undone_on_failure(lambda: _user_key_restored(gateway, prior)):
        _forget_user_key(gateway, key_of(current))
        gateway.document_delete(credential_id)


def key_of(document):
    """The credential's key(s), one OpenSSH key per line."""
    return document.template.get(PUBLIC_KEY, "")


def _abandoned(caller, document):
    """True (and undone) for a default credential a dead server left incomplete."""
    return is_abandoned(document.template) and _rolled_back(caller.gateway, document.id,
                                                            document.template)


def _prior_default(gateway):
    """What making a credential default changes: the ids of the user's default credentials
    and the user's key, as attributes a new credential keeps until it is complete."""
    defaults = " ".join(str(document.id) for document in documents.all_of(
        gateway, document_types.CREDENTIAL, mine=True) if _is_default(document))
    prior = {PRIOR_DEFAULTS: defaults, PRIOR_KEY: gateway.whoami().template.get(USER_KEY, "")}
    return {name: value for name, value in prior.items() if value}


def _rolled_back(gateway, credential_id, prior):
    """Undo the creation of a default credential: the credentials it unmarked are marked
    again, the user's key is what it was, the credential is deleted. Each step is tried
    whatever the others do; True once the credential is gone."""
    _remarked(gateway, prior)
    _user_key_restored(gateway, prior)
    try:
        gateway.document_delete(credential_id)
    except DomainError:
        return False
    return True


def _restored(gateway, document, name_now, prior):
    """Undo a PUT: the credential as `document` was, the others' marks and the user's key."""
    documents.put_back(gateway, document, name_now)
    _remarked(gateway, prior)
    _user_key_restored(gateway, prior)


def _remarked(gateway, prior):
    for credential_id in prior.get(PRIOR_DEFAULTS, "").split():
        try:
            other = gateway.document(int(credential_id), document_types.CREDENTIAL)
            if not _is_default(other):
                properties = {**properties_of(other.template), DEFAULT_PROPERTY: "true"}
                gateway.document_update(other.id, {PROPERTIES: encode_properties(properties)},
                                        merge=True)
        except (DomainError, ValueError):
            pass


def _user_key_restored(gateway, prior):
    try:
        caller = gateway.whoami()
        key = prior.get(PRIOR_KEY) or None
        if caller.template.get(USER_KEY) != key:
            gateway.user_update(caller.id, {USER_KEY: key}, merge=True)
    except DomainError:
        pass


def _comment(keys):
    """The first key's comment when it can serve as a name (shortened to fit), else ''."""
    first = keys.splitlines()[0].split(None, 2)
    comment = fitted_name(first[2].strip()) if len(first) == 3 else ""
    return comment if is_valid_name(comment) else ""


def _is_default(document):
    return properties_of(document.template).get(DEFAULT_PROPERTY) == "true"


def _apply_default(caller, document, was_default):
    """Make the user's template follow the credential's `default` mark."""
    key = key_of(document)
    if _is_default(document):
        _unmark_others(caller.gateway, document.id)
        user = caller.gateway.whoami()
        caller.gateway.user_update(user.id, {USER_KEY: key}, merge=True)
    elif was_default:
        _forget_user_key(caller.gateway, key)


def _unmark_others(gateway, credential_id):
    for other in documents.all_of(gateway, document_types.CREDENTIAL, mine=True):
        if other.id != credential_id and _is_default(other):
            properties = properties_of(other.template)
            del properties[DEFAULT_PROPERTY]
            gateway.document_update(other.id, {PROPERTIES: encode_properties(properties)},
                                    merge=True)


def _forget_user_key(gateway, key):
    """Remove SSH_PUBLIC_KEY from the caller's template if it still holds `key` (a key the user
    set there by other means is left alone)."""
    caller = gateway.whoami()
    if caller.template.get(USER_KEY) == key:
        gateway.user_update(caller.id, {USER_KEY: None}, merge=True)

