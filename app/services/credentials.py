"""Credentials: users' SSH public keys, OpenNebula documents of type `documents.CREDENTIAL`.

The document's TEMPLATE holds PUBLIC_KEY (one or more OpenSSH keys, one per line, checked by
`schemas.credentials`), CIMI_DESCRIPTION, CIMI_PROPERTIES and the CIMI times. OpenNebula
creates documents with its default umask, so a credential is private to its owner: anyone
else is told it does not exist (404), and cannot launch a machine with it.

The user's default key: the credential whose property `default` is "true". Its key is written
to the OpenNebula user's own SSH_PUBLIC_KEY (USER/TEMPLATE), which is what OpenNebula itself
puts into a machine's context, and a machine created without a credential gets it from there
(`machine_context`). Marking a credential default unmarks the user's others; unmarking or
deleting it removes the key from the user's template, so a deleted key stops being injected.
"""
from app.errors import BadRequest, Forbidden, NotFound
from app.one.documents import CREDENTIAL
from app.one.metadata import PROPERTIES, description_of, encode_metadata, encode_properties, \
    properties_of
from app.one.storable import fitted_name, is_valid_name
from app.services import documents, links as paths
from app.services.listing import Listing, Pool, listed_pool
from app.services.rendering import edit_and_delete, without_empty

TYPE_NAME = "Credential"
PUBLIC_KEY = "PUBLIC_KEY"
USER_KEY = "SSH_PUBLIC_KEY"
DEFAULT_PROPERTY = "default"
DEFAULT_NAME = "ssh-key"


def list_credentials(ctx, query):
    """The caller's own credentials, newest first (an administrator sees others' with GET by
    id only)."""
    pool = Pool(lambda offset, size: ctx.gateway.document_page(CREDENTIAL, offset, size,
                                                               mine=True))
    listing = Listing(TYPE_NAME, "credentials", ctx.links.href(paths.CREDENTIALS))
    return listed_pool(query, listing, pool, lambda document: render(ctx, document))


def get_credential(ctx, credential_id):
    return render(ctx, _load(ctx.gateway, credential_id))


def create_credential(ctx, body):
    template = body["credentialTemplate"]
    values = {**template, **{key: body[key] for key in ("name", "description", "properties")
                             if key in body}}
    name = values.get("name") or _comment(values["publicKey"]) or DEFAULT_NAME
    return documents.created(ctx.gateway, CREDENTIAL, name, _attributes(values),
                             lambda credential_id: _made_default_if_marked(ctx, credential_id))


def update_credential(ctx, credential_id, body):
    """PUT: name, description, properties and publicKey; what the body leaves out is kept."""
    current = _load(ctx.gateway, credential_id)
    values = {"name": current.name, "description": description_of(current.template),
              "properties": properties_of(current.template),
              "publicKey": current.template.get(PUBLIC_KEY, ""), **body}
    documents.replace(ctx.gateway, current, values["name"], _attributes(values))
    updated = _load(ctx.gateway, credential_id)
    _apply_default(ctx, updated, was_default=_is_default(current))
    return render(ctx, updated)


def delete_credential(ctx, credential_id):
    current = _load(ctx.gateway, credential_id)
    ctx.gateway.document_delete(credential_id)
    if _is_default(current):
        _forget_user_key(ctx.gateway, current.template.get(PUBLIC_KEY, ""))


def public_key(ctx, credential_id, attribute):
    """The key(s) of a credential a MachineCreate names; BadRequest if the caller cannot use it."""
    try:
        return _load(ctx.gateway, credential_id).template.get(PUBLIC_KEY, "")
    except NotFound:
        raise BadRequest(f"{attribute} names no credential you can use.") from None


def render(ctx, document):
    href = ctx.links.href(paths.CREDENTIALS, document.id)
    return without_empty({
        **documents.common_attributes(TYPE_NAME, href, document),
        "publicKey": document.template.get(PUBLIC_KEY, ""),
        "owner": document.owner.uname,
        "operations": edit_and_delete(ctx, document.owner, document.permissions, href),
    })


def _made_default_if_marked(ctx, credential_id):
    """The new credential's document, once it is the user's key if it is marked default."""
    created = _load(ctx.gateway, credential_id)
    _apply_default(ctx, created, was_default=False)
    return render(ctx, created)


def _load(gateway, credential_id):
    """The credential, or NotFound also when it exists but belongs to someone else."""
    try:
        return gateway.document(credential_id, CREDENTIAL)
    except (NotFound, Forbidden):
        raise NotFound(f"Credential {credential_id} does not exist.") from None


def _attributes(values):
    return {PUBLIC_KEY: values["publicKey"],
            **encode_metadata(values.get("description"), values.get("properties", {}))}


def _comment(keys):
    """The first key's comment when it can serve as a name (shortened to fit), else ''."""
    first = keys.splitlines()[0].split(None, 2)
    comment = fitted_name(first[2].strip()) if len(first) == 3 else ""
    return comment if is_valid_name(comment) else ""


def _is_default(document):
    return properties_of(document.template).get(DEFAULT_PROPERTY) == "true"


def _apply_default(ctx, document, was_default):
    """Make the user's template follow the credential's `default` mark."""
    key = document.template.get(PUBLIC_KEY, "")
    if _is_default(document):
        _unmark_others(ctx.gateway, document.id)
        caller = ctx.gateway.whoami()
        ctx.gateway.user_update(caller.id, {USER_KEY: key}, merge=True)
    elif was_default:
        _forget_user_key(ctx.gateway, key)


def _unmark_others(gateway, credential_id):
    for other in documents.all_of(gateway, CREDENTIAL, mine=True):
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
