"""Jobs: `<base>/jobs` and `<base>/jobs/<id>`, read and delete only (see app/services/jobs.py)."""
from flask_restx import Resource

from app.cimi import crud, declarations as declare
from app.cimi.api import CollectionNamespace
from app.cimi.inputs import ID
from app.services import jobs

namespace = CollectionNamespace("jobs", jobs.SEGMENT, "Jobs: the caller's asynchronous operations")


@namespace.route("")
class JobCollection(Resource):
    @declare.declared(declare.lists("List the Job collection", jobs.TYPE_NAME))
    def get(self):
        return crud.listing(jobs.resource.list)


@namespace.route(f"/<{ID}:resource_id>")
class Job(Resource):
    @declare.declared(declare.reads("Read one Job", jobs.TYPE_NAME))
    def get(self, resource_id):
        return crud.reading(jobs.resource.get, resource_id)

    @declare.declared(declare.deletes("Delete one Job", declare.DELETED))
    def delete(self, resource_id):
        return crud.deletion(jobs.resource.get, jobs.resource.delete, resource_id)
