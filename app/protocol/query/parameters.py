"""The CIMI query parameters as data: what each one means, for the API description.

`parse_query` reads them; `COLLECTION_PARAMETERS` are those a collection's GET honours,
`RESOURCE_PARAMETERS` those of a single resource's GET, `SELECT` alone narrows a PUT.
"""
from dataclasses import dataclass

from .parser import MAX_FILTER_LENGTH


@dataclass(frozen=True)
class Parameter:
    """A query parameter: its name, what it does, and its JSON Schema."""

    name: str
    description: str
    schema: dict


FILTER = Parameter(
    "$filter", "Members for which the CIMI filter expression holds (`name='web' and cpu>=2`, "
    "`property['key']='value'`, `created>2024-05-01`); several are ANDed.",
    {"type": "string", "maxLength": MAX_FILTER_LENGTH})
SELECT = Parameter(
    "$select", "Comma-separated top-level attribute names, or `*`: only those are answered "
    "(resourceURI and id always are); on a PUT, only those are changed.", {"type": "string"})
EXPAND = Parameter(
    "$expand", "Comma-separated attribute names, or `*`: the references they hold are "
    "answered with the referenced resource inline.", {"type": "string"})
ORDERBY = Parameter(
    "$orderby", "Comma-separated sort keys, `attr`, `attr:asc` or `attr:desc`, most "
    "significant first.", {"type": "string"})
FIRST = Parameter("$first", "The number (from 1) of the first member answered.",
                  {"type": "integer", "minimum": 1})
LAST = Parameter("$last", "The number (from 1) of the last member answered.",
                 {"type": "integer", "minimum": 1})

COLLECTION_PARAMETERS = (FILTER, SELECT, EXPAND, ORDERBY, FIRST, LAST)
RESOURCE_PARAMETERS = (SELECT, EXPAND)
