"""Virtual networks with IPv4 address ranges; leases for VM NICs; vn.info, vnpool.info."""
import ipaddress

from . import auth
from .errors import ACTION, OneError
from .registry import Bool, Int, pool_type, rpc
from .store import PoolObject
from .template import Template, cdata

READY = 1
MAC_PREFIX = (0x02, 0x00)  # oned.conf MAC_PREFIX = "02:00"
DEFAULT_CLUSTER = 0
DEFAULT_SECURITY_GROUP = "0"
# Network template attributes a NIC leased from the network carries (when set).
INHERITED_BY_NIC = ("DNS", "GATEWAY")
# Who holds a lease, in an AR's ALLOCATED map: the object type bit (PoolObjectSQL::VM) | id.
VM_OWNER_BIT = 0x1000000000


def mac_for(ip):
    """oned's MAC for an IPv4 lease: the MAC prefix followed by the address's four bytes."""
    return ":".join(f"{byte:02x}" for byte in (*MAC_PREFIX, *ipaddress.IPv4Address(ip).packed))


class AddressRange:
    """An IP4 AR stored as a dict: ar_id, ip, size, leases ([index, vm_id] pairs), and
    ever_leased: whether a lease was ever taken from it. oned's AR has no ALLOCATED
    attribute when it is created (AddressRange::from_vattr removes it); every lease taken or
    released rewrites it (allocated_to_attr), an empty string once the last lease is gone."""

    @staticmethod
    def new(ar_id, first_ip, size):
        return {"ar_id": ar_id, "ip": first_ip, "size": size, "leases": [], "ever_leased": False}

    @staticmethod
    def address(ar, index):
        return str(ipaddress.IPv4Address(ar["ip"]) + index)

    @staticmethod
    def index_of(ar, ip):
        try:
            index = int(ipaddress.IPv4Address(ip)) - int(ipaddress.IPv4Address(ar["ip"]))
        except ValueError:
            return None
        return index if 0 <= index < ar["size"] else None

    @staticmethod
    def free_index(ar):
        taken = {index for index, _ in ar["leases"]}
        return next((index for index in range(ar["size"]) if index not in taken), None)

    @classmethod
    def summary(cls, ar):
        last = cls.address(ar, ar["size"] - 1)
        return {"AR_ID": str(ar["ar_id"]), "IP": ar["ip"], "IP_END": last, "MAC": mac_for(ar["ip"]),
                "MAC_END": mac_for(last), "SIZE": str(ar["size"]), "TYPE": "IP4"}


@pool_type("vnet", "virtual network")
class VirtualNetwork(PoolObject):
    def __init__(self, name, bridge, vn_mad, address_ranges, template=None, **owner):
        super().__init__(name=name, template=template, **owner)
        self.bridge = bridge
        self.bridge_type = "linux"
        self.vn_mad = vn_mad
        self.state = READY
        self.clusters = [DEFAULT_CLUSTER]
        self.address_ranges = address_ranges

    @classmethod
    def from_state(cls, state):
        """A stored network; a range stored before `ever_leased` was kept (an emulator's data
        directory from an older checkout) counts as leased from when it holds a lease."""
        vnet = super().from_state(state)
        for ar in vnet.address_ranges:
            ar.setdefault("ever_leased", bool(ar["leases"]))
        return vnet

    @property
    def used_leases(self):
        return sum(len(ar["leases"]) for ar in self.address_ranges)

    def head_xml(self):
        clusters = "".join(f"<ID>{cid}</ID>" for cid in self.clusters)
        return (f"{self.owner_xml()}{self.lock_xml()}{self.permissions_xml()}<CLUSTERS>{clusters}</CLUSTERS>"
                f"<BRIDGE>{cdata(self.bridge)}</BRIDGE><BRIDGE_TYPE>{cdata(self.bridge_type)}</BRIDGE_TYPE>"
                f"<STATE>{cdata(self.state)}</STATE><PREV_STATE>{cdata(self.state)}</PREV_STATE>"
                f"<PARENT_NETWORK_ID/><VN_MAD>{cdata(self.vn_mad)}</VN_MAD><PHYDEV/><VLAN_ID/><OUTER_VLAN_ID/>"
                f"<VLAN_ID_AUTOMATIC>0</VLAN_ID_AUTOMATIC><OUTER_VLAN_ID_AUTOMATIC>0</OUTER_VLAN_ID_AUTOMATIC>"
                f"<USED_LEASES>{self.used_leases}</USED_LEASES><VROUTERS></VROUTERS>"
                f"<UPDATED_VMS>{self._updated_vms_xml()}</UPDATED_VMS><OUTDATED_VMS></OUTDATED_VMS>"
                "<UPDATING_VMS></UPDATING_VMS>"
                f"<ERROR_VMS></ERROR_VMS>{self.template.to_xml()}")

    def _updated_vms_xml(self):
        """oned lists a VM as updated from the lease of its NIC until the lease is released
        (VirtualNetwork::nic_attribute, clear_update_vm); vn.update, which would move them to
        OUTDATED_VMS, is not emulated."""
        holders = {vm_id for ar in self.address_ranges for _, vm_id in ar["leases"]}
        return "".join(f"<ID>{vm_id}</ID>" for vm_id in sorted(holders))

    def render(self):
        ranges = "".join(self._full_ar_xml(ar) for ar in self.address_ranges)
        return f"<VNET>{self.head_xml()}<AR_POOL>{ranges}</AR_POOL></VNET>"

    def render_short(self):
        ranges = "".join(self._short_ar_xml(ar) for ar in self.address_ranges)
        return f"<VNET>{self.head_xml()}<AR_POOL>{ranges}</AR_POOL></VNET>"

    @staticmethod
    def _ar_attributes_xml(ar):
        """The AR vector's own attributes, in oned 7.0's sorted order, every value CDATA."""
        head = AddressRange.summary(ar)
        return "".join(f"<{name}>{cdata(head[name])}</{name}>" for name in ("AR_ID", "IP", "MAC", "SIZE", "TYPE"))

    @classmethod
    def _short_ar_xml(cls, ar):
        """A pool's AR: its attributes, led by the ALLOCATED map of leases (AddressRange::
        allocated_to_attr: " <index> <owner>" per lease, in index order) once a lease was
        ever taken from it."""
        return f"<AR>{cls._allocated_xml(ar)}{cls._ar_attributes_xml(ar)}</AR>"

    @staticmethod
    def _allocated_xml(ar):
        if not ar["ever_leased"]:
            return ""
        allocated = "".join(f" {index} {VM_OWNER_BIT | vm_id}" for index, vm_id in sorted(ar["leases"]))
        return f"<ALLOCATED>{cdata(allocated)}</ALLOCATED>"

    @classmethod
    def _full_ar_xml(cls, ar):
        head = AddressRange.summary(ar)
        leases = "".join(
            f"<LEASE><IP>{cdata(AddressRange.address(ar, index))}</IP>"
            f"<MAC>{cdata(mac_for(AddressRange.address(ar, index)))}</MAC><VM>{cdata(vm_id)}</VM></LEASE>"
            for index, vm_id in sorted(ar["leases"]))
        return (f"<AR>{cls._ar_attributes_xml(ar)}"
                f"<MAC_END>{cdata(head['MAC_END'])}</MAC_END><IP_END>{cdata(head['IP_END'])}</IP_END>"
                f"<USED_LEASES>{len(ar['leases'])}</USED_LEASES>"
                f"{f'<LEASES>{leases}</LEASES>' if leases else '<LEASES/>'}</AR>")


def create_vnet(emulator, name, first_ip, size, bridge="br0", vn_mad="dummy", network_mask="255.255.255.0",
                gateway="", dns=""):
    network = ipaddress.IPv4Network(f"{first_ip}/{network_mask}", strict=False)
    template = Template([
        ("BRIDGE", bridge), ("BRIDGE_TYPE", "linux"), ("DNS", dns), ("GATEWAY", gateway),
        ("NETWORK_ADDRESS", str(network.network_address)), ("NETWORK_MASK", network_mask),
        ("OUTER_VLAN_ID", ""), ("PHYDEV", ""), ("SECURITY_GROUPS", "0"), ("VLAN_ID", ""),
        ("VN_MAD", vn_mad)])
    vnet = VirtualNetwork(name, bridge, vn_mad, [AddressRange.new(0, first_ip, size)], template)
    emulator.pool("vnet").add(vnet)
    return vnet


def _no_lease(vnet_id):
    return OneError(ACTION, f"Cannot get IP/MAC lease from virtual network {vnet_id}.", vnet_id)


def allocate_lease(emulator, caller, vnet_id, vm_id, ip=None):
    """Lease an address of `vnet_id` to `vm_id` (the first free one, or `ip`).

    Returns the NIC vector pairs oned fills in from the network (AR_ID, BRIDGE, IP, MAC,
    NETWORK, NETWORK_ID, ...); the VM adds NIC_ID, NAME and TARGET itself.
    """
    pool = emulator.pool("vnet")
    vnet = pool.get(vnet_id)
    auth.authorize(caller, vnet, auth.USE)
    ar, index = _lease_slot(vnet, ip)
    ar["leases"].append([index, vm_id])
    ar["ever_leased"] = True
    pool.save(vnet)
    address = AddressRange.address(ar, index)
    inherited = [(name, vnet.template.get(name)) for name in INHERITED_BY_NIC if vnet.template.get(name)]
    return [("AR_ID", str(ar["ar_id"])), ("BRIDGE", vnet.bridge), ("BRIDGE_TYPE", vnet.bridge_type),
            ("CLUSTER_ID", str(DEFAULT_CLUSTER)), *inherited, ("IP", address), ("MAC", mac_for(address)),
            ("NETWORK", vnet.name), ("NETWORK_ID", str(vnet.id)),
            ("SECURITY_GROUPS", vnet.template.get("SECURITY_GROUPS", "0")), ("VN_MAD", vnet.vn_mad)]


def keep_allocated_map(emulator, vnet_id, ar_id):
    """The range `ar_id` of `vnet_id` lists its ALLOCATED map from now on, leases or not: for
    a lease given back by a call that failed after taking it, whose own writes are undone.
    oned writes the map when it takes the lease and again when it frees it."""
    pool = emulator.pool("vnet")
    vnet = pool.find(vnet_id)
    if vnet is None:
        return
    for ar in vnet.address_ranges:
        if ar["ar_id"] == ar_id:
            ar["ever_leased"] = True
    pool.save(vnet)


def security_group_rules(security_group_ids):
    """The SECURITY_GROUP_RULE vectors oned copies into a VM for its NICs' groups. Only
    oned's bootstrap group 0 "default" exists here: it lets all traffic out and in."""
    rules = []
    for group_id in security_group_ids:
        if group_id == DEFAULT_SECURITY_GROUP:
            rules.extend([("PROTOCOL", "ALL"), ("RULE_TYPE", rule_type), ("SECURITY_GROUP_ID", "0"),
                          ("SECURITY_GROUP_NAME", "default")] for rule_type in ("OUTBOUND", "INBOUND"))
    return rules


def _lease_slot(vnet, ip):
    for ar in vnet.address_ranges:
        taken = {index for index, _ in ar["leases"]}
        if ip is None:
            index = AddressRange.free_index(ar)
        else:
            index = AddressRange.index_of(ar, ip)
        if index is not None and index not in taken:
            return ar, index
    raise _no_lease(vnet.id)


def release_lease(emulator, vnet_id, vm_id, ip=None):
    """Give back the leases `vm_id` holds in `vnet_id` (only `ip` if given)."""
    pool = emulator.pool("vnet")
    vnet = pool.find(vnet_id)
    if vnet is None:
        return
    for ar in vnet.address_ranges:
        ar["leases"] = [[index, holder] for index, holder in ar["leases"]
                        if holder != vm_id or (ip is not None and AddressRange.address(ar, index) != ip)]
    pool.save(vnet)


@rpc("one.vn.info", Int("id"), Bool("decrypt", False))
def vn_info(call, oid, decrypt):
    vnet = call.pool("vnet").get(oid)
    auth.authorize(call.caller, vnet, auth.USE)
    return vnet.xml


@rpc("one.vnpool.info", Int("filter"), Int("start"), Int("end"))
def vnpool_info(call, filter_flag, start, end):
    vnets = auth.select(call.caller, call.pool("vnet"), filter_flag, start, end)
    return auth.pool_xml("VNET_POOL", vnets)
