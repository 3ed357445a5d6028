"""A second ordinary user, for tests of what one user must not see of another's."""


def second_user_session(opennebula):
    """The user's session; oneadmin makes the user the first time a test asks for it."""
    return opennebula.user_session("secondcaller")
