"""OpenNebula XML documents -> records.

One lxml tree per answer and one pass over each object's children: a 10,000-VM pool is
parsed without pyone's generateDS bindings. Short pool bodies (`one.vmpool.info`) lack
PERMISSIONS, most of TEMPLATE and USER_TEMPLATE; missing elements give the record's
defaults (default permissions, empty strings, zeros), never an error.
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

_PERMISSION_TAGS = (
    ("OWNER_U", "owner_use"), ("OWNER_M", "owner_manage"), ("OWNER_A", "owner_admin"),
    ("GROUP_U", "group_use"), ("GROUP_M", "group_manage"), ("GROUP_A", "group_admin"),
    ("OTHER_U", "other_use"), ("OTHER_M", "other_manage"), ("OTHER_A", "other_admin"),
)
_DEFAULT_PERMISSIONS = Permissions()
# Owners and permission bits shared by the VMs that have the same (`_shared`); a bound, as a
# pool may have many owners.
_OWNERS, _PERMISSIONS, _DISKS = {}, {}, {}
_SHARED_AT_MOST = 1024
_VOLATILE_DISK_TYPES = frozenset(("fs", "swap"))


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


def _children(element):
    return {child.tag: child for child in element}


def _text(fields, tag):
    child = fields.get(tag)
    if child is None:
        return ""
    return child.text or ""


def _number(text, default=0):
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


def _int(fields, tag, default=0):
    return _number(_text(fields, tag), default)


def _optional_id(text):
    return _number(text, None) if text else None


def _owned(fields):
    """The id, name, owner and permissions every OpenNebula object with an owner carries."""
    return {"id": _int(fields, "ID", -1), "name": _text(fields, "NAME"), "owner": _owner(fields),
            "permissions": _permissions(fields.get("PERMISSIONS"))}


def _owner(fields):
    return Owner(uid=_int(fields, "UID", -1), uname=_text(fields, "UNAME"),
                 gid=_int(fields, "GID", -1), gname=_text(fields, "GNAME"))


def _permissions(element):
    if element is None:
        return _DEFAULT_PERMISSIONS
    fields = _children(element)
    return Permissions(**{name: _text(fields, tag) == "1" for tag, name in _PERMISSION_TAGS})


def _ids(element):
    """The numbers of an id list such as an image's VMS, which holds every VM using the
    image: 100,000 of them for the image of 100,000 machines. Plain integers are read in
    one `map(int, ...)`; any other text is read as `_number` reads it."""
    if element is None:
        return ()
    texts = [child.text for child in element]
    try:
        return tuple(map(int, texts))
    except (TypeError, ValueError):
        return tuple(_number(text, -1) for text in texts)


# --- VMs ---------------------------------------------------------------------------------
# A page of 1,000 extended VM bodies is some 80,000 elements, and each element Python touches
# costs (lxml makes an object for it, its tag and its text): a VM is read in one pass over
# its children, each DISK, NIC and HISTORY as one dict of texts, and what repeats from VM to
# VM (owners, permission bits) is built once.

def vm(element):
    fields = _children(element)
    disks, nics, snapshots = [], [], []
    cpu, vcpu, memory, template_id = "", "", "", None
    template = fields.get("TEMPLATE")
    for child in (template if template is not None else ()):
        tag = child.tag
        if tag == "DISK":
            disks.append(_shared_disk(_texts(child)))
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
        id=_int(fields, "ID", -1),
        name=_text(fields, "NAME"),
        owner=_shared_owner(fields),
        permissions=_shared_permissions(fields.get("PERMISSIONS")),
        state=_int(fields, "STATE"),
        lcm_state=_int(fields, "LCM_STATE"),
        cpu=float(cpu) if cpu else 0.0,
        vcpu=_number(vcpu, 1),
        memory_mb=_number(memory),
        stime=_int(fields, "STIME"),
        etime=_int(fields, "ETIME"),
        disks=tuple(disks),
        nics=tuple(nics),
        history=tuple(_history(_texts(h)) for h in history) if history is not None else (),
        snapshots=tuple(snapshots),
        disk_snapshots=tuple(_disk_snapshots(element)) if "SNAPSHOTS" in fields else (),
        user_template=template_dict(fields.get("USER_TEMPLATE")),
        template_id=template_id,
        cpu_usage=_cpu_usage(fields.get("MONITORING")),
    )


def _texts(element):
    """{tag: text} of an element's children (the last of a repeated tag; None when empty)."""
    return {child.tag: child.text for child in element}


def _shared_owner(fields):
    """The VM's Owner, one object for every VM of the same owner."""
    key = (_text(fields, "UID"), _text(fields, "UNAME"), _text(fields, "GID"),
           _text(fields, "GNAME"))
    return _shared(_OWNERS, key, lambda: _owner(fields))


def _shared_permissions(element):
    """The VM's Permissions, one object for every VM with the same PERMISSIONS."""
    if element is None:
        return _DEFAULT_PERMISSIONS
    return _shared(_PERMISSIONS, tuple([(child.tag, child.text) for child in element]),
                   lambda: _permissions(element))


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


def _shared_disk(texts):
    """The VmDisk of a DISK's texts, one object for the disks whose texts are all the same
    (machines launched from one template have such disks)."""
    return _shared(_DISKS, tuple(texts.items()), lambda: _disk(texts))


def _disk(texts):
    get = texts.get
    image_id = _optional_id(get("IMAGE_ID"))
    disk_type = get("TYPE") or ""
    return VmDisk(
        disk_id=_number(get("DISK_ID"), -1),
        size_mb=_number(get("SIZE")),
        target=get("TARGET") or "",
        image_id=image_id,
        image_name=get("IMAGE") or "",
        type=disk_type,
        format=get("FORMAT") or "",
        fs=get("FS") or "",
        readonly=get("READONLY") == "YES",
        persistent=get("PERSISTENT") == "YES",
        volatile=image_id is None and disk_type in _VOLATILE_DISK_TYPES,
    )


def _nic(texts):
    get = texts.get
    return VmNic(
        nic_id=_number(get("NIC_ID"), -1),
        network_id=_optional_id(get("NETWORK_ID")),
        network_name=get("NETWORK") or "",
        ip=get("IP") or "",
        mac=get("MAC") or "",
    )


def _vm_snapshot(texts):
    get = texts.get
    return VmSnapshot(snapshot_id=_number(get("SNAPSHOT_ID"), -1), name=get("NAME") or "",
                      time=_number(get("TIME")))


def _disk_snapshots(element):
    """The VM's SNAPSHOTS elements: one per disk that has snapshots."""
    for snapshots in element.iterchildren("SNAPSHOTS"):
        disk_id = _int(_children(snapshots), "DISK_ID", -1)
        for snapshot in snapshots.iterchildren("SNAPSHOT"):
            fields = _children(snapshot)
            yield VmDiskSnapshot(disk_id=disk_id, snapshot_id=_int(fields, "ID", -1),
                                 name=_text(fields, "NAME"), date=_int(fields, "DATE"),
                                 size_mb=_int(fields, "SIZE"),
                                 active=_text(fields, "ACTIVE") == "YES")


def _history(texts):
    get = texts.get
    return VmHistory(seq=_number(get("SEQ")), hostname=get("HOSTNAME") or "",
                     host_id=_number(get("HID"), -1), stime=_number(get("STIME")),
                     etime=_number(get("ETIME")), action=_number(get("ACTION")),
                     running_stime=_number(get("RSTIME")),
                     running_etime=_number(get("RETIME")))


# --- images, templates, documents ---------------------------------------------------------

def image(element):
    fields = _children(element)
    snapshots = fields.get("SNAPSHOTS")
    return Image(
        **_owned(fields),
        type=image_type_name(_int(fields, "TYPE")),
        state=_int(fields, "STATE"),
        persistent=_text(fields, "PERSISTENT") == "1",
        size_mb=_int(fields, "SIZE"),
        format=_text(fields, "FORMAT"),
        fs=_text(fields, "FS"),
        path=_text(fields, "PATH"),
        source=_text(fields, "SOURCE"),
        regtime=_int(fields, "REGTIME"),
        running_vms=_int(fields, "RUNNING_VMS"),
        vm_ids=_ids(fields.get("VMS")),
        datastore_id=_int(fields, "DATASTORE_ID", -1),
        template=template_dict(fields.get("TEMPLATE")),
        snapshots=tuple(_image_snapshot(_children(child)) for child in snapshots
                        if child.tag == "SNAPSHOT") if snapshots is not None else (),
        datastore=_text(fields, "DATASTORE"),
    )


def _image_snapshot(fields):
    return ImageSnapshot(snapshot_id=_int(fields, "ID", -1), name=_text(fields, "NAME"),
                         date=_int(fields, "DATE"), size_mb=_int(fields, "SIZE"))


def vm_template(element):
    fields = _children(element)
    return VmTemplate(
        **_owned(fields),
        regtime=_int(fields, "REGTIME"),
        template=template_dict(fields.get("TEMPLATE")),
    )


def one_document(element):
    fields = _children(element)
    return Document(
        **_owned(fields),
        type=_int(fields, "TYPE", -1),
        template=template_dict(fields.get("TEMPLATE")),
    )


# --- networks, users, infrastructure ---------------------------------------------------------

def vnet(element):
    fields = _children(element)
    return Vnet(
        **_owned(fields),
        bridge=_text(fields, "BRIDGE"),
        state=_int(fields, "STATE", -1),
        leases=tuple(_lease(_children(lease)) for lease in element.iterfind("AR_POOL/AR/LEASES/LEASE")),
        template=template_dict(fields.get("TEMPLATE")),
    )


def _lease(fields):
    return Lease(ip=_text(fields, "IP"), mac=_text(fields, "MAC"),
                 vm_id=_optional_id(_text(fields, "VM")))


def user(element):
    fields = _children(element)
    return User(
        id=_int(fields, "ID", -1),
        name=_text(fields, "NAME"),
        gid=_int(fields, "GID", -1),
        gname=_text(fields, "GNAME"),
        group_ids=_ids(fields.get("GROUPS")),
        template=template_dict(fields.get("TEMPLATE")),
    )


def datastore(element):
    fields = _children(element)
    return Datastore(
        **_owned(fields),
        type=_int(fields, "TYPE"),
        ds_mad=_text(fields, "DS_MAD"),
        tm_mad=_text(fields, "TM_MAD"),
        state=_int(fields, "STATE"),
        total_mb=_int(fields, "TOTAL_MB"),
        free_mb=_int(fields, "FREE_MB"),
        used_mb=_int(fields, "USED_MB"),
        cluster_ids=_ids(fields.get("CLUSTERS")),
        template=template_dict(fields.get("TEMPLATE")),
    )


def host(element):
    fields = _children(element)
    share = fields.get("HOST_SHARE")
    share_fields = _children(share) if share is not None else {}
    return Host(
        id=_int(fields, "ID", -1),
        name=_text(fields, "NAME"),
        state=_int(fields, "STATE"),
        cluster_id=_int(fields, "CLUSTER_ID", -1),
        cluster=_text(fields, "CLUSTER"),
        im_mad=_text(fields, "IM_MAD"),
        vm_mad=_text(fields, "VM_MAD"),
        max_cpu=_int(share_fields, "MAX_CPU"),
        max_mem_kb=_int(share_fields, "MAX_MEM"),
        cpu_usage=_int(share_fields, "CPU_USAGE"),
        mem_usage_kb=_int(share_fields, "MEM_USAGE"),
        running_vms=_int(share_fields, "RUNNING_VMS"),
        template=template_dict(fields.get("TEMPLATE")),
    )


def one(xml, build):
    """The record of a single-object answer."""
    return build(document(xml))


def pool(xml, build):
    """The records of a pool answer, in oned's order."""
    return tuple(build(element) for element in document(xml))
