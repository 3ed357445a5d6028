"""Who a service call acts for, and what it needs of the request, without seeing the request:
the user's gateway, the links of this server, the user's name."""
from dataclasses import dataclass

from app.config import DEFAULT_RECOVERY_SECONDS
from app.services.links import Links


@dataclass(frozen=True)
class Caller:
    gateway: object     # app.one.gateway.Gateway acting as this user
    links: Links
    user_name: str      # the caller's OpenNebula user name
    # How long an operation may stay unconfirmed before reads settle it as interrupted
    # (CIMI_RECOVERY_SECONDS).
    recovery_seconds: float = DEFAULT_RECOVERY_SECONDS
