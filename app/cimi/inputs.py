"""Per-request inputs of the services, read from the request in one place."""
from flask import current_app, request

from app.errors import BadRequest
from app.one import gateway_for
from app.protocol import base_uri, session_string
from app.protocol.query import Parameter, parse_query
from app.services.caller import Caller
from app.services.links import MAX_ID, Links
from app.services.references import resolver

# URL ids are OpenNebula ids: anything else is not a resource of this server (404).
ID = f"int(max={MAX_ID})"
# What a partial PUT empties when `$select` names it and the body leaves it out.
EMPTIED = {"description": "", "properties": {}}
FORCE = Parameter("force", "true: delete at once, whatever the resource's state.",
                  {"type": "boolean"})


def request_caller():
    """The caller's gateway, links and user name; Unauthenticated without credentials."""
    session = session_string()
    return Caller(gateway=gateway_for(session), links=Links(base_uri()),
                          user_name=session.partition(":")[0],
                          recovery_seconds=current_app.config["CIMI_RECOVERY_SECONDS"])


def request_query():
    return parse_query(request.args, max_page_size=current_app.config["CIMI_PAGE_SIZE_MAX"])


def shaped(caller, query, document):
    """One resource as the request's `$expand` and `$select` ask."""
    return query.shape(document, expand=resolver(caller))


def selected_update(query, body):
    """The body of a PUT whose unmentioned attributes keep their values, as `$select` narrows
    it: only the selected attributes change, and a selected description or properties that
    the body leaves out is emptied; no other attribute can be emptied that way."""
    update = query.updates(body)
    if not update.partial:
        return body
    kept = sorted(update.cleared - EMPTIED.keys())
    if kept:
        raise BadRequest("$select names " + ", ".join(kept) + ", which the body does not "
                         "give and which cannot be emptied.")
    return {**update.values, **{name: EMPTIED[name] for name in update.cleared}}


def forced():
    """`?force=true` on a DELETE."""
    return request.args.get(FORCE.name, "").lower() in ("true", "1", "yes")
