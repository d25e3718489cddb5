"""Password hashing (argon2id) and signed, expiring access tokens (JWT, HS256)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from gigsta.domain.accounts import Role, Viewer

_hasher = PasswordHasher()
# Verified against when the email is unknown, so both "unknown email" and "wrong
# password" cost one argon2 verification and cannot be told apart by timing.
_DUMMY_HASH = _hasher.hash("gigsta-timing-equaliser")

TOKEN_ISSUER = "gigsta"
TOKEN_ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and (
            password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


class InvalidTokenError(Exception):
    """The bearer token is malformed, tampered with or expired."""


def issue_token(viewer: Viewer, *, secret: str, now: datetime, ttl: timedelta) -> str:
    claims: dict[str, Any] = {
        "sub": viewer.user_id,
        "role": viewer.role.value,
        "pid": viewer.profile_id,
        "iss": TOKEN_ISSUER,
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
    }
    return jwt.encode(claims, secret, algorithm=TOKEN_ALGORITHM)


def read_token(token: str, *, secret: str, now: datetime) -> Viewer:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[TOKEN_ALGORITHM],
            issuer=TOKEN_ISSUER,
            options={"require": ["sub", "exp", "iat", "role"], "verify_exp": False},
        )
    except jwt.PyJWTError as exc:
        raise InvalidTokenError("The access token is invalid.") from exc
    # Expiry is checked against our clock (injectable in tests), not the OS's.
    if int(claims["exp"]) <= int(now.timestamp()):
        raise InvalidTokenError("The access token has expired. Sign in again.")
    try:
        role = Role(claims["role"])
    except ValueError as exc:
        raise InvalidTokenError("The access token is invalid.") from exc
    pid = claims.get("pid")
    return Viewer(user_id=str(claims["sub"]), role=role, profile_id=pid and str(pid))
