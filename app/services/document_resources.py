"""A CIMI resource kept as OpenNebula documents of one type, served the same way whatever the
resource: a resource gives its declaration (`app.protocol.model.Resource`), how a request body
is stored in the document's TEMPLATE and which attributes, beyond those every resource has, it
shows.

OpenNebula has no object for a hardware profile, a volume's sizing or a volume template, so
those resources are generic documents (`app.one.documents` names their types); ownership and
permissions are OpenNebula's own. A resource is expandable (`$expand`) as soon as it is made.
"""
from collections.abc import Callable
from dataclasses import dataclass

from app.errors import BadRequest, Forbidden, NotFound
from app.protocol.model import Resource
from app.services.documents import common_attributes, created, deleted, rendered, replaced
from app.services.listing import Listing, listed_documents
from app.services.references import expandable
from app.services.rendering import edit_and_delete


@dataclass(frozen=True)
class DocumentResource:
    resource: Resource      # the CIMI type's declaration, e.g. VolumeConfiguration's
    noun: str               # how messages name one, e.g. "volume configuration"
    collection: str         # the collection's member attribute, e.g. "volumeConfigurations"
    segment: str            # the collection's path segment (`app.services.links`)
    document_type: int
    stored: Callable        # (caller, body) -> the TEMPLATE attributes a create or PUT body gives
    shown: Callable         # (caller, document) -> the attributes this resource adds when shown

    def __post_init__(self):
        expandable(self.segment, self.get, self.get_many)

    def list(self, caller, query):
        listing = Listing(self.resource.name, self.collection, caller.links.href(self.segment))
        return listed_documents(caller, query, listing, self.document_type, self.render)

    def get(self, caller, document_id):
        return self.render(caller, caller.gateway.document(document_id, self.document_type))

    def get_many(self, caller, document_ids):
        """{id: rendered} of those of the ids the caller can see."""
        return rendered(caller, document_ids, self.document_type, self.render)

    def create(self, caller, body):
        return created(caller.gateway, self.document_type, body["name"], self.stored(caller, body),
                       lambda document_id: self.get(caller, document_id))

    def update(self, caller, document_id, body):
        """PUT: the body is the resource's whole new editable state."""
        return replaced(caller.gateway, self.document_type, document_id, body["name"],
                        self.stored(caller, body), lambda: self.get(caller, document_id))

    def delete(self, caller, document_id):
        """The document only: what it refers to belongs to its owners."""
        deleted(caller.gateway, self.document_type, document_id)

    def render(self, caller, document):
        href = caller.links.href(self.segment, document.id)
        return self.resource.document({
            **common_attributes(href, document),
            **self.shown(caller, document),
            "owner": document.owner.uname,
            "operations": edit_and_delete(caller, document.owner, document.permissions, href),
        })

    def referenced(self, caller, href, attribute):
        """The document `href` (the request's `attribute`) names, which the caller must be
        able to use: a 400 naming the attribute otherwise."""
        document_id = caller.links.id_in(href, self.segment, attribute)
        try:
            return caller.gateway.document(document_id, self.document_type)
        except (NotFound, Forbidden):
            raise BadRequest(f"{attribute} names no {self.noun} you can use.") from None
