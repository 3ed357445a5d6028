"""A second ordinary user, for tests of what one user must not see of another's."""
from app.errors import Conflict

NAME, PASSWORD = "secondcaller", "secondcaller-secret"


def second_user_session(backend):
    """The user's session; oneadmin makes the user the first time a test asks for it."""
    try:
        backend.gateway.call("user.allocate", NAME, PASSWORD, "", [])
    except Conflict:
        pass     # made for an earlier test
    return f"{NAME}:{PASSWORD}"
