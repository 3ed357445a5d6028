"""EventLogs of machines, read-only: `<base>/eventLogs`, `<base>/eventLogs/<machine id>`, its
`events` and `events/<n>` (see app/services/event_logs.py)."""
from flask_restx import Resource

from app.cimi import crud
from app.cimi.context import ID, request_context, request_query, shaped
from app.cimi.registry import CollectionNamespace
from app.protocol import respond
from app.services import event_logs

namespace = CollectionNamespace("eventLogs", event_logs.SEGMENT,
                                "Event logs of machines, from OpenNebula's VM history")

crud.collection_routes(namespace, event_logs.list_event_logs)
crud.member_routes(namespace, event_logs.get_event_log)


@namespace.route(f"/<{ID}:machine_id>/{event_logs.EVENTS}")
class EventCollection(Resource):
    def get(self, machine_id):
        ctx, query = request_context(), request_query()
        return respond(event_logs.list_events(ctx, machine_id, query))


@namespace.route(f"/<{ID}:machine_id>/{event_logs.EVENTS}/<{ID}:position>")
class Event(Resource):
    def get(self, machine_id, position):
        ctx, query = request_context(), request_query()
        return respond(shaped(ctx, query, event_logs.get_event(ctx, machine_id, position)))
