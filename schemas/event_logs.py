"""The EventLog and Event resources: a machine's life as OpenNebula's VM history records it
(`app.services.event_logs`), read-only."""
from marshmallow import Schema, fields

from app.protocol.model import Resource, described, reference, shown, subcollection
from schemas.common import ReadOnlyAttributes


class EventLogAttributes(ReadOnlyAttributes):
    """A machine's EventLog (one per machine, gone with it)."""

    class Meta(ReadOnlyAttributes.Meta):
        exclude = ("properties", "operations")

    targetResource = reference("Machine", "The machine whose events the log holds.")
    summary = fields.Dict(keys=fields.String(), values=fields.Integer(), dump_only=True,
                          metadata=described("How many events the log holds of each severity: "
                                             "critical, high, medium and low."))
    events = subcollection("Event", "The machine's events, in the order they happened.")


EVENT_LOG = Resource("EventLog", EventLogAttributes, "The history of events of a machine.",
                     collection="eventLogs")


class EventContent(Schema):
    """What happened to the machine, as a CIMI state or model event tells it."""

    resName = fields.String(metadata=described("The machine's name."))
    resource = reference("Machine", "The machine.")
    resType = fields.String(metadata=described("The machine's resource type URI."))
    state = fields.String(metadata=described("The machine's state after a state event."))
    previous = fields.String(metadata=described("The machine's state before it."))
    change = fields.String(metadata=described("The OpenNebula action, or what happened."))
    host = fields.String(metadata=described("The host the machine was on."))


class EventAttributes(ReadOnlyAttributes):
    """One event of a machine's EventLog; its id is its position in the log."""

    class Meta(ReadOnlyAttributes.Meta):
        exclude = ("description", "updated", "properties", "operations")

    timestamp = shown(fields.DateTime, "When it happened (ISO 8601, UTC).")
    type = shown(description="state: the machine's state changed; model: the machine "
                 "changed otherwise, or is waiting.")
    content = fields.Nested(EventContent, dump_only=True,
                            metadata=described("What happened to which machine."))
    outcome = shown(description="Success, Warning or Failure.")
    severity = shown(description="low, medium or high.")
    contact = shown(description="The host the machine was on.")


EVENT = Resource("Event", EventAttributes, "Something that happened to a machine.")
