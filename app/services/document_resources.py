"""A CIMI resource kept as OpenNebula documents of one type, served the same way whatever the
resource: a resource gives its declaration (`app.protocol.model.Resource`) and only what
differs: how a request body is stored in the document's TEMPLATE, which attributes beyond the
common ones it shows, whether it is private, and what a read does first.

OpenNebula has no object for a hardware profile, a volume's sizing, a volume template, an SSH
key or a Job, so those resources are generic documents (`app.one.documents` names their
types); ownership and permissions are OpenNebula's own. A resource is expandable (`$expand`)
as soon as it is made.
"""
from collections.abc import Callable
from dataclasses import dataclass, replace

from app.errors import BadRequest, Forbidden, NotFound
from app.protocol.model import Resource
from app.protocol.responses import operation
from app.services.documents import all_of, common_attributes, created, replaced
from app.services.listing import Listing, Pool, listed_pool, owner_pushdown
from app.services.references import expandable, resolver
from app.services.rendering import edit_and_delete


def _nothing(caller, document):
    return {}


def _as_read(caller, found):
    return found


@dataclass(frozen=True)
class DocumentResource:
    resource: Resource      # the CIMI type's declaration, e.g. VolumeConfiguration's
    noun: str               # how messages name one, e.g. "volume configuration"
    collection: str         # the collection's member attribute, e.g. "volumeConfigurations"
    segment: str            # the collection's path segment (`app.services.links`)
    document_type: int
    # (caller, body) -> the TEMPLATE attributes a create or PUT body gives; None for a
    # resource only the server writes (a Job): no add, no edit.
    stored: Callable | None = None
    # (caller, document) -> the attributes this resource shows beyond the common ones (a
    # value given for a common one, such as a Job's `updated`, replaces it).
    shown: Callable = _nothing
    # Only its owner sees it: the collection lists the caller's own documents, and anyone
    # else's, an administrator's included, is a 404 like a missing one (never a 403 that
    # tells it exists).
    private: bool = False
    # (caller, documents) -> the documents as they are shown, in the same order: what a read
    # does first (a Job follows its target; a credential a dead server left half-made is
    # undone, and left out).
    followed: Callable = _as_read

    def __post_init__(self):
        expandable(self.segment, self.get, self.get_many)

    def list(self, caller, query):
        listing = Listing(self.resource.name, self.collection, caller.links.href(self.segment),
                          add=self.stored is not None)
        query, mine = (query, True) if self.private else owner_pushdown(caller.user_name, query)
        gateway = caller.gateway

        def page(offset, size):
            found = gateway.document_page(self.document_type, offset, size, mine=mine)
            return replace(found, items=tuple(self.followed(caller, found.items)))

        # Counted without following: a Job's target is looked up for its page only.
        pool = Pool(page, lambda at_least, guess: len(
            gateway.document_page(self.document_type, mine=mine).items))
        return listed_pool(query, listing, pool, lambda document: self.render(caller, document),
                           expand=resolver(caller))

    def get(self, caller, document_id):
        return self.render(caller, self.read(caller, document_id))

    def get_many(self, caller, document_ids):
        """{id: rendered} of those of the ids the caller can see, from one documentpool.info
        (the document pool has no call for a set of ids)."""
        wanted = set(document_ids)
        found = [document for document in all_of(caller.gateway, self.document_type,
                                                  mine=self.private)
                 if document.id in wanted]
        return {document.id: self.render(caller, document)
                for document in self.followed(caller, found)}

    def read(self, caller, document_id):
        """The document as it is shown; NotFound when the caller may not see it."""
        found = self.followed(caller, [self.stored_document(caller, document_id)])
        if not found:
            raise NotFound(f"{self.resource.name} {document_id} does not exist.")
        return found[0]

    def stored_document(self, caller, document_id):
        """The document as OpenNebula keeps it (Forbidden when the caller may not read a
        public resource's; NotFound for a private one's)."""
        try:
            document = caller.gateway.document(document_id, self.document_type)
        except Forbidden:
            if not self.private:
                raise
            document = None
        if document is None or not self._visible(caller, document):
            raise NotFound(f"{self.resource.name} {document_id} does not exist.")
        return document

    def create(self, caller, body):
        return created(caller.gateway, self.document_type, body["name"], self.stored(caller, body),
                       lambda document_id: self.get(caller, document_id))

    def update(self, caller, document_id, body):
        """PUT: the body is the resource's whole new editable state."""
        return replaced(caller.gateway, self.document_type, document_id, body["name"],
                        self.stored(caller, body), lambda: self.get(caller, document_id))

    def delete(self, caller, document_id):
        """The document only: what it refers to belongs to its owners."""
        self.stored_document(caller, document_id)
        caller.gateway.document_delete(document_id)

    def render(self, caller, document):
        href = caller.links.href(self.segment, document.id)
        common = {**common_attributes(href, document), "owner": document.owner.uname}
        declared = self.resource.fields
        return self.resource.document({
            **{name: value for name, value in common.items() if name in declared},
            **self.shown(caller, document),
            "operations": self._operations(caller, document, href),
        })

    def referenced(self, caller, href, attribute):
        """The document `href` (the request's `attribute`) names, which the caller must be
        able to use: a 400 naming the attribute otherwise."""
        document_id = caller.links.id_in(href, self.segment, attribute)
        try:
            return self.read(caller, document_id)
        except (NotFound, Forbidden):
            raise BadRequest(f"{attribute} names no {self.noun} you can use.") from None

    def _visible(self, caller, document):
        return not self.private or document.owner.uname == caller.user_name

    def _operations(self, caller, document, href):
        """edit and delete where OpenNebula may allow them; delete only for a resource only
        the server writes."""
        if self.stored is None:
            return [operation("delete", href)]
        return edit_and_delete(caller, document.owner, document.permissions, href)
