"""What every CIMI resource kept as an OpenNebula document does the same way.

Documents carry no times of their own, so their TEMPLATE holds CIMI_CREATED and CIMI_UPDATED
(epoch seconds), stamped here on allocation and on every replacement of the template.
"""
import time

from app.one.metadata import description_of, properties_of
from app.services.undo import tried_each, undone_on_failure
from app.services.rendering import iso_time

CREATED = "CIMI_CREATED"
UPDATED = "CIMI_UPDATED"


def all_of(gateway, document_type, mine=False):
    """Every document of the type the caller can see (only its own with `mine`), by id."""
    return sorted(gateway.document_page(document_type, mine=mine).items,
                  key=lambda document: document.id)


def allocate(gateway, document_type, name, attributes):
    """A new document holding `attributes`, stamped as created now; its id."""
    now = int(time.time())
    return gateway.document_allocate(
        document_type, {"NAME": name, **attributes, CREATED: now, UPDATED: now})


def created(gateway, document_type, name, attributes, finish):
    """`finish(id)` of a new document holding `attributes`; the document is deleted again
    when `finish` fails, so a failed creation leaves nothing behind."""
    document_id = allocate(gateway, document_type, name, attributes)
    with undone_on_failure(lambda: gateway.document_delete(document_id)):
        return finish(document_id)


def replaced(gateway, document_type, document_id, name, attributes, finish):
    """`finish()` once the document of that type and id (NotFound when there is none) is
    `replace`d; the document is put back as it was when `finish` fails."""
    current = gateway.document(document_id, document_type)
    replace(gateway, current, name, attributes)
    with undone_on_failure(lambda: put_back(gateway, current, name)):
        return finish()


def put_back(gateway, document, name_now):
    """Undo a `replace` that renamed `document` (as read before it) `name_now`: its name and
    template as they were, each tried whatever the other does."""
    tried_each(lambda: name_now != document.name and gateway.document_rename(document.id,
                                                                              document.name),
               lambda: replace(gateway, document, document.name, dict(document.template)))


def replace(gateway, document, name, attributes):
    """Give `document` a new name and a whole new template, keeping its creation time; the
    old name comes back if the template cannot be written."""
    created = document.template.get(CREATED) or int(time.time())
    renamed = name != document.name
    if renamed:
        gateway.document_rename(document.id, name)
    with undone_on_failure(lambda: renamed and gateway.document_rename(document.id,
                                                                       document.name)):
        gateway.document_update(
            document.id, {**attributes, CREATED: created, UPDATED: int(time.time())},
            merge=False)


def common_attributes(href, document):
    """The attributes every CIMI resource has, from a document, in the specification's order
    (id, name, description, created, updated, properties; the resourceURI is its type's)."""
    template = document.template
    return {
        "id": href,
        "name": document.name,
        "description": description_of(template),
        "created": iso_time(created_of(document)),
        "updated": iso_time(updated_of(document)),
        "properties": properties_of(template),
    }


def created_of(document):
    return epoch(document.template.get(CREATED))


def updated_of(document):
    return epoch(document.template.get(UPDATED))


def whole(text):
    """A template value as an int; 0 when it is missing or not a number."""
    try:
        return int(text)
    except (TypeError, ValueError):
        return 0


def epoch(text):
    return whole(text) or None


def as_list(value):
    """A template attribute that may be single or repeated, as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def vectors(value):
    """The vector attributes (dicts) among a single or repeated template attribute."""
    return [item for item in as_list(value) if isinstance(item, dict)]
