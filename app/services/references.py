"""`$expand` support: the document an href of this server names, for the references that
documents hold (machineConfig, machineImage, credential, network, volume, volumeImage,
targetResource, ...) and for a machine's sub-collections (disks, volumes,
networkInterfaces, snapshots), which expand into the collection a GET of them gives when
the machine is read alone (not on a page of machines, see `_Resolver.prefetch`). Each
lookup goes through the resource's service, as a GET would; the references of a page are
read together, one pool call per kind (`_Resolver`)."""
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from app.errors import Forbidden, NotFound
from app.protocol.query import Query
from app.services import links


@dataclass(frozen=True)
class _Expansion:
    get: Callable               # (caller, id) -> the document a GET gives
    get_many: Callable = None   # (caller, ids) -> {id: document} of those visible, one pool call
    from_vms: bool = False      # get_many also takes `known_vms`


# Filled by the services as they load (`expandable`, `machine_part`): this module sits below
# them, so it never imports one.
_EXPANSIONS = {}        # collection segment -> _Expansion
_MACHINE_PARTS = {}     # machine sub-collection name -> list_part(caller, vm_id, query)


def expandable(segment, get, get_many=None, from_vms=False):
    """Let `$expand` follow hrefs into the collection `segment`: `get(caller, id)` reads one
    member as a GET does; `get_many(caller, ids)`, when OpenNebula has a pool call for them,
    reads the members a page refers to in one call, and with `from_vms` it is also given
    `known_vms` ({id: VM} a page of this request has read already)."""
    _EXPANSIONS[segment] = _Expansion(get, get_many, from_vms)


def machine_part(name, list_part):
    """Let `$expand` of a machine read alone follow its sub-collection `name` (disks,
    volumes, ...): `list_part(caller, vm_id, query)` lists it as a GET does."""
    _MACHINE_PARTS[name] = list_part


def _getters():
    return {segment: expansion.get for segment, expansion in _EXPANSIONS.items()}


def _whole(list_part, caller, vm_id):
    """The whole sub-collection, as a GET without query parameters lists it."""
    return list_part(caller, vm_id, Query())


def _pooled_getters(known_vms):
    """{collection segment: getter of many} of the resources OpenNebula can read in one
    pool call. Machines and EventLogs are rendered from `known_vms` without a call when all
    of them are there. (An EventLog needs its VM's whole history, which a pool body holds
    only for a VM that was never stopped, resumed or moved: the others still cost one
    vm.info each.)"""
    return {segment: partial(expansion.get_many, known_vms=known_vms)
            if expansion.from_vms else expansion.get_many
            for segment, expansion in _EXPANSIONS.items() if expansion.get_many is not None}


def resolver(caller):
    """href -> document, or None to leave the reference as it is (not ours, gone, hidden)."""
    return _Resolver(caller)


class _Resolver:
    """Resolves hrefs one by one, through the resource's service as a GET would; `prefetch`
    reads, before a page is expanded, all the hrefs it will need of each kind that has a pool
    call with one call per kind, so that a page's `$expand` costs a bounded number of calls
    whatever its size (Machines: one vmpool.infoset, not one vm.info per member, and none
    for the VMs of a page just read, which `known` keeps; images: one imagepool.info;
    configurations and volume templates: one documentpool.info)."""

    def __init__(self, caller):
        self._ctx = caller
        self._prefetched = {}
        self._known_vms = {}
        self._pooled = _pooled_getters(self._known_vms)

    def known(self, page):
        """The `app.one.records.Page` of VMs (extended pool bodies), kept so that references
        to them and to their event logs expand without reading them again."""
        self._known_vms.update((vm.id, vm) for vm in page.items)
        return page

    def __call__(self, href):
        if href in self._prefetched:
            return self._prefetched[href]
        located = self._located(href, _getters()) or self._machine_part(href)
        if located is None:
            return None
        get, object_id = located
        try:
            return get(self._ctx, object_id)
        except (NotFound, Forbidden):
            return None

    def _machine_part(self, href):
        """(lister of the whole sub-collection, machine id) for a machine's sub-collection
        href such as `<base>machines/7/volumes`, else None."""
        machine_href, _, tail = href.rpartition("/")
        list_part = _MACHINE_PARTS.get(tail)
        if list_part is None:
            return None
        located = self._located(machine_href, {links.MACHINES: list_part})
        return located and (partial(_whole, list_part), located[1])

    def prefetch(self, hrefs):
        wanted = {}
        for href in hrefs:
            if self._machine_part(href) is not None:
                # Each costs its machine's vm.info: on a page they stay references, so that
                # expanding a page costs the same calls whatever its size. A machine read
                # alone expands them.
                self._prefetched[href] = None
                continue
            located = self._located(href, self._pooled)
            if located is not None:
                get_many, object_id = located
                wanted.setdefault(get_many, {})[object_id] = href
        for get_many, hrefs_by_id in wanted.items():
            if len(hrefs_by_id) < 2:
                continue    # read as a GET would: one object's call, not a whole pool's
            found = get_many(self._ctx, sorted(hrefs_by_id))
            for object_id, href in hrefs_by_id.items():
                self._prefetched[href] = found.get(object_id)

    def _located(self, href, getters):
        """(getter, id) when the href names a member of a collection of `getters` ({segment:
        getter}), else None."""
        member = self._ctx.links.member(href)
        get = getters.get(member[0]) if member is not None else None
        return None if get is None else (get, member[1])
