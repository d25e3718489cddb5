"""Process-wide services shared by requests: settings, clock, database client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pymongo import AsyncMongoClient

    from gigsta.integrations.addressable import AddressableClient
    from gigsta.integrations.r2 import ObjectStore
    from gigsta.resolvers.accounts.credentials import PasswordHashing
    from gigsta.resolvers.core.persisted_queries import PersistedQueryStore
    from gigsta.resolvers.live.hub import EventHub
    from gigsta.resolvers.payments.config import Payments
    from gigsta.settings import Settings


def utc_now() -> datetime:
    return datetime.now(UTC)


Clock = Callable[[], datetime]


@dataclass
class Runtime:
    settings: Settings
    clock: Clock
    # argon2's threads, shared by every request of this process.
    passwords: PasswordHashing
    # Automatic persisted queries: this process's cache of the shared store.
    persisted_queries: PersistedQueryStore
    mongo: AsyncMongoClient[dict[str, Any]] | None = None
    # Places and files: None when the service is not configured.
    addressable: AddressableClient | None = None
    files: ObjectStore | None = None
    # None when Stripe is not configured (bookings then carry no payment).
    payments: Payments | None = None
    # This instance's change stream of events, fanned out to its live
    # subscriptions (started with the app).
    live: EventHub | None = None
