"""`parse_query` and the immutable `Query` a service applies to its document dicts."""
from dataclasses import dataclass, replace

from .errors import QueryError
from .evaluate import matches
from .nodes import AllOf, Comparison
from .ordering import order
from .params import (
    AttributeSelection,
    parse_attribute_selection,
    parse_orderby,
    parse_position,
)
from .parser import all_of, parse_filter

REQUIRED_ATTRIBUTES = frozenset({"resourceURI", "id"})
_NEVER_EXPANDED = frozenset({"operations"})
_SMALLEST_ONE_PAGE = 2


@dataclass(frozen=True)
class PageWindow:
    """The page a service may fetch from OpenNebula instead of the whole pool.

    OpenNebula pages with `start=offset, end=-page_size`, but `end=-1` means "everything",
    so a one-member page cannot be asked for: `one_end` asks for at least two members and
    `Query.apply_window` trims the extra one. When `size` is 0 (`$last` before `$first`)
    there is nothing to fetch.
    """

    offset: int
    size: int

    @property
    def one_start(self):
        return self.offset

    @property
    def one_end(self):
        return -max(self.size, _SMALLEST_ONE_PAGE)

    @property
    def is_empty(self):
        return self.size == 0


@dataclass(frozen=True)
class Update:
    """What a PUT changes: `values` to set, `cleared` names selected but absent from the body.

    Without `$select` (or with `$select=*`) the update is not `partial`: `values` is the whole
    body. With `$select`, only the selected attributes take part; a selected attribute that
    the body leaves out is in `cleared`, and the service resets it (or refuses with a
    `BadRequest` when it cannot be reset). `id` and `resourceURI` never take part.
    """

    values: dict
    cleared: frozenset
    partial: bool


@dataclass(frozen=True)
class Query:
    """The parsed CIMI query parameters of one request; see the package documentation."""

    filter: object = None
    select: AttributeSelection | None = None
    expand: AttributeSelection | None = None
    first: int | None = None
    last: int | None = None
    orderby: tuple = ()
    max_page_size: int | None = None

    def matches(self, document):
        """Whether `document` passes `$filter` (always true without one)."""
        return self.filter is None or matches(self.filter, document)

    def apply(self, members, expand=None):
        """(page, count): filter, order, slice, expand and select `members`.

        `count` is the number of members that pass the filter. `expand` is the service's
        resolver, `href -> document dict or None` (None leaves that reference as it is);
        it is called at most once per href and only for members of the page.
        """
        passed = [member for member in members if self.matches(member)]
        ordered = order(passed, self.orderby) if self.orderby else passed
        page = ordered[self._page_slice(len(ordered))]
        return self._shape_all(page, expand), len(passed)

    def page_window(self):
        """The `PageWindow` to fetch from the backend, or None when it cannot be pushed down.

        Only possible when there is neither a filter nor an ordering, and the page has an
        end (`$last` or the page-size cap). The backend does not tell the size of the whole
        collection, so a service that uses the window must find `count` another way.
        """
        if self.filter is not None or self.orderby:
            return None
        offset = (self.first or 1) - 1
        size = None if self.last is None else max(0, self.last - offset)
        if self.max_page_size is not None:
            size = self.max_page_size if size is None else min(size, self.max_page_size)
        return None if size is None else PageWindow(offset, size)

    def apply_window(self, fetched, count, expand=None):
        """(page, count) from the members fetched with `page_window()`: trim, expand, select."""
        window = self.page_window()
        if window is None:
            raise ValueError("this query cannot be paged by the backend; use apply()")
        return self._shape_all(list(fetched)[: window.size], expand), count

    def pushdown_equalities(self, attributes):
        """{attribute: value} for each top-level `attribute=value` term ANDed into the filter.

        Only attributes named in `attributes` and compared with `=` at the top level of the
        filter (not under `or`) are reported; an attribute given two different values is
        left out. The values are the parsed literals (int, str, bool or `DateValue`).
        `apply` still evaluates the whole filter unless `with_exact_pushdown` removes them.
        """
        found, conflicting = {}, set()
        for term in self._pushable_terms(attributes):
            name = term.path[0]
            if name in found and _typed(found[name]) != _typed(term.value):
                conflicting.add(name)
            found.setdefault(name, term.value)
        return {name: value for name, value in found.items() if name not in conflicting}

    def with_exact_pushdown(self, attributes):
        """This query without the pushed equalities on `attributes`.

        Use it only when the backend applied those equalities exactly: the result no longer
        checks them, and with nothing left in the filter `page_window()` becomes possible.
        """
        pushed = self.pushdown_equalities(attributes)
        remaining = [
            term
            for term in self._top_level_terms()
            if not (_is_simple_equality(term) and term.path[0] in pushed)
        ]
        return replace(self, filter=all_of(remaining) if remaining else None)

    def shape(self, document, expand=None):
        """One resource as `$expand` and `$select` ask (for GET of a single resource)."""
        return self._shape_all([document], expand, page=False)[0]

    def select_resource(self, document):
        """`document` with only the selected attributes, keeping `resourceURI` and `id`."""
        return {name: value for name, value in document.items() if self._is_selected(name)}

    def updates(self, body):
        """The `Update` that a PUT with this query's `$select` makes from `body`."""
        if self.select is None or self.select.everything:
            return Update(dict(body), frozenset(), partial=False)
        names = self.select.names - REQUIRED_ATTRIBUTES
        values = {name: value for name, value in body.items() if name in names}
        return Update(values, frozenset(names - body.keys()), partial=True)

    def _is_selected(self, name):
        return self.select is None or name in REQUIRED_ATTRIBUTES or self.select.includes(name)

    def _page_slice(self, count):
        start = (self.first or 1) - 1
        stop = count if self.last is None else min(self.last, count)
        if self.max_page_size is not None:
            stop = min(stop, start + self.max_page_size)
        return slice(start, max(start, stop))

    def _shape_all(self, documents, expand, page=True):
        """`expand` resolves one href; on a `page`, when it also has `prefetch(hrefs)`, that
        is called first with every href the documents will expand, so that the service can
        read them in one call per kind rather than one per href."""
        resolver = _memoized(expand) if expand is not None and self.expand else None
        if resolver is None and self.select is None:
            return list(documents)
        documents = list(documents)
        # Asked for each attribute of each member: answered once per attribute name.
        expands, selected = _memoized(self._expands), _memoized(self._is_selected)
        if page and resolver is not None and hasattr(expand, "prefetch"):
            expand.prefetch({href for document in documents
                             for href in _hrefs_to_expand(document, expands)})
        return [{name: value for name, value in _expanded(doc, resolver, expands).items()
                 if selected(name)} for doc in documents]

    def _expands(self, name):
        return (
            name not in _NEVER_EXPANDED
            and self.expand.includes(name)
            and self._is_selected(name)
        )

    def _top_level_terms(self):
        if self.filter is None:
            return ()
        return self.filter.terms if isinstance(self.filter, AllOf) else (self.filter,)

    def _pushable_terms(self, attributes):
        return [
            term
            for term in self._top_level_terms()
            if _is_simple_equality(term) and term.path[0] in attributes
        ]


def parse_query(args, max_page_size=None):
    """The `Query` of a request's arguments; `QueryError` (a `BadRequest`) when malformed.

    `args` is a werkzeug `MultiDict` (`request.args`) or a mapping of names to a string or a
    list of strings. `max_page_size` caps the number of members one response returns.
    """
    if max_page_size is not None and max_page_size < 1:
        raise ValueError("max_page_size must be at least 1")
    select_values, expand_values = _values(args, "$select"), _values(args, "$expand")
    return Query(
        filter=_parse_filters(_values(args, "$filter")),
        select=parse_attribute_selection("$select", select_values) if select_values else None,
        expand=parse_attribute_selection("$expand", expand_values) if expand_values else None,
        first=parse_position("$first", _values(args, "$first")),
        last=parse_position("$last", _values(args, "$last")),
        orderby=parse_orderby(_values(args, "$orderby")),
        max_page_size=max_page_size,
    )


def _parse_filters(texts):
    nodes = []
    for number, text in enumerate(texts, start=1):
        try:
            nodes.append(parse_filter(text))
        except QueryError as error:
            if len(texts) == 1:
                raise
            raise QueryError(f"$filter number {number}", error.problem, error.position) from None
    return all_of(nodes) if nodes else None


def _values(args, name):
    """The non-blank values of `name`: a blank value counts as not given."""
    if hasattr(args, "getlist"):
        raw = args.getlist(name)
    else:
        raw = args.get(name, ())
        raw = [raw] if isinstance(raw, str) else list(raw)
    return [value for value in raw if value.strip()]


def _is_simple_equality(term):
    return isinstance(term, Comparison) and term.op == "=" and len(term.path) == 1


def _typed(value):
    return (type(value), value)


def _memoized(resolve_href):
    resolved = {}

    def lookup(href):
        if href not in resolved:
            resolved[href] = resolve_href(href)
        return resolved[href]

    return lookup


def _hrefs_to_expand(document, expands):
    """The hrefs `_expanded` resolves in the document."""
    for name, value in document.items():
        if not expands(name):
            continue
        if _is_reference(value):
            yield value["href"]
        elif isinstance(value, list) and value and all(map(_is_reference, value)):
            yield from (item["href"] for item in value)


def _expanded(document, resolver, expands):
    """The document with the references of the attributes `expands` names resolved."""
    if resolver is None:
        return document
    return {
        name: _expanded_value(value, resolver) if expands(name) else value
        for name, value in document.items()
    }


def _is_reference(value):
    return isinstance(value, dict) and isinstance(value.get("href"), str)


def _expanded_value(value, resolver):
    if _is_reference(value):
        target = resolver(value["href"])
        return value if target is None else {**value, **target}
    if isinstance(value, list) and value and all(_is_reference(item) for item in value):
        return [_expanded_value(item, resolver) for item in value]
    return value
