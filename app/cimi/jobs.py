"""Jobs: `<base>/jobs` and `<base>/jobs/<id>`, read and delete only (see app/services/jobs.py)."""
from flask_restx import Resource

from app.cimi.context import ID, request_context, request_query, shaped
from app.cimi.registry import CollectionNamespace
from app.protocol import require_current, respond
from app.services import jobs

namespace = CollectionNamespace("jobs", jobs.SEGMENT, "Jobs: the caller's asynchronous operations")


@namespace.route("")
class JobCollection(Resource):
    def get(self):
        ctx, query = request_context(), request_query()
        return respond(jobs.list_jobs(ctx, query))


@namespace.route(f"/<{ID}:job_id>")
class Job(Resource):
    def get(self, job_id):
        ctx, query = request_context(), request_query()
        return respond(shaped(ctx, query, jobs.get_job(ctx, job_id)))

    def delete(self, job_id):
        ctx = request_context()
        require_current(lambda: jobs.get_job(ctx, job_id))
        jobs.delete_job(ctx, job_id)
        return respond(None, 200)
