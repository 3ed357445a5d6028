"""The caller's HTTP Basic credentials as their own OpenNebula session string."""
from flask import request

from app.errors import Unauthenticated


def session_string():
    """'user:password' (the password may contain ':'); Unauthenticated (401) when the request
    carries no usable Basic credentials."""
    credentials = request.authorization
    if credentials is None or credentials.type != "basic":
        raise Unauthenticated("Authentication required: send HTTP Basic credentials.")
    if not credentials.username:
        raise Unauthenticated("The user name in the Basic credentials must not be empty.")
    return f"{credentials.username}:{credentials.password}"
