"""MachineNetworkInterfaces: the NICs of a Machine's VM, read-only."""
from app.errors import NotFound
from app.protocol.names import resource_uri
from app.services import links
from app.services.listing import Listing, listed
from app.services.references import machine_part, resolver
from app.services.machines import load
from app.services.rendering import without_empty

TYPE_NAME = "MachineNetworkInterface"
SEGMENT = "networkInterfaces"


def list_interfaces(ctx, vm_id, query):
    vm = load(ctx.gateway, vm_id)
    listing = Listing(TYPE_NAME, "machineNetworkInterfaces",
                      ctx.links.href(links.MACHINES, vm_id, SEGMENT), add=False)
    return listed(query, listing, [render(ctx, vm.id, nic) for nic in vm.nics],
                  expand=resolver(ctx))


def get_interface(ctx, vm_id, nic_id):
    vm = load(ctx.gateway, vm_id)
    for nic in vm.nics:
        if nic.nic_id == nic_id:
            return render(ctx, vm.id, nic)
    raise NotFound(f"Machine {vm_id} has no network interface {nic_id}.")


def render(ctx, vm_id, nic):
    return without_empty({
        "resourceURI": resource_uri(TYPE_NAME),
        "id": ctx.links.href(links.MACHINES, vm_id, SEGMENT, nic.nic_id),
        "name": nic.network_name,
        "network": (ctx.links.reference(links.NETWORKS, nic.network_id)
                    if nic.network_id is not None else None),
        "macAddress": nic.mac,
        "ipAddresses": [nic.ip] if nic.ip else None,
    })


machine_part("networkInterfaces", list_interfaces)
