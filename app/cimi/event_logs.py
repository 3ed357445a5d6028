"""EventLogs of machines, read-only: `<base>/eventLogs`, `<base>/eventLogs/<machine id>`, its
`events` and `events/<n>` (see app/services/event_logs.py)."""
from flask_restx import Resource

from app.cimi import crud, declarations as declare
from app.cimi.api import CollectionNamespace
from app.cimi.inputs import ID
from app.services import event_logs

namespace = CollectionNamespace("eventLogs", event_logs.SEGMENT,
                                "Event logs of machines, from OpenNebula's VM history")


@namespace.route("")
class EventLogCollection(Resource):
    @declare.declared(declare.lists("List the EventLog collection", event_logs.TYPE_NAME))
    def get(self):
        return crud.listing(event_logs.list_event_logs)


@namespace.route(f"/<{ID}:resource_id>")
class EventLog(Resource):
    @declare.declared(declare.reads("Read one EventLog", event_logs.TYPE_NAME))
    def get(self, resource_id):
        return crud.reading(event_logs.get_event_log, resource_id)


@namespace.route(f"/<{ID}:owner_id>/{event_logs.EVENTS}")
class EventCollection(Resource):
    @declare.declared(declare.lists("List the Event parts of a resource",
                                    event_logs.EVENT_TYPE_NAME))
    def get(self, owner_id):
        return crud.listing(event_logs.list_events, owner_id)


@namespace.route(f"/<{ID}:owner_id>/{event_logs.EVENTS}/<{ID}:part_id>")
class Event(Resource):
    @declare.declared(declare.reads("Read one Event", event_logs.EVENT_TYPE_NAME))
    def get(self, owner_id, part_id):
        return crud.reading(event_logs.get_event, owner_id, part_id)
