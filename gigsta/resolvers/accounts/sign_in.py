"""Sign-up, log-in and admin creation."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from pymongo.errors import DuplicateKeyError

from gigsta.documents import Customer, User, Worker, raw_collection
from gigsta.domain.accounts import (
    Country,
    Role,
    Viewer,
    currency_for,
    normalize_email,
    sign_in_errors,
    validate_email,
    validate_name,
    validate_password,
)
from gigsta.domain.core import ErrorCode, UserError
from gigsta.resolvers.accounts.credentials import (
    hash_password,
    issue_token,
    needs_rehash,
    verify_password,
)

if TYPE_CHECKING:
    from pymongo.asynchronous.collection import AsyncCollection

log = logging.getLogger(__name__)

EMAIL_TAKEN = UserError(
    "email", ErrorCode.EMAIL_TAKEN, "An account with this email already exists."
)
TOO_MANY_ATTEMPTS = UserError(
    None,
    ErrorCode.RATE_LIMITED,
    "Too many failed sign-in attempts. Try again in 15 minutes.",
)
INVALID_CREDENTIALS = UserError(
    None, ErrorCode.INVALID_CREDENTIALS, "The email or password is incorrect."
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


async def _insert_user(
    email: str, password: str, role: Role, now: datetime
) -> User | None:
    """Store a new account; None when the email is taken (unique index)."""
    user = User(
        email=normalize_email(email),
        password_hash=hash_password(password),
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
) -> AuthResult:
    errors = [
        *validate_email(email),
        *validate_password(password),
        *validate_name(name),
    ]
    if role is Role.ADMIN:
        errors.append(
            UserError(
                "role",
                ErrorCode.NOT_ALLOWED,
                "Admin accounts cannot be created by signing up.",
            )
        )
    if errors:
        return AuthResult(errors=errors)

    user = await _insert_user(email, password, role, now)
    if user is None:
        return AuthResult(errors=[EMAIL_TAKEN])
    assert user.id is not None
    profile: Customer | Worker
    if role is Role.CUSTOMER:
        profile = Customer(
            user_id=user.id,
            name=name.strip(),
            country=country,
            created_at=now,
            updated_at=now,
        )
    else:
        profile = Worker(
            user_id=user.id,
            name=name.strip(),
            country=country,
            currency=currency_for(country),
            created_at=now,
            updated_at=now,
        )
    try:
        await profile.insert()
    except BaseException:
        # Without its profile the account is unusable: undo it so the email can
        # be used again, then let the failure surface (masked, logged).
        await user.delete()
        raise
    token = issue_token(
        viewer_for(user, profile), secret=tokens.secret, now=now, ttl=tokens.ttl
    )
    return AuthResult(token=token, user=user)


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


async def log_in(
    *, email: str, password: str, now: datetime, tokens: TokenConfig
) -> AuthResult:
    if errors := sign_in_errors(email, password):
        return AuthResult(errors=errors)
    normalized = normalize_email(email)
    # The same answer whether or not the email has an account.
    if await _login_locked(normalized, now):
        return AuthResult(errors=[TOO_MANY_ATTEMPTS])
    user = await User.find_one(User.email == normalized)
    if not verify_password(user.password_hash if user else None, password):
        await _record_login_failure(normalized, now)
        return AuthResult(errors=[INVALID_CREDENTIALS])
    assert user is not None
    await _login_failures().delete_one({"_id": normalized})
    if needs_rehash(user.password_hash):
        await user.set({User.password_hash: hash_password(password)})
    profile = await profile_of(user)
    token = issue_token(
        viewer_for(user, profile), secret=tokens.secret, now=now, ttl=tokens.ttl
    )
    return AuthResult(token=token, user=user)


async def create_admin(*, email: str, password: str, now: datetime) -> AuthResult:
    errors = [*validate_email(email), *validate_password(password)]
    if errors:
        return AuthResult(errors=errors)
    user = await _insert_user(email, password, Role.ADMIN, now)
    if user is None:
        return AuthResult(errors=[EMAIL_TAKEN])
    return AuthResult(user=user)
