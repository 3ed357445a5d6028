"""A second ordinary user, for tests of what one user must not see of another's."""
from app.errors import BackendError, Conflict

NAME, PASSWORD = "secondcaller", "secondcaller-secret"


def second_user_session(backend):
    """The user's session; oneadmin makes the user the first time a test asks for it."""
    try:
        backend.gateway.call("user.allocate", NAME, PASSWORD, "", [])
    except (Conflict, BackendError) as error:
        # Made for an earlier test: oned 7.0.2 refuses the taken name as an INTERNAL error.
        if "already taken" not in str(error):
            raise
    return f"{NAME}:{PASSWORD}"
