"""Account rules: roles, countries, currencies, email and password validation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from gigsta.domain.core import ErrorCode, UserError, length_errors, too_long
from gigsta.domain.partners import PartnerGrant
from gigsta.domain.services import validate_services

# Input limits of accounts (documented in docs/inputs.md).
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
MAX_EMAIL_LENGTH = 254  # RFC 5321's longest forward path
MAX_NAME_LENGTH = 120
MAX_BIO_LENGTH = 2000
MIN_HOURLY_RATE_CENTS = 100
MAX_HOURLY_RATE_CENTS = 100_000  # 1,000.00 an hour: anything above is a typo

# Deliberately simple: one "@", no spaces, a dot in the domain. Deliverability is
# proven by a confirmation email, not by a regular expression.
_EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$")


class Role(StrEnum):
    CUSTOMER = "CUSTOMER"
    WORKER = "WORKER"
    ADMIN = "ADMIN"


class Country(StrEnum):
    NZ = "NZ"
    AU = "AU"


class Currency(StrEnum):
    NZD = "NZD"
    AUD = "AUD"


def currency_for(country: Country) -> Currency:
    return Currency.NZD if country is Country.NZ else Currency.AUD


def normalize_email(email: str) -> str:
    """Emails are unique case-insensitively: we store and look up this form."""
    return email.strip().lower()


def validate_email(email: str, field: str = "email") -> list[UserError]:
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL_RE.match(normalize_email(email)):
        return [
            UserError(field, ErrorCode.INVALID_EMAIL, "Enter a valid email address.")
        ]
    return []


def validate_password(password: str, field: str = "password") -> list[UserError]:
    if len(password) < MIN_PASSWORD_LENGTH:
        return [
            UserError(
                field,
                ErrorCode.PASSWORD_TOO_SHORT,
                f"Use at least {MIN_PASSWORD_LENGTH} characters.",
            )
        ]
    return length_errors(field, password, MAX_PASSWORD_LENGTH)


def sign_in_errors(email: str, password: str) -> list[UserError]:
    """Bounds checked before a sign-in touches the database or hashes anything."""
    return [
        *length_errors("email", email, MAX_EMAIL_LENGTH),
        *length_errors("password", password, MAX_PASSWORD_LENGTH),
    ]


def validate_name(name: str, field: str = "name") -> list[UserError]:
    stripped = name.strip()
    if not stripped:
        return [UserError(field, ErrorCode.INVALID, "Enter a name.")]
    if len(stripped) > MAX_NAME_LENGTH:
        return [too_long(field, MAX_NAME_LENGTH)]
    return []


@dataclass(frozen=True, slots=True)
class Viewer:
    """The authenticated caller, as proven by the token (whose account the
    HTTP layer has checked is still there and has not revoked it)."""

    user_id: str
    role: Role
    profile_id: str | None
    # Set when the caller is a partner's API key: it acts as the partner's own
    # customer profile, within the key's scopes.
    partner: PartnerGrant | None = None


SIGN_IN_FIRST = UserError(None, ErrorCode.UNAUTHENTICATED, "Sign in first.")


def own_profile_id(viewer: Viewer | None, role: Role, refusal: str) -> str | UserError:
    """The id of the `role` profile `viewer` acts for, or the error that stops
    them: signed out, or `refusal` (NOT_ALLOWED) for any other role."""
    if viewer is None:
        return SIGN_IN_FIRST
    if viewer.role is not role or viewer.profile_id is None:
        return UserError(None, ErrorCode.NOT_ALLOWED, refusal)
    return viewer.profile_id


def is_self_or_admin(viewer: Viewer | None, profile_id: object) -> bool:
    """May `viewer` see a profile's private fields: its owner, or an admin."""
    return viewer is not None and (
        viewer.role is Role.ADMIN or viewer.profile_id == str(profile_id)
    )


def is_own_account_or_admin(viewer: Viewer | None, user_id: object) -> bool:
    """May `viewer` see an account (`User`): its holder, or an admin."""
    return viewer is not None and (
        viewer.role is Role.ADMIN or viewer.user_id == str(user_id)
    )


def profile_changes(
    *,
    name: str | None,
    bio: str | None,
    services: list[str] | None,
    hourly_rate_cents: int | None,
) -> tuple[dict[str, object], list[UserError]]:
    """A worker's profile edit: the stored fields it sets, and what is wrong
    with it. Fields left out (None) are not changed."""
    errors: list[UserError] = []
    changes: dict[str, object] = {}
    if name is not None:
        errors += validate_name(name)
        changes["name"] = name.strip()
    if bio is not None:
        errors += length_errors("bio", bio.strip(), MAX_BIO_LENGTH)
        changes["bio"] = bio.strip()
    if services is not None:
        errors += validate_services(services)
        changes["services"] = list(dict.fromkeys(services))  # de-duplicated, ordered
    if hourly_rate_cents is not None:
        if not MIN_HOURLY_RATE_CENTS <= hourly_rate_cents <= MAX_HOURLY_RATE_CENTS:
            message = (
                "The hourly rate must be between "
                f"{MIN_HOURLY_RATE_CENTS} and {MAX_HOURLY_RATE_CENTS} cents."
            )
            errors.append(UserError("hourlyRate", ErrorCode.INVALID, message))
        changes["hourly_rate_cents"] = hourly_rate_cents
    return changes, errors
