"""Sign-up, log-in and admin creation."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pymongo.errors import DuplicateKeyError

from gigsta.auth import (
    Viewer,
    hash_password,
    issue_token,
    needs_rehash,
    verify_password,
)
from gigsta.documents import Customer, User, Worker
from gigsta.domain.accounts import (
    Country,
    Role,
    currency_for,
    normalize_email,
    validate_email,
    validate_name,
    validate_password,
)
from gigsta.domain.errors import ErrorCode, UserError

log = logging.getLogger(__name__)

EMAIL_TAKEN = UserError(
    "email", ErrorCode.EMAIL_TAKEN, "An account with this email already exists."
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


async def log_in(
    *, email: str, password: str, now: datetime, tokens: TokenConfig
) -> AuthResult:
    user = await User.find_one(User.email == normalize_email(email))
    if not verify_password(user.password_hash if user else None, password):
        return AuthResult(errors=[INVALID_CREDENTIALS])
    assert user is not None
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
    user = User(
        email=normalize_email(email),
        password_hash=hash_password(password),
        role=Role.ADMIN,
        created_at=now,
        updated_at=now,
    )
    try:
        await user.insert()
    except DuplicateKeyError:
        return AuthResult(errors=[EMAIL_TAKEN])
    return AuthResult(user=user)
