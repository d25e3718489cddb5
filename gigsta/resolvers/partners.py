"""Partners: an admin creates them and their API keys; a key authenticates.

A key is checked against MongoDB on every request (one read by its unique
prefix, one of the partner's account), with no cache in the process: a
revoked or expired key is refused at once on every instance.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import EllipsisType

from beanie import PydanticObjectId

from gigsta.documents import ApiKey, Partner, User
from gigsta.documents.accounts import new_profile
from gigsta.domain.accounts import (
    SIGN_IN_FIRST,
    Country,
    Role,
    Viewer,
    normalize_email,
    validate_email,
)
from gigsta.domain.core import ErrorCode, UserError
from gigsta.domain.partners import (
    MAX_KEYS_PER_PARTNER,
    PartnerGrant,
    Scope,
    compose_key,
    key_errors,
    key_hash,
    key_prefix,
    partner_errors,
)
from gigsta.resolvers.accounts.credentials import InvalidTokenError
from gigsta.resolvers.accounts.sessions import Session

# `last_used_at` is written when it is at least this old: a busy key costs
# one write a minute, not one per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
_ADMINS_ONLY = UserError(None, ErrorCode.NOT_ALLOWED, "Only admins manage partners.")


@dataclass
class PartnerResult:
    partner: Partner | None = None
    errors: list[UserError] = field(default_factory=list)


@dataclass
class KeyResult:
    key: ApiKey | None = None
    # The key itself: in the creating payload only, never stored.
    secret: str | None = None
    errors: list[UserError] = field(default_factory=list)


def _admin_error(viewer: Viewer | None) -> UserError | None:
    if viewer is None:
        return SIGN_IN_FIRST
    if viewer.role is not Role.ADMIN or viewer.partner is not None:
        return _ADMINS_ONLY
    return None


async def create_partner(
    viewer: Viewer | None,
    *,
    name: str,
    country: Country,
    contact_email: str | None,
    now: datetime,
) -> PartnerResult:
    """A partner, with the account and customer profile it books as (an
    account no one can sign in to with a password: only its keys act)."""
    refused = _admin_error(viewer)
    if refused is not None:
        return PartnerResult(errors=[refused])
    errors = partner_errors(name) + _contact_errors(contact_email)
    if errors:
        return PartnerResult(errors=errors)
    user = User(
        email=f"partner-{secrets.token_hex(8)}@partners.gigsta.invalid",
        password_hash="",  # matches no password: argon2 rejects it
        role=Role.CUSTOMER,
        created_at=now,
        updated_at=now,
    )
    await user.insert()
    assert user.id is not None
    customer = new_profile(user.id, Role.CUSTOMER, name=name, country=country, now=now)
    await customer.insert()
    assert customer.id is not None
    partner = Partner(
        name=name.strip(),
        user_id=user.id,
        customer_id=customer.id,
        created_at=now,
        updated_at=now,
        contact_email=_address(contact_email),
    )
    await partner.insert()
    return PartnerResult(partner=partner)


def _address(email: str | None) -> str | None:
    return normalize_email(email) if email else None


def _contact_errors(email: str | None) -> list[UserError]:
    return validate_email(email, "contactEmail") if email else []


async def update_partner(
    viewer: Viewer | None,
    *,
    partner_id: PydanticObjectId,
    name: str | None,
    contact_email: str | EllipsisType | None,
    now: datetime,
) -> PartnerResult:
    """Rename a partner (None: keep its name) or change its contact address
    (None: no contact; `...`: keep it). Its customer profile keeps the name
    its bookings were made under."""
    refused = _admin_error(viewer)
    if refused is not None:
        return PartnerResult(errors=[refused])
    email = None if contact_email is ... else contact_email
    errors = (partner_errors(name) if name is not None else []) + _contact_errors(email)
    if errors:
        return PartnerResult(errors=errors)
    changes: dict[str, object] = {"updated_at": now}
    if name is not None:
        changes["name"] = name.strip()
    if contact_email is not ...:
        changes["contact_email"] = _address(email)
    updated = await Partner.get_pymongo_collection().update_one(
        {"_id": partner_id}, {"$set": changes}
    )
    partner = await Partner.get(partner_id) if updated.matched_count else None
    if partner is None:
        return PartnerResult(
            errors=[UserError("id", ErrorCode.NOT_FOUND, "No such partner.")]
        )
    return PartnerResult(partner=partner)


async def create_key(
    viewer: Viewer | None,
    *,
    partner_id: PydanticObjectId,
    name: str,
    scopes: list[Scope],
    expires_at: datetime | None,
    now: datetime,
) -> KeyResult:
    refused = _admin_error(viewer)
    if refused is not None:
        return KeyResult(errors=[refused])
    errors = key_errors(name, scopes)
    if expires_at is not None and expires_at <= now:
        errors.append(UserError("expiresAt", ErrorCode.INVALID, "Give a future time."))
    partner = await Partner.get(partner_id)
    if partner is None:
        errors.append(UserError("partnerId", ErrorCode.NOT_FOUND, "No such partner."))
    if errors or partner is None or partner.id is None:
        return KeyResult(errors=errors)
    live = await ApiKey.find(
        ApiKey.partner_id == partner.id,
        ApiKey.revoked_at == None,  # noqa: E711
    ).count()
    if live >= MAX_KEYS_PER_PARTNER:
        message = f"A partner may hold {MAX_KEYS_PER_PARTNER} keys; revoke one first."
        return KeyResult(errors=[UserError("partnerId", ErrorCode.TOO_LONG, message)])
    secret = compose_key(secrets.token_hex(6), secrets.token_urlsafe(32))
    prefix = key_prefix(secret)
    assert prefix is not None
    key = ApiKey(
        partner_id=partner.id,
        user_id=partner.user_id,
        customer_id=partner.customer_id,
        name=name.strip(),
        prefix=prefix,
        secret_hash=key_hash(secret),
        scopes=sorted(set(scopes)),
        created_at=now,
        expires_at=expires_at,
    )
    await key.insert()
    return KeyResult(key=key, secret=secret)


async def revoke_key(
    viewer: Viewer | None, *, key_id: PydanticObjectId, now: datetime
) -> KeyResult:
    """Revoke a key (once: revoking it again keeps the first time)."""
    refused = _admin_error(viewer)
    if refused is not None:
        return KeyResult(errors=[refused])
    await ApiKey.get_pymongo_collection().update_one(
        {"_id": key_id, "revoked_at": None}, {"$set": {"revoked_at": now}}
    )
    key = await ApiKey.get(key_id)
    if key is None:
        return KeyResult(errors=[UserError("id", ErrorCode.NOT_FOUND, "No such key.")])
    return KeyResult(key=key)


async def authenticate_key(secret: str, *, now: datetime) -> Session:
    """The partner a live key belongs to, acting as its customer profile
    within the key's scopes; anything else is `InvalidTokenError`."""
    prefix = key_prefix(secret)
    key = await ApiKey.find_one(ApiKey.prefix == prefix) if prefix else None
    if key is None or not hmac.compare_digest(key.secret_hash, key_hash(secret)):
        raise InvalidTokenError("The API key is invalid.")
    if key.revoked_at is not None:
        raise InvalidTokenError("The API key has been revoked.")
    if key.expires_at is not None and key.expires_at <= now:
        raise InvalidTokenError("The API key has expired.")
    user = await User.get(key.user_id)
    if user is None or key.id is None:
        raise InvalidTokenError("The API key is invalid.")
    await _touch(key, now)
    grant = PartnerGrant(
        partner_id=str(key.partner_id), key_id=str(key.id), scopes=frozenset(key.scopes)
    )
    viewer = Viewer(
        user_id=str(user.id),
        role=Role.CUSTOMER,
        profile_id=str(key.customer_id),
        partner=grant,
    )
    return Session(viewer=viewer, user=user, expires_at=key.expires_at)


async def _touch(key: ApiKey, now: datetime) -> None:
    """Record the key's use, at most once a minute: conditional on the time
    read, so instances racing for the same minute write it once."""
    last = key.last_used_at
    if last is not None and now - last < LAST_USED_RESOLUTION:
        return
    await ApiKey.get_pymongo_collection().update_one(
        {"_id": key.id, "last_used_at": last}, {"$set": {"last_used_at": now}}
    )


async def partner_of(
    viewer: Viewer | None, partner_id: PydanticObjectId
) -> Partner | None:
    """A partner, for an admin or for one of its own keys."""
    if viewer is None:
        return None
    own = viewer.partner is not None and viewer.partner.partner_id == str(partner_id)
    if viewer.role is not Role.ADMIN and not own:
        return None
    return await Partner.get(partner_id)


async def keys_of(partner_id: PydanticObjectId) -> list[ApiKey]:
    """A partner's keys, newest first (at most a few dozen, revoked included)."""
    return await ApiKey.find(ApiKey.partner_id == partner_id).sort("-_id").to_list()
