"""A VM's documents as oned writes them: the full body (one.vm.info, infoextended) and
the short body of one.vmpool.info (VirtualMachine::to_xml_short), element for element.

Template attributes render sorted by name as oned's multimap stores them (vector leaves
sorted too, `Template.to_xml`); values are CDATA except where oned writes plain text.
"""
from ..store import escape
from ..template import cdata

# USER_TEMPLATE attributes kept in the short body (VirtualMachineTemplate::to_xml_short).
SHORT_USER_SINGLES = ("LABELS", "ERROR", "SCHED_MESSAGE", "SCHED_RANK", "SCHED_DS_RANK",
                      "SCHED_REQUIREMENTS", "SCHED_DS_REQUIREMENTS", "USER_PRIORITY")
SHORT_USER_VECTORS = ("PUBLIC_CLOUD", "SCHED_ACTION")
SHORT_DISK = ("DISK_ID", "DATASTORE", "DATASTORE_ID", "IMAGE", "IMAGE_ID", "SIZE", "TYPE",
              "CLONE", "CLONE_TARGET", "LN_TARGET", "DISK_SNAPSHOT_TOTAL_SIZE")
SHORT_NIC_OPTIONAL = ("IP", "EXTERNAL_IP", "IP6", "IP6_ULA", "IP6_LINK", "IP6_GLOBAL",
                      "NETWORK_MODE", "SCHED_REQUIREMENTS", "SCHED_RANK")
SHORT_NIC = ("MAC", "NETWORK", "NETWORK_ID", "NIC_ID", "SECURITY_GROUPS")

HISTORY_FULL = ("OID", "SEQ", "HOSTNAME", "HID", "CID", "STIME", "ETIME", "VM_MAD", "TM_MAD",
                "DS_ID", "PLAN_ID", "ACTION_ID", "PSTIME", "PETIME", "RSTIME", "RETIME",
                "ESTIME", "EETIME", "ACTION", "UID", "GID", "REQUEST_ID")
# Which history fields oned writes as CDATA, in the full and in the short record.
HISTORY_FULL_CDATA = frozenset({"VM_MAD", "TM_MAD"})
HISTORY_SHORT = ("OID", "SEQ", "HOSTNAME", "HID", "CID", "DS_ID", "VM_MAD", "TM_MAD", "ACTION")
HISTORY_SHORT_CDATA = frozenset({"HOSTNAME", "VM_MAD", "TM_MAD", "ACTION"})


def _leaf(name, value):
    return f"<{name}>{cdata(value)}</{name}>"


def _vector(name, pairs):
    return f"<{name}>{''.join(_leaf(key, value) for key, value in sorted(pairs, key=lambda pair: pair[0]))}</{name}>"


def _history_record(record, names, cdata_names):
    fields = []
    for name in names:
        value = record[name]
        text = cdata(value) if name in cdata_names else escape(value)
        fields.append(f"<{name}>{text}</{name}>")
    return f"<HISTORY>{''.join(fields)}</HISTORY>"


def _history_full(records):
    if not records:
        return "<HISTORY_RECORDS/>"
    body = "".join(_history_record(record, HISTORY_FULL, HISTORY_FULL_CDATA) for record in records)
    return f"<HISTORY_RECORDS>{body}</HISTORY_RECORDS>"


def _history_short(vm):
    if not vm.history:
        return "<HISTORY_RECORDS/>"
    return f"<HISTORY_RECORDS>{_history_record(vm.history[-1], HISTORY_SHORT, HISTORY_SHORT_CDATA)}</HISTORY_RECORDS>"


def _monitoring(vm):
    return f"<MONITORING>{''.join(_leaf(name, value) for name, value in vm.monitoring)}</MONITORING>"


def _disk_snapshots(vm):
    parts = []
    for disk_id, snapshots in sorted(vm.disk_snapshots.items(), key=lambda item: int(item[0])):
        entries = "".join(
            f"<SNAPSHOT>{'<ACTIVE>YES</ACTIVE>' if snapshot['active'] else ''}"
            f"<DATE>{snapshot['date']}</DATE><ID>{snapshot['id']}</ID>"
            f"<NAME>{escape(snapshot['name'])}</NAME><PARENT>-1</PARENT><SIZE>{snapshot['size']}</SIZE>"
            f"</SNAPSHOT>"
            for snapshot in snapshots["snapshots"])
        disk = vm.disk(int(disk_id)) or {}
        parts.append(f"<SNAPSHOTS><ALLOW_ORPHANS>{cdata(disk.get('ALLOW_ORPHANS', 'NO'))}</ALLOW_ORPHANS>"
                     f"<CURRENT_BASE>{snapshots['current_base']}</CURRENT_BASE>"
                     f"<DISK_ID>{disk_id}</DISK_ID><NEXT_SNAPSHOT>{snapshots['next']}</NEXT_SNAPSHOT>"
                     f"{entries}</SNAPSHOTS>")
    return "".join(parts)


def full_xml(vm, for_info):
    """one.vm.info's body (`for_info`), or the extended pool body, which carries no monitoring
    (oned keeps it in another table) and only the last history record: oned's stored body is
    written with to_xml_extended(xml, 0) and vm.info alone reads the history table."""
    monitoring = _monitoring(vm) if for_info else "<MONITORING></MONITORING>"
    history = vm.history if for_info else vm.history[-1:]
    return (
        f"<VM>{vm.owner_xml()}{vm.permissions_xml()}<LAST_POLL>{vm.last_poll}</LAST_POLL>"
        f"<STATE>{vm.state}</STATE><LCM_STATE>{vm.lcm_state}</LCM_STATE>"
        f"<PREV_STATE>{vm.prev_state}</PREV_STATE><PREV_LCM_STATE>{vm.prev_lcm_state}</PREV_LCM_STATE>"
        f"<RESCHED>{vm.resched}</RESCHED><STIME>{vm.stime}</STIME><ETIME>{vm.etime}</ETIME>"
        f"<DEPLOY_ID>{escape(vm.deploy_id)}</DEPLOY_ID>{vm.lock_xml()}{monitoring}"
        f"<SCHED_ACTIONS></SCHED_ACTIONS>{vm.template.to_xml()}{vm.user_template.to_xml('USER_TEMPLATE')}"
        f"{_history_full(history)}{_disk_snapshots(vm)}"
        f"<BACKUPS><BACKUP_CONFIG/><BACKUP_IDS></BACKUP_IDS></BACKUPS></VM>"
    )


def _short_disk(disk):
    values = dict(disk)
    return f"<DISK>{''.join(_leaf(name, values.get(name, '')) for name in SHORT_DISK)}</DISK>"


def _short_nic(nic):
    values = dict(nic)
    optional = "".join(_leaf(name, values[name]) for name in SHORT_NIC_OPTIONAL if values.get(name))
    return f"<NIC>{optional}{''.join(_leaf(name, values.get(name, '')) for name in SHORT_NIC)}</NIC>"


def _short_template(vm):
    template = vm.template
    singles = "".join(f"<{name}>{escape(template.get(name))}</{name}>"
                      for name in ("CPU", "MEMORY", "VCPU") if template.get(name) is not None)
    disks = "".join(_short_disk(value) for name, value in template.attributes if name == "DISK")
    nics = "".join(_short_nic(value) for name, value in template.attributes if name == "NIC")
    graphics = "".join(_vector(name, value) for name, value in template.attributes if name == "GRAPHICS")
    return f"<TEMPLATE>{singles}{disks}{nics}{graphics}</TEMPLATE>"


def _short_user_template(vm):
    user_template = vm.user_template
    if not len(user_template):
        return "<USER_TEMPLATE/>"
    # one_util::escape_xml writes CDATA.
    singles = "".join(_leaf(name, user_template.get(name)) for name in SHORT_USER_SINGLES if user_template.get(name))
    vectors = "".join(_vector(name, value) for wanted in SHORT_USER_VECTORS
                      for name, value in user_template.attributes
                      if name == wanted and not isinstance(value, str))
    return f"<USER_TEMPLATE>{singles}{vectors}</USER_TEMPLATE>"


def short_xml(vm):
    return (
        f"<VM>{vm.owner_xml()}<LAST_POLL>{vm.last_poll}</LAST_POLL>"
        f"<STATE>{vm.state}</STATE><LCM_STATE>{vm.lcm_state}</LCM_STATE>"
        f"<RESCHED>{vm.resched}</RESCHED><STIME>{vm.stime}</STIME><ETIME>{vm.etime}</ETIME>"
        f"<DEPLOY_ID>{escape(vm.deploy_id)}</DEPLOY_ID>{_short_lock(vm)}{_short_template(vm)}"
        f"<MONITORING/>{_short_user_template(vm)}{_history_short(vm)}</VM>"
    )


def _short_lock(vm):
    return f"<LOCK><LOCKED>{vm.lock['level']}</LOCKED></LOCK>" if vm.lock else ""


def monitoring_data_xml(vm):
    if not vm.monitoring:
        return "<MONITORING_DATA></MONITORING_DATA>"
    return f"<MONITORING_DATA>{_monitoring(vm)}</MONITORING_DATA>"
