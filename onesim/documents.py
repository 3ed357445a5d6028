"""Generic documents (one.document.*): typed templates with oned's ownership and permissions."""
import xml.etree.ElementTree as ElementTree

from . import auth
from .common import managed, register_common_methods
from .errors import OneError, allocate_failed, internal_error, unwritable
from .names import MAX_NAME_BYTES, too_long
from .registry import Bool, Int, Str, pool_type, rpc
from .store import PoolObject, escape
from .template import Template, TemplateError

@pool_type("document", "document")
class Document(PoolObject):
    """oned writes a document's NAME into its XML unescaped (and checks the name only on
    rename): a name is stored when that XML is well-formed, and reads back as parsed."""

    def __init__(self, name, document_type, template, **owner):
        super().__init__(name=name, template=template, **owner)
        self.type = document_type

    def owner_xml(self):
        return (f"<ID>{self.id}</ID><UID>{self.uid}</UID><GID>{self.gid}</GID>"
                f"<UNAME>{escape(self.uname)}</UNAME><GNAME>{escape(self.gname)}</GNAME>"
                f"<NAME>{self.name}</NAME>")

    def writable(self):
        """Whether oned can write the document: a well-formed NAME, no `]]>` in a value."""
        try:
            ElementTree.fromstring(f"<NAME>{self.name}</NAME>")
        except ElementTree.ParseError:
            return False
        return not self.template.holds_cdata_end()

    def render(self):
        return (f"<DOCUMENT>{self.owner_xml()}<TYPE>{self.type}</TYPE>{self.permissions_xml()}"
                f"{self.lock_xml()}{self.template.to_xml()}</DOCUMENT>")


def _owner(caller):
    return {"uid": caller.uid, "gid": caller.gid, "uname": caller.name, "gname": caller.gname}


def _add(call, name, document_type, template):
    """DocumentPool::allocate: NAME defaults to "document-<id>"; failures are INTERNAL
    errors (document.clone wraps them)."""
    if too_long(name):
        raise internal_error(f"NAME is too long; max length is {MAX_NAME_BYTES} chars.")
    document = Document(name, document_type, template, **_owner(call.caller))
    if not document.writable():
        raise unwritable("Document")
    pool = call.pool("document")
    oid = pool.add(document)
    if not name:
        document.name = f"document-{oid}"
        pool.save(document)
    return oid


@rpc("one.document.allocate", Str("template"), Int("type"))
def document_allocate(call, text, document_type):
    try:
        template = Template.parse(text)
    except TemplateError as error:
        raise internal_error(str(error)) from error
    auth.authorize_create(call.caller, "document")
    name = template.get("NAME", "")
    template.remove("NAME")
    return _add(call, name, document_type, template)


@rpc("one.document.info", Int("id"), Bool("decrypt", False))
def document_info(call, oid, decrypt):
    document = call.pool("document").get(oid)
    auth.authorize(call.caller, document, auth.USE)
    return document.xml


@rpc("one.document.delete", Int("id"))
def document_delete(call, oid):
    document = managed(call, "document", oid)
    call.pool("document").drop(document)
    return oid


@rpc("one.document.clone", Int("id"), Str("name"))
def document_clone(call, oid, name):
    source = call.pool("document").get(oid)
    auth.authorize(call.caller, source, auth.USE)
    auth.authorize_create(call.caller, "document")
    try:
        return _add(call, name, source.type, source.template.copy())
    except OneError as error:
        raise allocate_failed("document", error.message) from error


@rpc("one.documentpool.info", Int("filter"), Int("start"), Int("end"), Int("type"))
def documentpool_info(call, filter_flag, start, end, document_type):
    documents = auth.select(call.caller, call.pool("document"), filter_flag, start, end,
                            keep=lambda document: document.type == document_type)
    return auth.pool_xml("DOCUMENT_POOL", documents)


register_common_methods("one.document", "document")
