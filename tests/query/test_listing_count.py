"""A pool page's `count`: from the window when it reaches the pool's end, else from the
pool's count, told the lower bound the window proves and the size its ids suggest."""
from dataclasses import dataclass

from app.one.records import Page
from app.protocol.query import parse_query
from app.services.listing import Listing, Pool, listed_pool


@dataclass(frozen=True)
class Record:
    id: int


def pool_of(ids, counted):
    """A pool listing `ids` in the given (descending) order, whose windows tell its size as
    the gateway's do (not from an empty window past the end); its count records its hints."""
    def page(offset, size):
        items = ids[offset:] if size is None else ids[offset:offset + size]
        reached_end = size is None or offset + size >= len(ids)
        return Page(items=tuple(Record(i) for i in items),
                    total=len(ids) if reached_end and (items or offset == 0) else None)

    def count(at_least, guess):
        counted.append((at_least, guess))
        return len(ids)
    return Pool(page=page, count=count)


def listed(ids, **params):
    counted = []
    document = listed_pool(parse_query(params, max_page_size=1000), Listing("T", "ts", "h"),
                           pool_of(ids, counted), lambda record: {"id": str(record.id)})
    return document, counted


def test_a_page_inside_a_dense_pool_guesses_its_size_from_the_last_id():
    document, counted = listed(list(range(99, -1, -1)), **{"$first": "11", "$last": "20"})
    assert [member["id"] for member in document["ts"]] == [str(i) for i in range(89, 79, -1)]
    # The window asks for 11 (ids 89 to 79): 10 + 11 positions, then ids 78..0 at most.
    assert (document["count"], counted) == (100, [(21, 100)])


def test_with_ids_missing_the_guess_is_too_high_and_the_count_still_the_pools():
    ids = [90, 70, 50, 30, 10, 5, 1]
    document, counted = listed(ids, **{"$first": "1", "$last": "2"})
    assert (document["count"], counted) == (7, [(3, 3 + 50)])


def test_a_page_reaching_the_end_needs_no_count():
    document, counted = listed([5, 4, 3], **{"$first": "2", "$last": "9"})
    assert (document["count"], counted) == (3, [])


def test_a_page_past_the_end_counts_without_a_guess_or_a_lower_bound():
    """An empty window shows only that the pool is smaller than its offset."""
    document, counted = listed([5, 4, 3], **{"$first": "7", "$last": "9"})
    assert (document["count"], document.get("ts", []), counted) == (3, [], [(0, None)])


def test_records_without_ids_count_without_a_guess():
    @dataclass(frozen=True)
    class Wrapped:
        name: str
    counted = []
    pool = Pool(page=lambda offset, size: Page(items=(Wrapped("a"), Wrapped("b")), total=None),
                count=lambda at_least, guess: counted.append((at_least, guess)) or 9)
    document = listed_pool(parse_query({"$first": "1", "$last": "1"}, max_page_size=1000),
                           Listing("T", "ts", "h"), pool, lambda record: {"id": record.name})
    assert (document["count"], counted) == (9, [(2, None)])
