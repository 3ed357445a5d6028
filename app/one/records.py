"""Plain records the gateway hands to the services.

They are the only shape of OpenNebula data that leaves `app.one`: services never see pyone
objects or raw XML. Sizes stay in OpenNebula's units (MB) here; services convert to CIMI
units (KiB). A `template` is the object's TEMPLATE (or USER_TEMPLATE) as a dict: vector
attributes are dicts, repeated attributes are lists, every leaf is a string.
"""
from dataclasses import dataclass, field

_VOLATILE_DISK_TYPES = frozenset(("fs", "swap"))


@dataclass(frozen=True, slots=True)
class Owner:
    uid: int
    uname: str
    gid: int
    gname: str


@dataclass(frozen=True, slots=True)
class Permissions:
    """OpenNebula's nine permission bits, as 'um-' style triples would show them."""
    owner_use: bool = True
    owner_manage: bool = True
    owner_admin: bool = False
    group_use: bool = False
    group_manage: bool = False
    group_admin: bool = False
    other_use: bool = False
    other_manage: bool = False
    other_admin: bool = False

    @property
    def public(self):
        """CIMI 'public' visibility: any other user may use the object."""
        return self.other_use


@dataclass(frozen=True, slots=True)
class VmDisk:
    disk_id: int
    size_mb: int
    target: str = ""
    image_id: int | None = None
    image_name: str = ""
    type: str = ""            # OpenNebula DISK TYPE: FILE, BLOCK, fs, swap, CDROM ...
    format: str = ""          # raw, qcow2, swap ...
    fs: str = ""              # the file system a volatile disk was formatted with (ext4 ...)
    readonly: bool = False
    persistent: bool = False

    @property
    def volatile(self):
        """A disk with no image that oned formats itself (TYPE fs or swap)."""
        return self.image_id is None and self.type in _VOLATILE_DISK_TYPES


@dataclass(frozen=True, slots=True)
class VmNic:
    nic_id: int
    network_id: int | None
    network_name: str = ""
    ip: str = ""
    mac: str = ""


@dataclass(frozen=True, slots=True)
class VmHistory:
    seq: int
    hostname: str
    host_id: int
    stime: int
    etime: int
    action: int               # HISTORY/ACTION number (`app.one.history.VM_ACTIONS`)
    running_stime: int = 0    # RSTIME/RETIME: when the guest started and stopped running
    running_etime: int = 0


@dataclass(frozen=True, slots=True)
class VmSnapshot:
    snapshot_id: int
    name: str
    time: int


@dataclass(frozen=True, slots=True)
class VmDiskSnapshot:
    disk_id: int
    snapshot_id: int
    name: str
    date: int
    size_mb: int = 0
    active: bool = False      # the snapshot the disk is based on now


@dataclass(frozen=True, slots=True)
class Vm:
    id: int
    name: str
    owner: Owner
    permissions: Permissions
    state: int                # VM STATE number
    lcm_state: int            # LCM_STATE number
    cpu: float
    vcpu: int
    memory_mb: int
    stime: int
    etime: int
    disks: tuple = ()         # VmDisk
    nics: tuple = ()          # VmNic
    history: tuple = ()       # VmHistory, oldest first
    snapshots: tuple = ()     # VmSnapshot
    disk_snapshots: tuple = ()  # VmDiskSnapshot
    user_template: dict = field(default_factory=dict)
    template_id: int | None = None
    cpu_usage: float | None = None    # percent of one CPU at the last monitoring (vm.info)

    @property
    def hostname(self):
        return self.history[-1].hostname if self.history else ""


@dataclass(frozen=True, slots=True)
class ImageSnapshot:
    snapshot_id: int
    name: str
    date: int
    size_mb: int = 0


@dataclass(frozen=True, slots=True)
class Image:
    id: int
    name: str
    owner: Owner
    permissions: Permissions
    type: str                 # OS, CDROM, DATABLOCK, ...
    state: int                # image state number
    persistent: bool
    size_mb: int
    format: str
    path: str
    source: str
    regtime: int
    running_vms: int
    vm_ids: tuple = ()
    datastore_id: int = -1
    template: dict = field(default_factory=dict)
    snapshots: tuple = ()     # ImageSnapshot
    datastore: str = ""
    fs: str = ""              # the file system OpenNebula formatted a new datablock with


@dataclass(frozen=True, slots=True)
class VmTemplate:
    id: int
    name: str
    owner: Owner
    permissions: Permissions
    regtime: int
    template: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Document:
    id: int
    name: str
    owner: Owner
    permissions: Permissions
    type: int
    template: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Lease:
    ip: str
    mac: str
    vm_id: int | None


@dataclass(frozen=True, slots=True)
class Vnet:
    id: int
    name: str
    owner: Owner
    permissions: Permissions
    bridge: str = ""
    state: int = 1            # VNET state number (1 READY)
    leases: tuple = ()        # Lease (vn.info only: pool listings carry none)
    template: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    gid: int
    gname: str
    group_ids: tuple = ()
    template: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Datastore:
    id: int
    name: str
    owner: Owner
    permissions: Permissions
    type: int                 # 0 IMAGE_DS, 1 SYSTEM_DS, 2 FILE_DS, 3 BACKUP_DS
    ds_mad: str
    tm_mad: str
    state: int                # 0 READY, 1 DISABLED
    total_mb: int
    free_mb: int
    used_mb: int
    cluster_ids: tuple = ()
    template: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Host:
    id: int
    name: str
    state: int                # HOST state number (2 MONITORED, 3 ERROR, 4 DISABLED, 8 OFFLINE)
    cluster_id: int
    cluster: str
    im_mad: str
    vm_mad: str
    max_cpu: int              # percent, 100 per core
    max_mem_kb: int
    cpu_usage: int
    mem_usage_kb: int
    running_vms: int
    template: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Page:
    """A slice of a pool plus, when known, how many objects match in total."""
    items: tuple
    total: int | None = None
