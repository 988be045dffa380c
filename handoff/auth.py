"""Passwords (argon2) and short-lived login tokens (HS256 JWT) for agents; the action server's token.

A token names the agent and their role; the agent record is still read on every request, so
disabling an agent locks them out at once rather than when the token expires.
"""
import hmac
import time
from dataclasses import dataclass
from typing import Optional

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ROLES = ("agent", "supervisor", "admin")
MIN_PASSWORD_CHARS = 8
_hasher = PasswordHasher()


class AuthError(Exception):
    """Missing, malformed, expired or revoked credentials: the caller answers 401."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class Identity:
    """Who is calling: an agent (with role) or the action server (role "service")."""

    name: str
    role: str

    @property
    def sees_everything(self) -> bool:
        return self.role in ("supervisor", "admin", "service")


SERVICE = Identity("action-server", "service")


def issue_token(name: str, role: str, secret: str, ttl_seconds: float) -> tuple:
    expires = int(time.time() + ttl_seconds)
    token = jwt.encode({"sub": name, "role": role, "exp": expires}, secret, algorithm="HS256")
    return token, expires


def read_token(token: str, secret: str) -> Identity:
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["exp", "sub"]})
    except jwt.ExpiredSignatureError:
        raise AuthError("token expired: log in again") from None
    except jwt.InvalidTokenError:
        raise AuthError("invalid token") from None
    if claims.get("role") not in ROLES:
        raise AuthError("invalid token")
    return Identity(claims["sub"], claims["role"])


def bearer_token(authorization: Optional[str]) -> str:
    if not authorization or not authorization.startswith("Bearer "):
        raise AuthError("missing 'Authorization: Bearer <token>' header")
    return authorization[len("Bearer "):].strip()


def is_service_token(token: str, service_token: str) -> bool:
    return hmac.compare_digest(token.encode(), service_token.encode())
