"""Bearer tokens and what each kind may do.

Two kinds of caller:
- ``service`` (ORDERS_READ_TOKEN): the action server. Reads, and acts for a customer the bot has
  verified: verify, change address, cancel, request a return.
- ``admin`` (ORDERS_ADMIN_TOKEN): tests and data tools. Everything the service token may do, plus
  creating orders.
"""
import hmac
from enum import Enum
from typing import Optional

from orders.errors import Forbidden, Unauthorized


class Role(str, Enum):
    SERVICE = "service"
    ADMIN = "admin"


class TokenAuth:
    def __init__(self, service_token: str, admin_token: str) -> None:
        self._tokens = ((Role.ADMIN, admin_token.encode()), (Role.SERVICE, service_token.encode()))

    def role_of(self, authorization: Optional[str]) -> Role:
        """The role of the bearer token in an Authorization header; Unauthorized when there is none."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Send the API token as 'Authorization: Bearer <token>'.")
        presented = token.strip().encode()
        role = None
        for candidate, secret in self._tokens:
            # Compare against every token so timing does not tell which one was close.
            if hmac.compare_digest(presented, secret) and role is None:
                role = candidate
        if role is None:
            raise Unauthorized("The API token is not valid.")
        return role

    def require(self, authorization: Optional[str], needed: Role) -> Role:
        role = self.role_of(authorization)
        if needed is Role.ADMIN and role is not Role.ADMIN:
            raise Forbidden("This endpoint needs the admin token; the service token may not use it.")
        return role
