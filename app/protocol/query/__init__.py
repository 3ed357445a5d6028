"""CIMI query parameters: `$filter`, `$select`, `$expand`, `$orderby`, `$first`, `$last`.

Services work on CIMI document dicts (see docs/architecture.md, "Document dicts"). The route
parses the request's arguments once and hands the `Query` to the service:

    from app.protocol.query import parse_query

    query = parse_query(request.args, max_page_size=current_app.config["CIMI_PAGE_SIZE_MAX"])

Every malformed parameter raises `QueryError`, a `BadRequest` (400) whose message names the
parameter and the 1-based character position of the problem, e.g.
`Invalid $filter at position 7: expected a value ..., found the end of the filter`.
Parameters this package does not know (`$format`, anything without `$`) are ignored, and a
parameter given with a blank value counts as not given.

Listing a collection (the general case):

    page, count = query.apply(documents, expand=resolve_href)
    # filter -> orderby -> $first/$last slice -> expand -> select; count = members that
    # passed the filter. `resolve_href(href)` returns the referenced document dict or None.

Pushing work down to OpenNebula:

    equalities = query.pushdown_equalities({"state"})  # {"state": "STARTED"} or {}
    # translate into a backend argument if possible; query.apply(...) still checks the
    # whole filter. If the backend applied the equality *exactly*:
    query = query.with_exact_pushdown({"state"})
    window = query.page_window()                        # PageWindow or None
    if window is not None and not window.is_empty:
        records = pool_info(start=window.one_start, end=window.one_end)
        page, count = query.apply_window(documents_of(records), count=total, expand=...)
    # page_window() is None when a filter or an ordering needs the whole collection.
    # OpenNebula reads end=-1 as "everything", so a one-member window asks for two
    # (one_end == -2) and apply_window trims. The backend does not report the size of the
    # collection: the service supplies `count` itself (or does not push the window down).

A single resource: `query.shape(document, expand=resolve_href)` ($expand then $select), or
`query.select_resource(document)` ($select alone). A PUT: `update = query.updates(body)`
gives `update.values` to set, `update.cleared` (selected but absent from the body) and
`update.partial` (False without `$select`).

Semantics

`$filter`, the CIMI grammar:
- `and` binds tighter than `or`; parentheses group; `and`, `or`, `true`, `false` are
  case-insensitive. Several `$filter` parameters are ANDed.
- Comparisons: `=`, `!=`, `<`, `<=`, `>`, `>=` between an attribute and a value, either
  side (`cpu>2` is `2<cpu`); two attributes or two values is a 400.
- Attributes are names, or paths into nested dicts with `/` or `.`: `machineConfig/href`,
  `properties.owner`. `property['key']` is the CIMI form for `properties`; it takes a quoted
  string value (anything else is a 400). A reference (`{"href": ...}`) compares as its href,
  so `machineImage='http://.../machineImages/7'` works. Filters see references, not expanded
  documents.
- Values: integers (`-5`, `1048576`; decimals are a 400), strings in single or double quotes
  with the escapes `\\'`, `\\"` and `\\\\` only (others are a 400), `true`/`false`, and unquoted
  dates: `2024-05-01` or `2024-05-01T10:00:00[.fraction][Z|+hh:mm|-hh:mm]` (no offset = UTC).
- Integers compare numerically with numeric attributes; strings compare by code point
  (case-sensitive); dates compare as instants with attributes holding ISO 8601 strings. A
  date alone is the whole UTC day: `created=2024-05-01` is any time that day,
  `created<2024-05-01` before it, `created<=2024-05-01` up to its end, `created>2024-05-01`
  from the next day on. A quoted date is a string and compares as text.
- Booleans: only `=` and `!=`; ordering a boolean is a 400.
- A missing or null attribute, a list, a dict that is not a reference, or an attribute whose
  type differs from the value's (`cpu='4'`, `name=4`) makes `=`, `<`, `<=`, `>`, `>=` false.
  `a!=v` is exactly `not (a=v)`, so it holds for those members: every member passes exactly
  one of `a=v` and `a!=v`.
- Limits: 8192 characters per `$filter` (`MAX_FILTER_LENGTH`), parentheses 32 deep
  (`MAX_FILTER_DEPTH`). Parsing is linear in the length of the text.

`$select`: comma-separated top-level attribute names or `*`; several parameters are united.
`resourceURI` and `id` are always kept; names a member does not have are ignored. On a
collection it applies to each member. `$expand`: names or `*`; it replaces a reference, or a
list of references, held by a selected top-level attribute with `{href, ...resolved
document}` (`operations` never). Names that hold no reference are ignored; without a
resolver nothing is expanded.

`$orderby`: `attr`, `attr:asc`, `attr:desc` (paths allowed), comma-separated, several
parameters concatenated, most significant first; the sort is stable. Numbers sort before
strings before booleans; a key whose present values are all ISO 8601 dates sorts by instant;
missing values sort last in both directions.

`$first`/`$last`: 1-based and inclusive over the filtered, ordered collection; either alone
(`$first` defaults to 1, `$last` to the end); `$first` past the end or `$last` before
`$first` give an empty page. Anything but a positive integer, or the parameter twice, is a
400. `max_page_size` clamps the page silently: it starts at `$first` and holds at most
`max_page_size` members; `count` tells the client there are more.
"""
from .errors import QueryError
from .nodes import AllOf, AnyOf, Comparison, DateValue
from .parameters import COLLECTION_PARAMETERS, RESOURCE_PARAMETERS, SELECT, Parameter
from .params import AttributeSelection, SortKey
from .parser import MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, parse_filter
from .query import REQUIRED_ATTRIBUTES, PageWindow, Query, Update, parse_query

__all__ = [
    "AllOf",
    "AnyOf",
    "AttributeSelection",
    "COLLECTION_PARAMETERS",
    "Comparison",
    "DateValue",
    "MAX_FILTER_DEPTH",
    "MAX_FILTER_LENGTH",
    "PageWindow",
    "Parameter",
    "Query",
    "QueryError",
    "REQUIRED_ATTRIBUTES",
    "RESOURCE_PARAMETERS",
    "SELECT",
    "SortKey",
    "Update",
    "parse_filter",
    "parse_query",
]
