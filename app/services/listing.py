"""Listing collections: the one place where a collection's members are filtered, ordered,
paged, expanded and selected, and where the part of that work OpenNebula can do exactly is
pushed down to its pools.

Order. Members are listed in OpenNebula's pool order, newest first: oned lists every pool by
descending id (API_LIST_ORDER="DESC" in the shipped oned.conf), and the ids of a pool never
change, so the order is stable and a client paging with `$first`/`$last` sees each member
once. Sub-collections (a machine's disks and network interfaces) keep the order OpenNebula
keeps them in, ascending ids. `$orderby` sorts stably from that order.

Push-down. With neither `$filter` nor `$orderby` left to evaluate, `$first`/`$last` (or the
CIMI_PAGE_SIZE_MAX cap) become a pool window: only the page travels and is rendered. `count`
is then known from the window when it reaches the pool's end (the window asks for one member
more than the page to see that), else the pool is counted without fetching it (for VMs,
windows of two objects searched for its end: `app.one.counts`).

Filters. A service narrows the pool where a pool argument applies a filter term: exactly, and
the term leaves the query so the page can still be a window (`owner_pushdown`; a machine
state that one VM STATE stands for), or as a narrowing the query still checks (the machine
states of ACTIVE VMs).
"""
from dataclasses import dataclass
from typing import Callable

from app.protocol.responses import collection
from app.services.references import resolver


@dataclass(frozen=True)
class Listing:
    """What a collection document holds besides its members."""

    type_name: str
    member_key: str
    href: str
    add: bool = True


@dataclass(frozen=True)
class Pool:
    """An OpenNebula pool as a listing reads it.

    `page(offset, size)` returns an `app.one.records.Page` of records in pool order (`size`
    None: to the end); `count(at_least, guess)` the number of objects in the pool, for a
    page that does not reach its end (so the pool is known to hold at least `at_least`, and
    `guess` is what its ids suggest, or None). Without `count`, the whole pool is fetched to
    count it.
    """

    page: Callable
    count: Callable = None

    def size(self, at_least=0, guess=None):
        if self.count is not None:
            return self.count(at_least, guess)
        return len(self.page(0, None).items)


def listed(query, listing, members, expand=None):
    """The collection document of `members` (document dicts in the collection's order),
    shaped by `query`; `expand` resolves an href for `$expand` (see `app.protocol.query`)."""
    page, count = query.apply(members, expand=expand)
    return _collection(listing, page, count)


def listed_pool(query, listing, pool, render, expand=None):
    """The collection document of a whole pool, `render` making each record a document.

    Fetches only the page when the query allows a pool window, else the whole pool.
    """
    window = query.page_window()
    if window is None:
        members = [render(record) for record in pool.page(0, None).items]
        return listed(query, listing, members, expand)
    if window.is_empty:
        records, count = (), pool.size()
    else:
        # One member more than the page tells whether the page reaches the pool's end, and
        # then the count needs no second call.
        fetched = pool.page(window.offset, window.size + 1)
        records = fetched.items
        # A window that holds members shows the pool reaches its last one; an empty window
        # past the end shows only that the pool is smaller than its offset.
        count = fetched.total if fetched.total is not None else pool.size(
            at_least=window.offset + len(records) if records else 0,
            guess=_size_by_ids(window.offset, records))
    page, count = query.apply_window([render(record) for record in records], count,
                                     expand=expand)
    return _collection(listing, page, count)


def _size_by_ids(offset, records):
    """The pool's size if no id below the window's last one is missing: oned lists by
    descending id, so the objects past the window are at most as many as the ids below the
    last one's (each id >= 0). Right for a pool whose ids were never deleted or filtered.
    None without a last record (a window past the end) or without ids (records that wrap
    the pool's objects, such as Jobs)."""
    last_id = getattr(records[-1], "id", None) if records else None
    return None if last_id is None else offset + len(records) + last_id


def listed_images(caller, query, listing, wanted, render):
    """A collection of the images `wanted(image)` picks, `render(caller, image)` making each a
    CIMI document whose `owner` is the image's owner. OpenNebula's image pool holds every
    kind of image, so the members are picked out here and a page cannot be a pool window."""
    query, mine = owner_pushdown(caller.user_name, query)
    members = [render(caller, image)
               for image in caller.gateway.image_page(mine=mine, users=False).items
               if wanted(image)]
    return listed(query, listing, members, expand=resolver(caller))


def owner_pushdown(user_name, query):
    """(query, mine): `owner='<the caller>'` becomes the pools' "owned by me" filter flag,
    which applies it exactly, for collections whose `owner` is the pool object's owner."""
    if query.pushdown_equalities({"owner"}).get("owner") == user_name:
        return query.with_exact_pushdown({"owner"}), True
    return query, False


def _collection(listing, page, count):
    return collection(listing.type_name, listing.member_key, page, listing.href,
                      add=listing.add, count=count)
