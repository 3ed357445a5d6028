"""The Job resource: an asynchronous operation a caller started, followed in OpenNebula
(`app.services.jobs`). Only the server writes Jobs; a client reads and deletes them."""
from marshmallow import fields

from app.protocol.model import Href, Resource, listed, reference, shown
from schemas.common import ReadOnlyAttributes


class JobAttributes(ReadOnlyAttributes):
    """A Job; its state follows its target's in OpenNebula, until it has ended."""

    class Meta(ReadOnlyAttributes.Meta):
        exclude = ("description", "properties")

    state = shown(description="QUEUED, RUNNING, SUCCESS or FAILED.")
    targetResource = reference(None, "The resource the operation acts on; the Job's state "
                               "follows it.")
    affectedResources = listed(fields.Nested(Href), "affectedResource",
                               "Every resource the operation changes, its target first.",
                               shown=True)
    action = shown(description="The operation: an action URI, or add, edit or delete.")
    returnCode = shown(fields.Integer, "0 once the operation succeeded, 1 once it failed.")
    progress = shown(fields.Integer, "0 while queued, 50 while running, 100 at the end.",
                     units="percent")
    statusMessage = shown(description="Why the Job is waiting or has failed, or what it "
                          "ended with.")
    timeOfStatusChange = shown(fields.DateTime, "When the state last changed (ISO 8601, UTC).")


JOB = Resource("Job", JobAttributes, "An asynchronous operation and how it went.",
               collection="jobs")
