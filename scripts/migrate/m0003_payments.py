"""Payments: applied Stripe events (unique, so replays are no-ops; kept 30 days,
well beyond Stripe's 3 days of retries) and the sweeper's payment queries."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

EVENT_RETENTION_SECONDS = 30 * 24 * 3600

BOOKING_INDEXES = [
    # Deferred holds falling due; pending payouts per worker.
    IndexModel(
        [("payment.status", ASCENDING), ("payment.authorize_at", ASCENDING)],
        name="payment_status_authorize_at",
    ),
    IndexModel(
        [("payout.status", ASCENDING), ("worker_id", ASCENDING)],
        name="payout_status_worker",
    ),
    IndexModel([("payment.intent_id", ASCENDING)], name="payment_intent_id"),
]


async def up(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db["stripe_events"].create_indexes(
        [
            IndexModel([("event_id", ASCENDING)], unique=True, name="event_id_unique"),
            IndexModel(
                [("received_at", ASCENDING)],
                expireAfterSeconds=EVENT_RETENTION_SECONDS,
                name="received_at_ttl",
            ),
        ]
    )
    await db["bookings"].create_indexes(BOOKING_INDEXES)
    await db["workers"].create_indexes(
        [IndexModel([("stripe_account_id", ASCENDING)], name="stripe_account_id")]
    )


async def down(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db["stripe_events"].drop_index("event_id_unique")
    await db["stripe_events"].drop_index("received_at_ttl")
    for index in BOOKING_INDEXES:
        await db["bookings"].drop_index(index.document["name"])
    await db["workers"].drop_index("stripe_account_id")
