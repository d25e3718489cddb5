"""Accounts: the sign-in identity and the customer and worker profiles."""

from __future__ import annotations

from datetime import datetime

from beanie import Document, PydanticObjectId
from pydantic import BaseModel, Field

from gigsta.documents.availability import WorkerAvailability
from gigsta.documents.places import PlaceAddress
from gigsta.documents.whole import WholeDocuments
from gigsta.domain.accounts import Country, Currency, Role, currency_for


class NotificationPreferences(BaseModel):
    """What the account wants to be emailed about. Essential emails (money
    and cancellations, `gigsta.domain.notifications.rules`) always go."""

    booking_updates: bool = True


class User(Document):
    """A sign-in identity. `email` is stored normalised (see `normalize_email`),
    and a unique index on it (migration 0001) makes it unique case-insensitively.
    """

    email: str
    password_hash: str
    role: Role
    # Carried in every token issued; incremented to revoke them all at once
    # (every request compares the two). Migration 0007 sets 0 where missing.
    token_version: int = 0
    # Absent on accounts made before notifications: the defaults apply.
    notification_preferences: NotificationPreferences = Field(
        default_factory=NotificationPreferences
    )
    created_at: datetime
    updated_at: datetime

    class Settings(WholeDocuments):
        name = "users"


class Profile(Document):
    """What customer and worker profiles share: the account they belong to
    and who the person is. Not a collection of its own."""

    user_id: PydanticObjectId
    name: str
    country: Country
    phone: str | None = None


class Customer(Profile):
    # Payments: the Stripe Customer that keeps cards saved for deferred holds.
    stripe_customer_id: str | None = None
    created_at: datetime
    updated_at: datetime

    class Settings(WholeDocuments):
        name = "customers"


class Worker(Profile):
    services: list[str] = Field(default_factory=list)
    hourly_rate_cents: int | None = None
    currency: Currency
    bio: str = ""
    # Payments: the worker's Stripe Connect (Express) account.
    stripe_account_id: str | None = None
    payouts_enabled: bool = False
    created_at: datetime
    updated_at: datetime
    # Places and files: the service area (2dsphere index on
    # `base_address.location`, migration 0004) and the current avatar's key.
    base_address: PlaceAddress | None = None
    service_radius_km: float | None = None
    avatar_key: str | None = None
    # Availability: None until the worker sets a schedule, and then always
    # available (see `gigsta.domain.availability`).
    availability: WorkerAvailability | None = None

    class Settings(WholeDocuments):
        name = "workers"


def new_profile(
    user_id: PydanticObjectId, role: Role, *, name: str, country: Country, now: datetime
) -> Customer | Worker:
    """A new account's profile (not saved yet): a customer, or a worker paid in
    the country's currency. `role` is `Role.CUSTOMER` or `Role.WORKER`."""
    if role is Role.CUSTOMER:
        return Customer(
            user_id=user_id,
            name=name.strip(),
            country=country,
            created_at=now,
            updated_at=now,
        )
    return Worker(
        user_id=user_id,
        name=name.strip(),
        country=country,
        currency=currency_for(country),
        created_at=now,
        updated_at=now,
    )
