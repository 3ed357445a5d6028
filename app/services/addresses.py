"""Addresses: the IPv4 leases in use in the networks the caller may see.

An Address is one lease of a network's address ranges (`AR_POOL/AR/LEASES` of `one.vn.info`;
pool listings carry no leases, so each network is read once). Its id is
`<base>/addresses/<network id>/<ip>`; its `resource` is the Machine holding the lease, and it
carries the network's gateway, DNS and mask as the machine's context does. Leases are made
and released by OpenNebula with the machines' NICs, so the collection is read-only.
"""
import ipaddress

from app.errors import NotFound
from app.services import links
from app.services import networks
from app.services.listing import Listing, listed
from app.services.references import resolver
from schemas.networks import ADDRESS

TYPE_NAME = ADDRESS.name


def list_addresses(caller, query):
    vnets = [networks.load(caller.gateway, vnet.id) for vnet in networks.visible(caller.gateway)]
    return _collection(caller, query, vnets, caller.links.href(links.ADDRESSES))


def list_network_addresses(caller, network_id, query):
    vnet = networks.load(caller.gateway, network_id)
    return _collection(caller, query, [vnet],
                       caller.links.href(links.NETWORKS, network_id, networks.ADDRESSES))


def get_address(caller, network_id, ip):
    vnet = networks.load(caller.gateway, network_id)
    for lease in vnet.leases:
        if lease.ip and lease.ip == _canonical(ip):
            return render(caller, vnet, lease)
    raise NotFound(f"Network {network_id} has no address {ip} in use.")


def render(caller, vnet, lease):
    template = vnet.template
    return ADDRESS.document({
        "id": caller.links.href(links.ADDRESSES, vnet.id, lease.ip),
        "name": lease.ip,
        "ip": lease.ip,
        "macAddress": lease.mac,
        "allocation": "dynamic",
        "defaultGateway": template.get("GATEWAY"),
        "dns": template.get("DNS"),
        "protocol": "IPv4",
        "mask": template.get("NETWORK_MASK"),
        "resource": (caller.links.reference(links.MACHINES, lease.vm_id)
                     if lease.vm_id is not None and lease.vm_id >= 0 else None),
        "network": caller.links.reference(links.NETWORKS, vnet.id),
    })


def _collection(caller, query, vnets, href):
    members = [render(caller, vnet, lease) for vnet in vnets for lease in vnet.leases if lease.ip]
    return listed(query, Listing(TYPE_NAME, "addresses", href, add=False), members,
                  expand=resolver(caller))


def _canonical(ip):
    try:
        return str(ipaddress.IPv4Address(ip))
    except ValueError:
        return None
