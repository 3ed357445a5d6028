"""Networks: the OpenNebula virtual networks the caller may see (`one.vnpool.info`).

Read-only: creating networks and their address ranges is an administrator's matter in
OpenNebula (bridges, VLANs and address plans are the site's), so this server only lists them
and lets machines choose among them. A network the caller may not use does not exist for it.
A Network's `addresses` is the collection of its leases in use (`addresses`).
"""
from app.errors import BadRequest, Forbidden, NotFound
from app.one.metadata import DESCRIPTION, properties_of
from app.one.states import network_state
from app.services import links
from app.services.listing import Listing, Pool, listed_pool, owner_pushdown
from app.services.references import expandable
from schemas.networks import NETWORK

TYPE_NAME = NETWORK.name
ADDRESSES = "addresses"


def list_networks(caller, query):
    """The visible networks in OpenNebula's pool order, newest first."""
    query, mine = owner_pushdown(caller.user_name, query)
    pool = Pool(lambda offset, size: caller.gateway.vnet_page(offset, size, mine=mine))
    listing = Listing(TYPE_NAME, "networks", caller.links.href(links.NETWORKS), add=False)
    return listed_pool(query, listing, pool, lambda vnet: render(caller, vnet))


def get_network(caller, network_id):
    return render(caller, load(caller.gateway, network_id))


def visible(gateway):
    """The networks the caller may see, in pool order."""
    return gateway.vnet_page().items


def load(gateway, network_id):
    """The network with its leases; NotFound also when the caller may not use it."""
    try:
        return gateway.vnet(network_id)
    except (NotFound, Forbidden):
        raise NotFound(f"Network {network_id} does not exist.") from None


def usable_id(caller, href, attribute):
    """The OpenNebula id of the network `href` names, checked usable by the caller."""
    network_id = caller.links.id_in(href, links.NETWORKS, attribute)
    try:
        load(caller.gateway, network_id)
    except NotFound:
        raise BadRequest(f"{attribute} names no network you can use.") from None
    return network_id


def default_id(gateway):
    """The network a machine gets when its template names none: the lowest-numbered one the
    user may see, as a StratusLab machine got its public address; None if there is none."""
    return min((vnet.id for vnet in gateway.vnet_page().items), default=None)


def render(caller, vnet):
    href = caller.links.href(links.NETWORKS, vnet.id)
    template = vnet.template
    return NETWORK.document({
        "id": href,
        "name": vnet.name,
        "description": template.get(DESCRIPTION) or template.get("DESCRIPTION"),
        "properties": properties_of(template),
        "state": network_state(vnet.state),
        "addresses": {"href": f"{href}/{ADDRESSES}"},
        "owner": vnet.owner.uname,
    })


expandable(links.NETWORKS, get_network)
