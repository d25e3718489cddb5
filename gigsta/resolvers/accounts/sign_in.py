"""Sign-up, log-in and admin creation."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from pymongo.errors import DuplicateKeyError

from gigsta.documents import Customer, User, Worker, raw_collection
from gigsta.documents.accounts import new_profile
from gigsta.domain.accounts import (
    Country,
    Role,
    Viewer,
    normalize_email,
    sign_in_errors,
    validate_email,
    validate_name,
    validate_password,
)
from gigsta.domain.core import ErrorCode, UserError
from gigsta.resolvers.accounts.credentials import (
    PasswordHashing,
    PasswordHashingBusyError,
    hash_password,
    issue_token,
    needs_rehash,
)
from gigsta.resolvers.core import rate_limits

if TYPE_CHECKING:
    from pymongo.asynchronous.collection import AsyncCollection

log = logging.getLogger(__name__)

EMAIL_TAKEN = UserError(
    "email", ErrorCode.EMAIL_TAKEN, "An account with this email already exists."
)
NO_ADMIN_SIGN_UP = UserError(
    "role", ErrorCode.NOT_ALLOWED, "Admin accounts cannot be created by signing up."
)
TOO_MANY_ATTEMPTS = UserError(
    None,
    ErrorCode.RATE_LIMITED,
    "Too many failed sign-in attempts. Try again in 15 minutes.",
)
INVALID_CREDENTIALS = UserError(
    None, ErrorCode.INVALID_CREDENTIALS, "The email or password is incorrect."
)
SIGN_IN_BUSY = UserError(
    None,
    ErrorCode.RATE_LIMITED,
    "Too many sign-ins are being checked right now. Try again in a few seconds.",
)


@dataclass
class AuthResult:
    token: str | None = None
    user: User | None = None
    errors: list[UserError] = field(default_factory=list)


@dataclass(frozen=True)
class TokenConfig:
    secret: str
    ttl: timedelta


def viewer_for(user: User, profile: Customer | Worker | None) -> Viewer:
    assert user.id is not None
    return Viewer(
        user_id=str(user.id),
        role=user.role,
        profile_id=str(profile.id) if profile is not None else None,
    )


def _signed_in(
    user: User, profile: Customer | Worker | None, tokens: TokenConfig, now: datetime
) -> AuthResult:
    token = issue_token(
        viewer_for(user, profile),
        version=user.token_version,
        secret=tokens.secret,
        now=now,
        ttl=tokens.ttl,
    )
    return AuthResult(token=token, user=user)


async def _insert_user(
    email: str, password_hash: str, role: Role, now: datetime
) -> User | None:
    """Store a new account; None when the email is taken (unique index)."""
    user = User(
        email=normalize_email(email),
        password_hash=password_hash,
        role=role,
        created_at=now,
        updated_at=now,
    )
    try:
        await user.insert()
    except DuplicateKeyError:
        return None
    return user


async def sign_up(
    *,
    email: str,
    password: str,
    name: str,
    role: Role,
    country: Country,
    now: datetime,
    tokens: TokenConfig,
    passwords: PasswordHashing,
) -> AuthResult:
    errors = [
        *validate_email(email),
        *validate_password(password),
        *validate_name(name),
    ]
    if role is Role.ADMIN:
        errors.append(NO_ADMIN_SIGN_UP)
    if errors:
        return AuthResult(errors=errors)

    try:
        password_hash = await passwords.hash(password)
    except PasswordHashingBusyError:
        return AuthResult(errors=[SIGN_IN_BUSY])
    user = await _insert_user(email, password_hash, role, now)
    if user is None:
        return AuthResult(errors=[EMAIL_TAKEN])
    assert user.id is not None
    profile = new_profile(user.id, role, name=name, country=country, now=now)
    try:
        await profile.insert()
    except BaseException:
        # Without its profile the account is unusable: undo it so the email can
        # be used again, then let the failure surface (masked, logged).
        await user.delete()
        raise
    return _signed_in(user, profile, tokens, now)


async def profile_of(user: User) -> Customer | Worker | None:
    if user.role is Role.CUSTOMER:
        return await Customer.find_one(Customer.user_id == user.id)
    if user.role is Role.WORKER:
        return await Worker.find_one(Worker.user_id == user.id)
    return None


# Sign-in throttling, per email: after MAX_FAILED_LOGINS failures within
# LOGIN_FAILURE_WINDOW, further attempts are refused until the window has passed.
# Kept in MongoDB (not in the process) so every server instance counts together;
# a TTL index (migration 0005) clears old windows.
MAX_FAILED_LOGINS = 10
LOGIN_FAILURE_WINDOW = timedelta(minutes=15)
LOGIN_FAILURES = "login_failures"
# And per client address, whatever the emails, in the shared rate-limit
# counters: one client cannot try many accounts.
CLIENT_FAILURES = "sign_in_failures"


def too_many_from_client(wait: timedelta) -> UserError:
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return UserError(
        None,
        ErrorCode.RATE_LIMITED,
        "Too many failed sign-ins from your network. "
        f"Try again in {minutes} minute{'s' if minutes > 1 else ''}.",
    )


def _login_failures() -> AsyncCollection[dict[str, Any]]:
    return raw_collection(LOGIN_FAILURES)


async def _login_locked(email: str, now: datetime) -> bool:
    window = await _login_failures().find_one(
        {"_id": email, "window_start": {"$gt": now - LOGIN_FAILURE_WINDOW}}
    )
    return window is not None and int(window["count"]) >= MAX_FAILED_LOGINS


async def _record_login_failure(email: str, now: datetime) -> None:
    failures = _login_failures()
    counted = await failures.update_one(
        {"_id": email, "window_start": {"$gt": now - LOGIN_FAILURE_WINDOW}},
        {"$inc": {"count": 1}},
    )
    if counted.matched_count == 0:
        # No live window: start one (a racing failure may overwrite it; the
        # count is a throttle, not a ledger, so being off by one is harmless).
        await failures.update_one(
            {"_id": email},
            {"$set": {"count": 1, "window_start": now}},
            upsert=True,
        )


async def _forgive_client(client_address: str, now: datetime) -> None:
    await rate_limits.refund(
        CLIENT_FAILURES, client_address, window=LOGIN_FAILURE_WINDOW, now=now
    )


async def log_in(
    *,
    email: str,
    password: str,
    now: datetime,
    tokens: TokenConfig,
    passwords: PasswordHashing,
    client_address: str,
    failures_per_client: int,
) -> AuthResult:
    """Check the password and issue a token. Failures are limited per email
    and per `client_address` (`failures_per_client` in each window)."""
    if errors := sign_in_errors(email, password):
        return AuthResult(errors=errors)
    # Every attempt is counted against the client before the password is
    # checked, so concurrent attempts cannot overshoot; a success gives it back.
    if not await rate_limits.allow(
        CLIENT_FAILURES,
        client_address,
        limit=failures_per_client,
        window=LOGIN_FAILURE_WINDOW,
        now=now,
    ):
        wait = rate_limits.retry_after(LOGIN_FAILURE_WINDOW, now)
        return AuthResult(errors=[too_many_from_client(wait)])
    normalized = normalize_email(email)
    # The same answer whether or not the email has an account.
    if await _login_locked(normalized, now):
        return AuthResult(errors=[TOO_MANY_ATTEMPTS])
    user = await User.find_one(User.email == normalized)
    try:
        verified = await passwords.verify(
            user.password_hash if user else None, password
        )
    except PasswordHashingBusyError:
        await _forgive_client(client_address, now)  # nothing was checked
        return AuthResult(errors=[SIGN_IN_BUSY])
    if not verified:
        await _record_login_failure(normalized, now)
        return AuthResult(errors=[INVALID_CREDENTIALS])
    assert user is not None
    await _forgive_client(client_address, now)
    await _login_failures().delete_one({"_id": normalized})
    if needs_rehash(user.password_hash):
        # Opportunistic: when the pool is full, a later sign-in upgrades it.
        with contextlib.suppress(PasswordHashingBusyError):
            await user.set({User.password_hash: await passwords.hash(password)})
    profile = await profile_of(user)
    return _signed_in(user, profile, tokens, now)


async def create_admin(*, email: str, password: str, now: datetime) -> AuthResult:
    errors = [*validate_email(email), *validate_password(password)]
    if errors:
        return AuthResult(errors=errors)
    # An operator's command, not reachable by clients: no shared pool needed,
    # only a thread so that a server's loop calling it is not held.
    password_hash = await asyncio.to_thread(hash_password, password)
    user = await _insert_user(email, password_hash, Role.ADMIN, now)
    if user is None:
        return AuthResult(errors=[EMAIL_TAKEN])
    return AuthResult(user=user)
