"""Jobs: `<base>/jobs` and `<base>/jobs/<id>`, read and delete only (see app/services/jobs.py)."""
from app.cimi import crud
from app.cimi.api import CollectionNamespace
from app.services import jobs

namespace = CollectionNamespace("jobs", jobs.SEGMENT, "Jobs: the caller's asynchronous operations")

crud.collection_routes(namespace, jobs.list_jobs)
crud.member_routes(namespace, jobs.get_job, delete=jobs.delete_job)
