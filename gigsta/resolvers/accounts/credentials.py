"""Password hashing (argon2id) and signed, expiring access tokens (JWT, HS256)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from gigsta.domain.accounts import Role, Viewer

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")

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


# How much lower than the event loop the hashing threads are scheduled (a nice
# increment): with few CPUs, the loop then gets one as soon as it has work, and
# sign-ins take what is left.
HASHING_NICENESS = 10


def _lower_thread_priority() -> None:
    # Linux keeps a nice value per thread (and argon2's own lane threads inherit
    # it); elsewhere this would renice the whole process, so it is not done.
    if sys.platform == "linux":
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICENESS)


class PasswordHashingBusyError(Exception):
    """More password checks are waiting than the server is configured to queue."""


class PasswordHashing:
    """argon2 on a few dedicated threads, so the event loop never runs it.

    A hash costs tens of milliseconds of CPU and 64 MiB; on the loop, thirty
    sign-ins at once stall every other request for seconds. argon2-cffi releases
    the GIL while it works, so the loop stays free. At most `threads` hashes run
    at once and at most `max_waiting` more wait; beyond that a caller gets
    `PasswordHashingBusyError` at once instead of joining an ever longer queue.
    """

    def __init__(self, *, threads: int, max_waiting: int) -> None:
        self._executor = ThreadPoolExecutor(
            max_workers=threads,
            thread_name_prefix="argon2",
            initializer=_lower_thread_priority,
        )
        self._capacity = threads + max_waiting
        self._in_flight = 0

    async def _run(self, work: Callable[..., T], *args: Any) -> T:
        # Only the loop's thread touches the counter, so no lock is needed.
        if self._in_flight >= self._capacity:
            raise PasswordHashingBusyError
        self._in_flight += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, work, *args)
        finally:
            self._in_flight -= 1

    async def hash(self, password: str) -> str:
        return await self._run(hash_password, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Like `verify_password`: an unknown account costs the same."""
        return await self._run(verify_password, password_hash, password)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


class InvalidTokenError(Exception):
    """The bearer token is malformed, tampered with, expired or revoked."""


@dataclass(frozen=True, slots=True)
class TokenClaims:
    viewer: Viewer
    # The account's `token_version` when the token was issued: bumping the
    # stored one revokes every token issued before.
    version: int
    # When the token stops being accepted (its `exp`); a live subscription
    # made with it ends then.
    expires_at: datetime


def issue_token(
    viewer: Viewer, *, version: int, secret: str, now: datetime, ttl: timedelta
) -> str:
    claims: dict[str, Any] = {
        "sub": viewer.user_id,
        "role": viewer.role.value,
        "pid": viewer.profile_id,
        "ver": version,
        "iss": TOKEN_ISSUER,
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
    }
    return jwt.encode(claims, secret, algorithm=TOKEN_ALGORITHM)


def _is_int(value: object) -> bool:
    return type(value) is int  # not bool, not a numeric string, not a float


def read_token(token: str, *, secret: str, now: datetime) -> TokenClaims:
    """The claims of a token we signed, each of exactly the type we write.

    PyJWT accepts `"exp": "9999999999"` (it calls `int()`), so the types are
    checked here; anything else is `InvalidTokenError`.
    """
    invalid = InvalidTokenError("The access token is invalid.")
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[TOKEN_ALGORITHM],
            issuer=TOKEN_ISSUER,
            options={"require": ["sub", "exp", "iat", "role"], "verify_exp": False},
        )
    except jwt.PyJWTError as exc:
        raise invalid from exc
    # Tokens issued before versions existed carry none: version 0, which the
    # first revocation leaves behind like any other.
    version = claims.get("ver", 0)
    pid = claims.get("pid")
    if not (
        isinstance(claims["sub"], str)
        and isinstance(claims["role"], str)
        and (pid is None or isinstance(pid, str))
        and _is_int(claims["iat"])
        and _is_int(claims["exp"])
        and _is_int(version)
        and version >= 0
    ):
        raise invalid
    # Expiry is checked against our clock (injectable in tests), not the OS's.
    if claims["exp"] <= int(now.timestamp()):
        raise InvalidTokenError("The access token has expired. Sign in again.")
    try:
        role = Role(claims["role"])
    except ValueError as exc:
        raise invalid from exc
    return TokenClaims(
        viewer=Viewer(user_id=claims["sub"], role=role, profile_id=pid),
        version=version,
        expires_at=datetime.fromtimestamp(claims["exp"], UTC),
    )
