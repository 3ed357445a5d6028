"""Hosts driven by the dummy drivers: capacity, placement accounting, host.* methods."""
import time

from . import auth
from .errors import allocate_failed
from .registry import Bool, Int, Str, on_start, pool_type, rpc
from .store import PoolObject, escape
from .template import Template

INIT, MONITORED, DISABLED, OFFLINE = 0, 2, 4, 8
DEFAULT_CLUSTER = (0, "default")
# The dummy monitoring probes' machine: 8 cores, 16 GiB (KB), 20 GiB of system datastore.
DUMMY_CPU = 800
DUMMY_MEMORY_KB = 16777216
DUMMY_DISK = {"free": 20480, "max": 20480, "used": 9720}
MONITOR_DELAY = 1.0
# Hosts are read by the users group through oned's default ACL, not by their bits.
HOST_PERMISSIONS = [1, 1, 0, 0, 0, 0, 0, 0, 0]


@pool_type("host", "host")
class Host(PoolObject):
    def __init__(self, name, im_mad, vm_mad, cpu=DUMMY_CPU, memory_kb=DUMMY_MEMORY_KB):
        super().__init__(name=name, permissions=HOST_PERMISSIONS)
        self.state = INIT
        self.prev_state = INIT
        self.im_mad = im_mad
        self.vm_mad = vm_mad
        self.cluster_id, self.cluster = DEFAULT_CLUSTER
        self.max_cpu = cpu
        self.max_mem = memory_kb
        self.cpu_usage = 0
        self.mem_usage = 0
        self.vms = []
        self.monitored_at = 0
        self.template = Template([
            ("ARCH", "x86_64"), ("CPUSPEED", "3200"), ("HOSTNAME", name), ("HYPERVISOR", "dummy"),
            ("IM_MAD", im_mad), ("MODELNAME", "Dummy(R) Core @ 3.2GHz"), ("RESERVED_CPU", ""),
            ("RESERVED_MEM", ""), ("TOTALCPU", str(cpu)), ("TOTALMEMORY", str(memory_kb)),
            ("VM_MAD", vm_mad)])

    def fits(self, cpu_percent, memory_kb):
        return (self.state == MONITORED and self.cpu_usage + cpu_percent <= self.max_cpu
                and self.mem_usage + memory_kb <= self.max_mem)

    def share_xml(self):
        return (f"<HOST_SHARE><MEM_USAGE>{self.mem_usage}</MEM_USAGE><CPU_USAGE>{self.cpu_usage}</CPU_USAGE>"
                f"<TOTAL_MEM>{self.max_mem}</TOTAL_MEM><TOTAL_CPU>{self.max_cpu}</TOTAL_CPU>"
                f"<MAX_MEM>{self.max_mem}</MAX_MEM><MAX_CPU>{self.max_cpu}</MAX_CPU>"
                f"<RUNNING_VMS>{len(self.vms)}</RUNNING_VMS><VMS_THREAD>1</VMS_THREAD>"
                f"<DATASTORES><DISK_USAGE>0</DISK_USAGE><FREE_DISK>{DUMMY_DISK['free']}</FREE_DISK>"
                f"<MAX_DISK>{DUMMY_DISK['max']}</MAX_DISK><USED_DISK>{DUMMY_DISK['used']}</USED_DISK>"
                "</DATASTORES><PCI_DEVICES></PCI_DEVICES><NUMA_NODES></NUMA_NODES></HOST_SHARE>")

    def monitoring_xml(self):
        if not self.monitored_at:
            return "<MONITORING></MONITORING>"
        return (f"<MONITORING><TIMESTAMP>{self.monitored_at}</TIMESTAMP><ID>{self.id}</ID><CAPACITY>"
                f"<FREE_CPU>{self.max_cpu - self.cpu_usage}</FREE_CPU>"
                f"<FREE_MEMORY>{self.max_mem - self.mem_usage}</FREE_MEMORY>"
                f"<USED_CPU>{self.cpu_usage}</USED_CPU><USED_MEMORY>{self.mem_usage}</USED_MEMORY>"
                "</CAPACITY><SYSTEM><NETRX>0</NETRX><NETTX>0</NETTX></SYSTEM></MONITORING>")

    def render(self):
        vms = "".join(f"<ID>{vid}</ID>" for vid in self.vms)
        return (f"<HOST><ID>{self.id}</ID><NAME>{escape(self.name)}</NAME><STATE>{self.state}</STATE>"
                f"<PREV_STATE>{self.prev_state}</PREV_STATE><IM_MAD>{escape(self.im_mad)}</IM_MAD>"
                f"<VM_MAD>{escape(self.vm_mad)}</VM_MAD><CLUSTER_ID>{self.cluster_id}</CLUSTER_ID>"
                f"<CLUSTER>{escape(self.cluster)}</CLUSTER>{self.share_xml()}<VMS>{vms}</VMS>"
                f"{self.template.to_xml()}{self.monitoring_xml()}</HOST>")


def add_host(emulator, name, im_mad="dummy", vm_mad="dummy", cpu=DUMMY_CPU, memory_kb=DUMMY_MEMORY_KB):
    """A new host in INIT; the dummy monitor reports it MONITORED shortly after."""
    host = Host(name, im_mad, vm_mad, cpu, memory_kb)
    host_id = emulator.pool("host").add(host)
    _schedule_monitoring(emulator, host_id)
    return host


def _schedule_monitoring(emulator, host_id):
    def monitored():
        host = emulator.pool("host").find(host_id)
        if host is not None and host.state == INIT:
            mark_monitored(emulator, host)
    emulator.after(MONITOR_DELAY, monitored)


def mark_monitored(emulator, host):
    """The dummy monitor's first report: the host becomes MONITORED with fresh data."""
    host.prev_state, host.state = host.state, MONITORED
    host.monitored_at = int(time.time())
    emulator.pool("host").save(host)


@on_start
def resume_monitoring(emulator):
    for host in emulator.pool("host").values():
        if host.state == INIT:
            _schedule_monitoring(emulator, host.id)


def schedulable_host_ids(emulator):
    """The hosts oned's scheduler considers (monitored ones), by id."""
    return [host.id for host in emulator.pool("host").values() if host.state == MONITORED]


def place_vm(emulator, vm_id, cpu, memory_mb):
    """Reserve capacity on the first host that fits; None when none does (VM stays PENDING)."""
    cpu_percent, memory_kb = round(float(cpu) * 100), int(memory_mb) * 1024
    for host in emulator.pool("host").values():
        if host.fits(cpu_percent, memory_kb):
            reserve_host(emulator, host, vm_id, cpu, memory_mb)
            return host
    return None


def reserve_host(emulator, host, vm_id, cpu, memory_mb):
    host.cpu_usage += round(float(cpu) * 100)
    host.mem_usage += int(memory_mb) * 1024
    host.vms = sorted(set(host.vms) | {vm_id})
    emulator.pool("host").save(host)


def release_host(emulator, host_id, vm_id, cpu, memory_mb):
    """Give back what `place_vm`/`reserve_host` took for this VM."""
    host = emulator.pool("host").find(host_id)
    if host is None or vm_id not in host.vms:
        return
    host.cpu_usage = max(0, host.cpu_usage - round(float(cpu) * 100))
    host.mem_usage = max(0, host.mem_usage - int(memory_mb) * 1024)
    host.vms = [vid for vid in host.vms if vid != vm_id]
    emulator.pool("host").save(host)


@rpc("one.host.info", Int("id"), Bool("decrypt", False))
def host_info(call, oid, decrypt):
    host = call.pool("host").get(oid)
    auth.authorize(call.caller, host, auth.USE)
    return host.xml


@rpc("one.hostpool.info")
def hostpool_info(call):
    hosts = auth.page(auth.visible(call.caller, call.pool("host").values()))
    return auth.pool_xml("HOST_POOL", hosts)


@rpc("one.host.allocate", Str("hostname"), Str("im_mad"), Str("vmm_mad"), Int("cluster_id", -1))
def host_allocate(call, hostname, im_mad, vm_mad, cluster_id):
    auth.require_admin(call.caller, auth.CREATE, "HOST")
    existing = call.pool("host").by_name(hostname)
    if existing is not None:
        raise allocate_failed("host", f"NAME is already taken by HOST {existing.id}.")
    if cluster_id not in (-1, DEFAULT_CLUSTER[0]):
        raise allocate_failed("host", f"Error getting cluster [{cluster_id}].")
    return add_host(call.emulator, hostname, im_mad, vm_mad).id
