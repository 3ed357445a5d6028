"""What the route methods of CIMI resources share, as one-line calls.

A resource module writes its own route classes (`@namespace.route(url)`, `class X(Resource)`)
with the methods it serves, each declared (`app.cimi.declarations`); a method whose answer has
the common shape calls one of these with the service functions it uses and the URL's ids, in
the order the service takes them. A method a resource does not serve is absent from its class,
so flask-restx answers it with 405 and the right Allow header.
"""
from app.cimi.declarations import LOCATION
from app.cimi.inputs import request_caller, request_query, selected_update, shaped
from app.protocol import require_current, respond
from app.services import jobs


def listing(list_members, *ids):
    """The members of a collection (of the resource that `ids` name, if any) the query
    selects."""
    caller, query = request_caller(), request_query()
    return respond(list_members(caller, *ids, query))


def creation(create, body):
    """201 with the created resource, Location its id."""
    created = create(request_caller(), body())
    return respond(created, 201, {LOCATION: created["id"]})


def reading(get, *ids):
    """One resource, shaped by `$expand` and `$select`."""
    caller, query = request_caller(), request_query()
    return respond(shaped(caller, query, get(caller, *ids)))


def replacement(get, update, resource_id, body):
    """The resource replaced by the body, once If-Match holds."""
    caller = request_caller()
    require_current(lambda: get(caller, resource_id))
    return respond(update(caller, resource_id, body()))


def selected_replacement(get, update, resource_id, body):
    """The resource changed in what the body gives, or only in what `$select` names, once
    If-Match holds."""
    caller, query = request_caller(), request_query()
    require_current(lambda: get(caller, resource_id))
    return respond(update(caller, resource_id, selected_update(query, body())))


def deletion(get, delete, *ids):
    """200 once the resource is deleted, after If-Match holds."""
    caller = request_caller()
    require_current(lambda: get(caller, *ids))
    delete(caller, *ids)
    return respond(None, 200)


def deletion_by_job(get, delete, *ids):
    """202 with CIMI-Job-URI naming the Job `delete` returns, after If-Match holds."""
    caller = request_caller()
    require_current(lambda: get(caller, *ids))
    return respond(None, 202, jobs.job_header(delete(caller, *ids)))
