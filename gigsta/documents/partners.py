"""Partners (organisations integrating through the API) and their API keys."""

from __future__ import annotations

from datetime import datetime

from beanie import Document, PydanticObjectId

from gigsta.domain.partners import Scope


class Partner(Document):
    """An organisation that books through the API on behalf of its own
    customers. It books as a customer profile of its own (`customer_id`, of a
    `user_id` account that cannot sign in with a password), so every booking
    rule applies to it unchanged and the bookings it requested are its."""

    name: str
    user_id: PydanticObjectId
    customer_id: PydanticObjectId
    created_at: datetime
    updated_at: datetime
    # Who hears about the integration (a disabled webhook endpoint); none:
    # only the log and the API say so.
    contact_email: str | None = None

    class Settings:
        name = "partners"


class ApiKey(Document):
    """One API key of a partner. The key itself is shown once, at creation;
    only its SHA-256 is kept (`gigsta.domain.partners` says why that is
    enough), and its `prefix` (unique index, migration 0016) finds it."""

    partner_id: PydanticObjectId
    # The partner's account and customer profile, copied so that
    # authenticating a key reads one document besides the account.
    user_id: PydanticObjectId
    customer_id: PydanticObjectId
    name: str
    prefix: str
    secret_hash: str
    scopes: list[Scope]
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    # Written at most once a minute per key (see `gigsta.resolvers.partners`).
    last_used_at: datetime | None = None

    class Settings:
        name = "api_keys"
