"""EventLogs of machines, read-only: `<base>/eventLogs`, `<base>/eventLogs/<machine id>`, its
`events` and `events/<n>` (see app/services/event_logs.py)."""
from app.cimi import crud
from app.cimi.api import CollectionNamespace
from app.services import event_logs

namespace = CollectionNamespace("eventLogs", event_logs.SEGMENT,
                                "Event logs of machines, from OpenNebula's VM history")

crud.collection_routes(namespace, event_logs.list_event_logs)
crud.member_routes(namespace, event_logs.get_event_log)
crud.part_routes(namespace, event_logs.EVENTS, event_logs.EVENT_TYPE_NAME, event_logs.list_events,
                 event_logs.get_event)
