"""`$orderby`: a stable multi-key sort of document dicts.

Per key, values rank numbers first, then strings, then booleans (false before true); when
every present value of a key is an ISO 8601 date or dateTime, they sort as instants, so
`created` orders by time whatever the precision or offset of each string. Members whose
value is missing, null, a list or a non-reference dict come last in both directions, in
their previous order.
"""
from .evaluate import MISSING, as_instant, is_number, resolve

_NUMBER, _STRING, _BOOLEAN = range(3)


def order(members, keys):
    """`members` sorted by `keys` (most significant first); equal members keep their order."""
    ordered = list(members)
    for key in reversed(keys):
        ordered = _sort_by(ordered, key)
    return ordered


def _sort_by(members, key):
    values = [resolve(member, key.path) for member in members]
    present = [(value, member) for value, member in zip(values, members) if value is not MISSING]
    absent = [member for value, member in zip(values, members) if value is MISSING]
    rank = as_instant if _all_instants(value for value, _ in present) else _typed_rank
    present.sort(key=lambda pair: rank(pair[0]), reverse=key.descending)
    return [member for _, member in present] + absent


def _all_instants(values):
    found = False
    for value in values:
        if as_instant(value) is None:
            return False
        found = True
    return found


def _typed_rank(value):
    if is_number(value):
        return (_NUMBER, value)
    if isinstance(value, bool):
        return (_BOOLEAN, value)
    return (_STRING, str(value))
