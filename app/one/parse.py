"""OpenNebula XML documents -> records.

One lxml tree per answer: a 10,000-VM pool is parsed without pyone's generateDS bindings.
Short pool bodies (`one.vmpool.info`) lack PERMISSIONS, most of TEMPLATE and USER_TEMPLATE;
missing elements give the record's defaults (default permissions, empty strings, zeros),
never an error.

Which element fills which record field is declared once per record, as data: a `Mapping`
of (record field, OpenNebula TAG, reader) rows, the readers a small fixed set (text, whole
number, optional id, YES and "1" flags, id list, template dict, nested records). What is
not plain data stays code and says why: an image's type name is derived (a disk's
volatility is the record's own property), and the VM, the hot path, is written out (`vm`): one pass over its children and
its TEMPLATE, its NICs, snapshots and history records read directly, its owner,
permissions and disks shared between VMs.
"""
import logging
import threading

from lxml import etree

from app.errors import BackendError
from app.one.records import (
    Datastore, Document, Host, Image, ImageSnapshot, Lease, Owner, Permissions, User, Vm,
    VmDisk, VmDiskSnapshot, VmHistory, VmNic, VmSnapshot, VmTemplate, Vnet,
)
from app.one.states import image_type_name
from app.one.storable import ENCODED, is_own_attribute, read_value

log = logging.getLogger(__name__)

_parsers = threading.local()

_DEFAULT_PERMISSIONS = Permissions()
# Owners, permission bits and disks shared by the VMs that have the same (`_shared`); a
# bound, as a pool may have many owners.
_SHARED_OWNERS, _SHARED_PERMISSIONS, _SHARED_DISKS = {}, {}, {}
_SHARED_AT_MOST = 1024


def xml_parser():
    """This thread's libxml2 parser: lxml serialises concurrent use of one parser object.

    oned's XML is trusted but still parsed without entity expansion or network access;
    huge_tree lifts libxml2's limits for very large pools (and their XML-RPC envelopes).
    """
    parser = getattr(_parsers, "parser", None)
    if parser is None:
        parser = _parsers.parser = etree.XMLParser(
            resolve_entities=False, no_network=True, huge_tree=True)
    return parser


def document(xml):
    """The root element of an XML answer."""
    if isinstance(xml, str):
        xml = xml.encode("utf-8")
    try:
        return etree.fromstring(xml, xml_parser())
    except etree.XMLSyntaxError as exc:
        log.warning("unreadable OpenNebula document: %s", exc)
        raise BackendError("OpenNebula sent an unreadable document.") from None


def one(xml, build):
    """The record of a single-object answer."""
    return build(document(xml))


def pool(xml, build):
    """The records of a pool answer, in oned's order."""
    return tuple(build(element) for element in document(xml))


# --- readers: how an element's text (or the element) becomes a field's value ----------------
# A text reader takes the element's text, None when the element is absent; a reader marked
# `_reads_element` takes the element itself (None when absent), for what has children.

def _reads_element(reader):
    reader.reads_element = True
    return reader


def _text(text):
    return text or ""


def _integer(text, default=0):
    """An integer from oned text; sizes sometimes come as decimals, which are truncated."""
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        try:
            return int(float(text))
        except ValueError:
            return default


def _whole_number(default=0):
    """The reader of an integer, `default` when absent, empty or unreadable."""
    return lambda text: _integer(text, default)


def _optional_id(text):
    """An object's id, None when there is none (a disk without an image, a free lease)."""
    return _integer(text, None) if text else None


def _yes_flag(text):
    return text == "YES"


def _one_flag(text):
    return text == "1"


@_reads_element
def _id_list(element):
    """The numbers of an id list such as an image's VMS, which holds every VM using the
    image: 100,000 of them for the image of 100,000 machines. Plain integers are read in
    one `map(int, ...)`; any other text is read as `_integer` reads it."""
    if element is None:
        return ()
    texts = [child.text for child in element]
    try:
        return tuple(map(int, texts))
    except (TypeError, ValueError):
        return tuple(_integer(text, -1) for text in texts)


@_reads_element
def template_dict(element):
    """A TEMPLATE-like element as a dict: vectors are dicts, repeats lists, leaves strings
    (the server's own attributes decoded, see `app.one.storable`)."""
    result = {}
    if element is None:
        return result
    for child in element:
        tag = child.tag
        if len(child):
            value = template_dict(child)
        else:
            value = child.text or ""
            if value.startswith(ENCODED) and is_own_attribute(tag):
                value = read_value(value)
        if tag not in result:
            result[tag] = value
        elif isinstance(result[tag], list):
            result[tag].append(value)
        else:
            result[tag] = [result[tag], value]
    return result


def _record(mapping, absent=None):
    """The reader of one nested record, `absent` when its element is missing."""
    return _reads_element(lambda element: absent if element is None else mapping(element))


def _records(path, mapping):
    """The reader of the records of the elements at `path` inside the element, in order."""
    return _reads_element(lambda element: () if element is None else tuple(
        mapping(child) for child in element.iterfind(path)))


def _image_type(text):
    """Derived: oned gives the number, the record the name `app.one.states` has for it."""
    return image_type_name(_integer(text))


class Mapping:
    """How a record is read from an OpenNebula element: one (record field, TAG, reader) row
    per field. TAG names a child of the element (the last one, were it repeated), or is a
    path read with `find` ("." for the element itself, "HOST_SHARE/MAX_CPU"). Calling the
    mapping with an element gives the record; fields it does not map are the record's
    defaults, or `given` by the caller."""

    __slots__ = ("record", "rows", "_by_tag", "_by_path")

    def __init__(self, record, *rows):
        self.record = record
        self.rows = rows
        self._by_tag = tuple((name, tag, read, hasattr(read, "reads_element"))
                             for name, tag, read in rows if not _is_path(tag))
        self._by_path = tuple((name, path, read, hasattr(read, "reads_element"))
                              for name, path, read in rows if _is_path(path))

    def __call__(self, element, **given):
        children = {child.tag: child for child in element}
        values = {}
        for name, tag, read, reads_element in self._by_tag:
            child = children.get(tag)
            values[name] = read(child if reads_element or child is None else child.text)
        for name, path, read, reads_element in self._by_path:
            child = element.find(path)
            values[name] = read(child if reads_element or child is None else child.text)
        return self.record(**values, **given)

    def without(self, *names):
        """The same mapping but for the fields `names`, which keep the record's defaults."""
        return Mapping(self.record, *[row for row in self.rows if row[0] not in names])


def _is_path(tag):
    return tag == "." or "/" in tag


# --- the mappings ------------------------------------------------------------------------------

_OWNER = Mapping(
    Owner,
    ("uid", "UID", _whole_number(-1)),
    ("uname", "UNAME", _text),
    ("gid", "GID", _whole_number(-1)),
    ("gname", "GNAME", _text),
)
_PERMISSIONS = Mapping(
    Permissions,
    ("owner_use", "OWNER_U", _one_flag),
    ("owner_manage", "OWNER_M", _one_flag),
    ("owner_admin", "OWNER_A", _one_flag),
    ("group_use", "GROUP_U", _one_flag),
    ("group_manage", "GROUP_M", _one_flag),
    ("group_admin", "GROUP_A", _one_flag),
    ("other_use", "OTHER_U", _one_flag),
    ("other_manage", "OTHER_M", _one_flag),
    ("other_admin", "OTHER_A", _one_flag),
)
# What every OpenNebula object with an owner carries: the owner's ids and names sit beside
# the object's own fields, hence ".".
_OWNED = (
    ("id", "ID", _whole_number(-1)),
    ("name", "NAME", _text),
    ("owner", ".", _record(_OWNER)),
    ("permissions", "PERMISSIONS", _record(_PERMISSIONS, absent=_DEFAULT_PERMISSIONS)),
)

_IMAGE_SNAPSHOT = Mapping(
    ImageSnapshot,
    ("snapshot_id", "ID", _whole_number(-1)),
    ("name", "NAME", _text),
    ("date", "DATE", _whole_number()),
    ("size_mb", "SIZE", _whole_number()),
)
image = Mapping(
    Image,
    *_OWNED,
    ("type", "TYPE", _image_type),
    ("state", "STATE", _whole_number()),
    ("persistent", "PERSISTENT", _one_flag),
    ("size_mb", "SIZE", _whole_number()),
    ("format", "FORMAT", _text),
    ("fs", "FS", _text),
    ("path", "PATH", _text),
    ("source", "SOURCE", _text),
    ("regtime", "REGTIME", _whole_number()),
    ("running_vms", "RUNNING_VMS", _whole_number()),
    ("vm_ids", "VMS", _id_list),
    ("datastore_id", "DATASTORE_ID", _whole_number(-1)),
    ("template", "TEMPLATE", template_dict),
    ("snapshots", "SNAPSHOTS", _records("SNAPSHOT", _IMAGE_SNAPSHOT)),
    ("datastore", "DATASTORE", _text),
)
# An image read for what it is, not for who uses it: its VMS (every VM using it, 100,000 ids
# for the image of 100,000 machines) is left unread, and `vm_ids` empty.
image_alone = image.without("vm_ids")
vm_template = Mapping(
    VmTemplate,
    *_OWNED,
    ("regtime", "REGTIME", _whole_number()),
    ("template", "TEMPLATE", template_dict),
)
one_document = Mapping(
    Document,
    *_OWNED,
    ("type", "TYPE", _whole_number(-1)),
    ("template", "TEMPLATE", template_dict),
)

_LEASE = Mapping(
    Lease,
    ("ip", "IP", _text),
    ("mac", "MAC", _text),
    ("vm_id", "VM", _optional_id),
)
vnet = Mapping(
    Vnet,
    *_OWNED,
    ("bridge", "BRIDGE", _text),
    ("state", "STATE", _whole_number(-1)),
    ("leases", "AR_POOL", _records("AR/LEASES/LEASE", _LEASE)),   # vn.info only
    ("template", "TEMPLATE", template_dict),
)
user = Mapping(
    User,
    ("id", "ID", _whole_number(-1)),
    ("name", "NAME", _text),
    ("gid", "GID", _whole_number(-1)),
    ("gname", "GNAME", _text),
    ("group_ids", "GROUPS", _id_list),
    ("template", "TEMPLATE", template_dict),
)
datastore = Mapping(
    Datastore,
    *_OWNED,
    ("type", "TYPE", _whole_number()),
    ("ds_mad", "DS_MAD", _text),
    ("tm_mad", "TM_MAD", _text),
    ("state", "STATE", _whole_number()),
    ("total_mb", "TOTAL_MB", _whole_number()),
    ("free_mb", "FREE_MB", _whole_number()),
    ("used_mb", "USED_MB", _whole_number()),
    ("cluster_ids", "CLUSTERS", _id_list),
    ("template", "TEMPLATE", template_dict),
)
host = Mapping(
    Host,
    ("id", "ID", _whole_number(-1)),
    ("name", "NAME", _text),
    ("state", "STATE", _whole_number()),
    ("cluster_id", "CLUSTER_ID", _whole_number(-1)),
    ("cluster", "CLUSTER", _text),
    ("im_mad", "IM_MAD", _text),
    ("vm_mad", "VM_MAD", _text),
    ("max_cpu", "HOST_SHARE/MAX_CPU", _whole_number()),
    ("max_mem_kb", "HOST_SHARE/MAX_MEM", _whole_number()),
    ("cpu_usage", "HOST_SHARE/CPU_USAGE", _whole_number()),
    ("mem_usage_kb", "HOST_SHARE/MEM_USAGE", _whole_number()),
    ("running_vms", "HOST_SHARE/RUNNING_VMS", _whole_number()),
    ("template", "TEMPLATE", template_dict),
)

# A VM's disks, built once for all the VMs with the same disk (`_shared_disk`); its NICs,
# snapshots and history records are written out, see `vm`.
_VM_DISK = Mapping(
    VmDisk,
    ("disk_id", "DISK_ID", _whole_number(-1)),
    ("size_mb", "SIZE", _whole_number()),
    ("target", "TARGET", _text),
    ("image_id", "IMAGE_ID", _optional_id),
    ("image_name", "IMAGE", _text),
    ("type", "TYPE", _text),
    ("format", "FORMAT", _text),
    ("fs", "FS", _text),
    ("readonly", "READONLY", _yes_flag),
    ("persistent", "PERSISTENT", _yes_flag),
)
# The disk_id of a disk snapshot is its enclosing SNAPSHOTS' DISK_ID (`_disk_snapshots`).
_VM_DISK_SNAPSHOT = Mapping(
    VmDiskSnapshot,
    ("snapshot_id", "ID", _whole_number(-1)),
    ("name", "NAME", _text),
    ("date", "DATE", _whole_number()),
    ("size_mb", "SIZE", _whole_number()),
    ("active", "ACTIVE", _yes_flag),
)


# --- VMs ---------------------------------------------------------------------------------
# A page of 1,000 extended VM bodies is some 80,000 elements, and each element Python touches
# costs (lxml makes an object for it, its tag and its text): a VM is read in one pass over
# its children, each DISK, NIC and HISTORY as one dict of texts, and what repeats from VM to
# VM (owners, permission bits, disks) is built once. So the VM is written out rather than
# mapped: its CPU, VCPU, MEMORY and TEMPLATE_ID are picked up in the one pass over TEMPLATE
# that collects its disks, NICs and snapshots. Its NICs, snapshots and history records, one
# or more per VM, are written out too: read through mappings they made a page of 1,000
# VMs with a NIC, a snapshot and three history records each 3% slower (172 ms of CPU
# against 168 ms); the records built once per owner, permissions or disk take the mappings.

def vm(element):
    fields = {child.tag: child for child in element}
    disks, nics, snapshots = [], [], []
    cpu, vcpu, memory, template_id = "", "", "", None
    template = fields.get("TEMPLATE")
    for child in (template if template is not None else ()):
        tag = child.tag
        if tag == "DISK":
            disks.append(_shared_disk(child))
        elif tag == "NIC":
            nics.append(_nic(_texts(child)))
        elif tag == "SNAPSHOT":
            snapshots.append(_vm_snapshot(_texts(child)))
        elif tag == "CPU":
            cpu = child.text
        elif tag == "VCPU":
            vcpu = child.text
        elif tag == "MEMORY":
            memory = child.text
        elif tag == "TEMPLATE_ID":
            template_id = _optional_id(child.text)
    history = fields.get("HISTORY_RECORDS")
    return Vm(
        id=_integer(_text_of(fields, "ID"), -1),
        name=_text_of(fields, "NAME"),
        owner=_shared_owner(element, fields),
        permissions=_shared_permissions(fields.get("PERMISSIONS")),
        state=_integer(_text_of(fields, "STATE")),
        lcm_state=_integer(_text_of(fields, "LCM_STATE")),
        cpu=float(cpu) if cpu else 0.0,
        vcpu=_integer(vcpu, 1),
        memory_mb=_integer(memory),
        stime=_integer(_text_of(fields, "STIME")),
        etime=_integer(_text_of(fields, "ETIME")),
        disks=tuple(disks),
        nics=tuple(nics),
        history=tuple(_history(_texts(h)) for h in history) if history is not None else (),
        snapshots=tuple(snapshots),
        disk_snapshots=tuple(_disk_snapshots(element)) if "SNAPSHOTS" in fields else (),
        user_template=template_dict(fields.get("USER_TEMPLATE")),
        template_id=template_id,
        cpu_usage=_cpu_usage(fields.get("MONITORING")),
    )


def _text_of(fields, tag):
    child = fields.get(tag)
    if child is None:
        return ""
    return child.text or ""


def _texts(element):
    """{tag: text} of an element's children (the last of a repeated tag; None when empty)."""
    return {child.tag: child.text for child in element}


def _shared_owner(element, fields):
    """The VM's Owner, one object for every VM of the same owner."""
    key = (_text_of(fields, "UID"), _text_of(fields, "UNAME"), _text_of(fields, "GID"),
           _text_of(fields, "GNAME"))
    return _shared(_SHARED_OWNERS, key, lambda: _OWNER(element))


def _shared_permissions(element):
    """The VM's Permissions, one object for every VM with the same PERMISSIONS."""
    if element is None:
        return _DEFAULT_PERMISSIONS
    return _shared(_SHARED_PERMISSIONS, _markup(element), lambda: _PERMISSIONS(element))


def _markup(element):
    """An element's own markup: the key of the records built once for equal elements. libxml2
    writes it in one call, where reading a DISK's twenty-odd children into a key made
    twenty-odd lxml objects (a page of 1,000 VMs with two disks each: 7 ms against 14)."""
    return etree.tostring(element, with_tail=False)


def _shared(built, key, build):
    """`built[key]`, built with `build()` once; at most _SHARED_AT_MOST records are kept."""
    record = built.get(key)
    if record is None:
        record = build()
        if len(built) >= _SHARED_AT_MOST:
            built.clear()
        built[key] = record
    return record


def _cpu_usage(monitoring):
    """MONITORING/CPU: percent of one CPU at the last poll. oned writes the record in
    vm.info only (pools carry an empty MONITORING), and none before the first poll."""
    text = monitoring.findtext("CPU") if monitoring is not None and len(monitoring) else None
    try:
        return float(text) if text else None
    except ValueError:
        return None


def _shared_disk(disk):
    """The VmDisk of a DISK, one object for the disks whose texts are all the same (machines
    launched from one template have such disks)."""
    return _shared(_SHARED_DISKS, _markup(disk), lambda: _VM_DISK(disk))


def _nic(texts):
    get = texts.get
    return VmNic(
        nic_id=_integer(get("NIC_ID"), -1),
        network_id=_optional_id(get("NETWORK_ID")),
        network_name=get("NETWORK") or "",
        ip=get("IP") or "",
        mac=get("MAC") or "",
    )


def _vm_snapshot(texts):
    get = texts.get
    return VmSnapshot(snapshot_id=_integer(get("SNAPSHOT_ID"), -1), name=get("NAME") or "",
                      time=_integer(get("TIME")))


def _history(texts):
    get = texts.get
    return VmHistory(seq=_integer(get("SEQ")), hostname=get("HOSTNAME") or "",
                     host_id=_integer(get("HID"), -1), stime=_integer(get("STIME")),
                     etime=_integer(get("ETIME")), action=_integer(get("ACTION")),
                     running_stime=_integer(get("RSTIME")),
                     running_etime=_integer(get("RETIME")))


def _disk_snapshots(element):
    """The VM's SNAPSHOTS elements: one per disk that has snapshots."""
    for snapshots in element.iterchildren("SNAPSHOTS"):
        disk_id = _integer(snapshots.findtext("DISK_ID"), -1)
        for snapshot in snapshots.iterchildren("SNAPSHOT"):
            yield _VM_DISK_SNAPSHOT(snapshot, disk_id=disk_id)
