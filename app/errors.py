"""Domain errors shared by every layer.

The gateway (`app.one`) raises them for OpenNebula failures, services raise them for
invalid requests, and `app.protocol.error_responses` is the one place that maps each class to an
HTTP status and a CIMI error body. Messages are written for the API user: they never
contain credentials, stack traces or internal addresses.
"""


class DomainError(Exception):
    """A failure the API reports to its caller."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class BadRequest(DomainError):
    """The request is malformed or names invalid values."""


class Unauthenticated(DomainError):
    """The caller's credentials are missing or wrong."""


class Forbidden(DomainError):
    """The caller is authenticated but not allowed to do this."""


class NotFound(DomainError):
    """The resource does not exist, or is not visible to the caller."""


class Conflict(DomainError):
    """The resource's current state does not allow the operation (in use, wrong state)."""


class Unprocessable(DomainError):
    """The request is well-formed but cannot be carried out as it stands (an Idempotency-Key
    already used for a different request)."""


class CapacityExhausted(Conflict):
    """Something the request draws on is used up, such as the free addresses of a network."""


class PreconditionFailed(DomainError):
    """A conditional request's precondition (If-Match) does not hold."""


class BackendError(DomainError):
    """OpenNebula answered with an unexpected failure."""


class BackendUnavailable(DomainError):
    """OpenNebula cannot be reached."""


class BackendTimeout(DomainError):
    """OpenNebula did not answer in time; `job_uri`, when set, names the Job that follows
    whether it carried out the action all the same."""

    def __init__(self, message, job_uri=None):
        super().__init__(message)
        self.job_uri = job_uri


class ServerBusy(DomainError):
    """This server has no room for the request now; `retry_after` says when to try again."""

    def __init__(self, message, retry_after):
        super().__init__(message)
        self.retry_after = retry_after
