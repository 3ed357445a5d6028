"""The routes that CIMI resources share: a collection, its members, and the read-only parts
of a member (a machine's disks, a log's events).

A resource module keeps its own Namespace and states what it serves: the service functions,
the request schemas, whether a PUT is narrowed by `$select` and whether a DELETE answers
at once (200) or with a Job (202). A method a resource does not serve is left out of its
route class, so flask-restx answers it with 405 and the right Allow header. Each method
carries its declaration (`app.cimi.declarations`), from which the OpenAPI document is made.
"""
from flask_restx import Resource

from app.cimi import declarations as declare
from app.cimi.inputs import ID, request_caller, request_query, selected_update, shaped
from app.protocol import require_current, respond
from app.services import jobs


def collection_routes(namespace, list_members, create=None, create_schema=None):
    """GET lists the collection; with `create`, POST adds a member (201, Location: its id)."""
    type_name = namespace.type_name

    @declare.declared(declare.lists(f"List the {type_name} collection", type_name))
    def get(self):
        caller, query = request_caller(), request_query()
        return respond(list_members(caller, query))

    @declare.declared(declare.Declaration(f"Create one {type_name}", (declare.CREATED,),
                                          body=create_schema, resource=type_name))
    def post(self, body):
        caller = request_caller()
        created = create(caller, body())
        return respond(created, 201, {declare.LOCATION: created["id"]})

    methods = {"get": get} if create is None else {"get": get, "post": post}
    namespace.add_resource(type("Collection", (Resource,), methods), "")


def member_routes(namespace, get, update=None, update_schema=None, partial_updates=False,
                  delete=None, delete_by_job=None):
    """GET reads one member, shaped by `$expand` and `$select`. With `update`, PUT replaces it
    after If-Match holds, or with `partial_updates` changes the attributes the body gives or
    `$select` names. DELETE, after If-Match holds, answers 200 with `delete` and 202 with the
    Job's header with `delete_by_job` (which returns the Job's URI)."""
    type_name = namespace.type_name

    @declare.declared(declare.reads(f"Read one {type_name}", type_name))
    def read(self, resource_id):
        caller, query = request_caller(), request_query()
        return respond(shaped(caller, query, get(caller, resource_id)))

    @declare.declared(declare.updates(f"Replace one {type_name}", update_schema, type_name,
                                      partial=False))
    def replace(self, resource_id, body):
        caller = request_caller()
        require_current(lambda: get(caller, resource_id))
        return respond(update(caller, resource_id, body()))

    @declare.declared(declare.updates(f"Update one {type_name}, all of it or what $select names",
                                      update_schema, type_name, partial=True))
    def update_selected(self, resource_id, body):
        caller, query = request_caller(), request_query()
        require_current(lambda: get(caller, resource_id))
        return respond(update(caller, resource_id, selected_update(query, body())))

    @declare.declared(declare.deletes(f"Delete one {type_name}", declare.DELETED))
    def remove(self, resource_id):
        caller = request_caller()
        require_current(lambda: get(caller, resource_id))
        delete(caller, resource_id)
        return respond(None, 200)

    @declare.declared(declare.deletes(f"Delete one {type_name}", declare.JOB_STARTED))
    def remove_by_job(self, resource_id):
        caller = request_caller()
        require_current(lambda: get(caller, resource_id))
        job_uri = delete_by_job(caller, resource_id)
        return respond(None, 202, jobs.job_header(job_uri))

    methods = {"get": read}
    if update is not None:
        methods["put"] = update_selected if partial_updates else replace
    if delete is not None:
        methods["delete"] = remove
    if delete_by_job is not None:
        methods["delete"] = remove_by_job
    namespace.add_resource(type("Member", (Resource,), methods), f"/<{ID}:resource_id>")


def part_routes(namespace, segment, type_name, list_parts, get_part):
    """GET `/<owner id>/<segment>` lists the parts (of type `type_name`) of one resource (a
    machine's disks, a log's events); GET `/<owner id>/<segment>/<part id>` reads one, shaped
    by `$expand` and `$select`. Both are read-only."""

    @declare.declared(declare.lists(f"List the {type_name} parts of a resource", type_name))
    def list_of(self, owner_id):
        caller, query = request_caller(), request_query()
        return respond(list_parts(caller, owner_id, query))

    @declare.declared(declare.reads(f"Read one {type_name}", type_name))
    def read(self, owner_id, part_id):
        caller, query = request_caller(), request_query()
        return respond(shaped(caller, query, get_part(caller, owner_id, part_id)))

    parts = f"/<{ID}:owner_id>/{segment}"
    namespace.add_resource(type("Parts", (Resource,), {"get": list_of}), parts)
    namespace.add_resource(type("Part", (Resource,), {"get": read}),
                           f"{parts}/<{ID}:part_id>")
