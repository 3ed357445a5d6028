"""MachineNetworkInterfaces: the NICs of a Machine's VM, read-only."""
from app.errors import NotFound
from app.services import links
from app.services.listing import Listing, listed
from app.services.references import machine_part, resolver
from app.services.machines import load
from schemas.networks import MACHINE_NETWORK_INTERFACE

TYPE_NAME = MACHINE_NETWORK_INTERFACE.name
SEGMENT = "networkInterfaces"


def list_interfaces(caller, vm_id, query):
    vm = load(caller.gateway, vm_id)
    listing = Listing(TYPE_NAME, "machineNetworkInterfaces",
                      caller.links.href(links.MACHINES, vm_id, SEGMENT), add=False)
    return listed(query, listing, [render(caller, vm.id, nic) for nic in vm.nics],
                  expand=resolver(caller))


def get_interface(caller, vm_id, nic_id):
    vm = load(caller.gateway, vm_id)
    for nic in vm.nics:
        if nic.nic_id == nic_id:
            return render(caller, vm.id, nic)
    raise NotFound(f"Machine {vm_id} has no network interface {nic_id}.")


def render(caller, vm_id, nic):
    return MACHINE_NETWORK_INTERFACE.document({
        "id": caller.links.href(links.MACHINES, vm_id, SEGMENT, nic.nic_id),
        "name": nic.network_name,
        "network": (caller.links.reference(links.NETWORKS, nic.network_id)
                    if nic.network_id is not None else None),
        "macAddress": nic.mac,
        "ipAddresses": [nic.ip] if nic.ip else None,
    })


machine_part("networkInterfaces", list_interfaces)
