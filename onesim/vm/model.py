"""The VM object of the "vm" pool: oned's VirtualMachine with its history records.

Both pool bodies are kept ready: `xml` holds the extended body (vmpool.infoextended) and
`short_xml` the short one (vmpool.info); `pool.save(vm)` renders both again. one.vm.info
renders on demand because it adds the monitoring record, as oned does.
"""
import time

from ..registry import pool_type
from ..store import PoolObject
from . import render
from .states import LcmState, VmState, state_str

NO_REQUEST = -1


@pool_type("vm", "virtual machine")
class VirtualMachine(PoolObject):
    template_fields = ("template", "user_template")

    def __init__(self, name, caller, permissions, template, user_template):
        super().__init__(name=name, uid=caller.uid, gid=caller.gid, uname=caller.name,
                         gname=caller.gname, permissions=permissions, template=template)
        self.user_template = user_template
        self.last_poll = 0
        self.state = int(VmState.INIT)
        self.lcm_state = int(LcmState.LCM_INIT)
        self.prev_state = self.state
        self.prev_lcm_state = self.lcm_state
        self.resched = 0
        self.stime = int(time.time())
        self.etime = 0
        self.deploy_id = ""
        self.monitoring = []
        self.history = []
        self.disk_snapshots = {}
        # Where the VM is walking to (positions still ahead) and a counter that makes the
        # driver answers of an abandoned walk harmless.
        self.route = []
        self.route_generation = 0
        # The host whose capacity this VM holds, or -1.
        self.host_id = -1
        # The image a disksaveas is writing ({"image_id", "disk_id"}) until it is done.
        self.saving = None
        # The DISK_ID being hot-detached: it stays, marked ATTACH=YES, until the driver answers.
        self.detaching = None
        # A snapshot or disk operation the driver is working on (progress.begin/settle).
        self.in_progress = None
        # Submitted on hold: where a VM goes once its images are copied (CLONING).
        self.on_hold = False

    def render(self):
        return render.full_xml(self, for_info=False)

    def render_short(self):
        return render.short_xml(self)

    def info_xml(self):
        return render.full_xml(self, for_info=True)

    @property
    def position(self):
        return (VmState(self.state), LcmState(self.lcm_state))

    def state_name(self):
        return state_str(self.state, self.lcm_state)

    def move_to(self, position):
        # oned stores PREV_* as the state the object had when last written: after every
        # change they read the same as the current state (see the transcripts).
        state, lcm_state = position
        self.state, self.lcm_state = int(state), int(lcm_state)
        self.prev_state, self.prev_lcm_state = self.state, self.lcm_state

    # ---- history records (include/History.h) ------------------------------------------

    @property
    def current_history(self):
        return self.history[-1] if self.history else None

    def add_history(self, host, system_ds, now):
        record = {
            "OID": self.id, "SEQ": len(self.history), "HOSTNAME": host.name, "HID": host.id,
            "CID": host.cluster_id, "STIME": now, "ETIME": 0, "VM_MAD": host.vm_mad,
            "TM_MAD": system_ds.tm_mad, "DS_ID": system_ds.id, "PLAN_ID": -1, "ACTION_ID": 0,
            "PSTIME": 0, "PETIME": 0, "RSTIME": 0, "RETIME": 0, "ESTIME": 0, "EETIME": 0,
        }
        record.update(_no_action())
        self.history.append(record)
        return record

    def copy_history(self, now):
        """oned's cp_history: close the current record and open a copy on the same host."""
        previous = self.current_history
        previous["ETIME"] = now
        record = dict(previous)
        record.update({"SEQ": len(self.history), "STIME": now, "ETIME": 0, "PSTIME": 0,
                       "PETIME": 0, "RSTIME": now, "RETIME": 0, "ESTIME": 0, "EETIME": 0})
        record.update(_no_action())
        self.history.append(record)
        return record

    def set_history_action(self, action, caller, request_id):
        if self.history:
            self.current_history.update({"ACTION": int(action), "UID": caller.uid,
                                         "GID": caller.gid, "REQUEST_ID": request_id})

    def clear_history_action(self):
        if self.history:
            self.current_history.update(_no_action())

    def stamp_history(self, field, now, only_if_unset=False):
        record = self.current_history
        if record is not None and not (only_if_unset and record[field]):
            record[field] = now

    # ---- quotas (VirtualMachine::get_quota_template, is_running_quota) -----------------

    def holds_quota(self):
        return self.state != VmState.DONE

    def holds_running_quota(self):
        return (self.state in (VmState.PENDING, VmState.CLONING, VmState.CLONING_FAILURE, VmState.HOLD)
                or (self.state == VmState.ACTIVE and self.lcm_state not in _NOT_RUNNING_QUOTA))

    def system_disk_size(self):
        """MB the VM takes in the system datastore for its quota: volatile disks and images
        cloned there, with their snapshots (VirtualMachineDisk::system_ds_size), and its
        system snapshots."""
        total = sum(int(snapshot.get("SYSTEM_DISK_SIZE", "0") or 0) for snapshot in self.template.vectors("SNAPSHOT"))
        for disk in self.disks():
            target = disk.get("CLONE_TARGET") if disk.get("CLONE") == "YES" else disk.get("LN_TARGET")
            if "IMAGE_ID" not in disk or target == "SYSTEM":
                total += int(disk.get("SIZE", "0") or 0) + int(disk.get("DISK_SNAPSHOT_TOTAL_SIZE", "0") or 0)
        return total

    # ---- template views ---------------------------------------------------------------

    def disks(self):
        return [dict(value) for name, value in self.template.attributes if name == "DISK"]

    def nics(self):
        return [dict(value) for name, value in self.template.attributes if name == "NIC"]

    def disk(self, disk_id):
        for disk in self.disks():
            if disk.get("DISK_ID") == str(disk_id):
                return disk
        return None

    def replace_vectors(self, name, vectors):
        """Replace every `name` vector by `vectors` (dicts), keeping other attributes."""
        self.template.remove(name)
        for vector in vectors:
            self.template.add(name, list(vector.items()))


# ACTIVE states whose VM is not running for quotas: powered off, suspended, undeployed or
# stopped while a disk or NIC operation runs.
_NOT_RUNNING_QUOTA = frozenset({
    LcmState.HOTPLUG_SAVEAS_POWEROFF, LcmState.HOTPLUG_SAVEAS_SUSPENDED, LcmState.DISK_SNAPSHOT_POWEROFF,
    LcmState.DISK_SNAPSHOT_REVERT_POWEROFF, LcmState.DISK_SNAPSHOT_DELETE_POWEROFF,
    LcmState.DISK_SNAPSHOT_SUSPENDED, LcmState.DISK_SNAPSHOT_DELETE_SUSPENDED, LcmState.DISK_RESIZE_POWEROFF,
    LcmState.DISK_RESIZE_UNDEPLOYED, LcmState.HOTPLUG_NIC_POWEROFF, LcmState.HOTPLUG_SAVEAS_UNDEPLOYED,
    LcmState.HOTPLUG_SAVEAS_STOPPED, LcmState.HOTPLUG_PROLOG_POWEROFF, LcmState.HOTPLUG_EPILOG_POWEROFF})


def _no_action():
    return {"ACTION": 0, "UID": -1, "GID": -1, "REQUEST_ID": NO_REQUEST}
