"""The side-by-side benchmark's data: a marketplace seeded straight into MongoDB.

5,000 bookings between 50 workers and 200 customers (each with a sign-in
account), priced like a real request, half of them still `requested` so that
the transitions have bookings to accept. Tokens are minted with the server's
secret, so no sign-in (argon2) runs during the benchmark.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId

from gigsta.documents.payments import BookingPrice
from gigsta.domain.accounts import Country, Role, Viewer
from gigsta.domain.payments.pricing import PricingRates, quote
from gigsta.resolvers.accounts.credentials import issue_token

BOOKINGS = 5_000
WORKERS = 50
CUSTOMERS = 200
RATES = PricingRates(
    booking_fee_bps=500, commission_bps=1500, late_cancellation_bps=5000
)
# Every other booking waits for its worker; the rest are spread over later
# statuses, so a page mixes several sets of available actions.
STATUSES = ("requested", "accepted", "requested", "in_progress", "requested", "closed")


@dataclass
class Marketplace:
    """What the load generator needs: tokens, and the bookings to accept."""

    customer_tokens: list[str] = field(default_factory=list)
    worker_tokens: dict[str, str] = field(default_factory=dict)  # profile id -> token
    # (booking id, its worker's profile id), oldest first
    requested: list[tuple[str, str]] = field(default_factory=list)


def _account(role: Role, now: datetime) -> dict[str, Any]:
    return {
        "_id": ObjectId(),
        "email": f"{ObjectId()}@bench.example.nz",
        "password_hash": "not-a-hash",  # nobody signs in: tokens are minted
        "role": role.value,
        "token_version": 0,
        "created_at": now,
        "updated_at": now,
    }


def _profile(user: dict[str, Any], name: str, now: datetime) -> dict[str, Any]:
    return {
        "_id": ObjectId(),
        "user_id": user["_id"],
        "name": name,
        "country": "NZ",
        "created_at": now,
        "updated_at": now,
    }


def _price(start: datetime, end: datetime) -> dict[str, Any]:
    q = quote(
        hourly_rate=4000,
        start=start,
        end=end,
        country=Country.NZ,
        rates=RATES,
        service_name="Cleaning",
    )
    return BookingPrice.from_quote(q).model_dump(mode="python")


def _booking(
    i: int, customer: dict[str, Any], worker: dict[str, Any], now: datetime
) -> dict[str, Any]:
    created = now - timedelta(minutes=BOOKINGS - i)
    start = (now + timedelta(days=3 + i % 20)).replace(minute=0, second=0)
    end = start + timedelta(hours=2)
    status = STATUSES[i % len(STATUSES)]
    history = [
        {
            "action": "request",
            "from_status": "requested",
            "to_status": "requested",
            "actor_role": "customer",
            "actor_id": str(customer["user_id"]),
            "note": "The customer requested the booking.",
            "reason": None,
            "at": created,
        }
    ]
    return {
        "_id": ObjectId(),
        "customer_id": customer["_id"],
        "worker_id": worker["_id"],
        "service": "cleaning",
        "description": f"Bench job {i}",
        "scheduled_start": start,
        "scheduled_end": end,
        "status": status,
        "version": 2,
        "history": history,
        "completed_at": None,
        "price": _price(start, end),
        "created_at": created,
        "updated_at": created,
        "time_zone": "Pacific/Auckland",
        # As a request made through the API: its time is already claimed, so
        # accepting it is the transition alone (the seed does not build the
        # workers' calendars, and its bookings may overlap).
        "time_claimed": True,
    }


async def seed(db: Any, secret: str) -> Marketplace:
    """Write the marketplace into `db` (already migrated); return its tokens."""
    now = datetime.now(UTC)
    users = {Role.WORKER: [], Role.CUSTOMER: []}  # type: dict[Role, list[Any]]
    workers, customers = [], []
    for i in range(WORKERS):
        users[Role.WORKER].append(_account(Role.WORKER, now))
        workers.append(_profile(users[Role.WORKER][-1], f"Worker {i}", now))
        workers[-1] |= {
            "services": ["cleaning"],
            "hourly_rate_cents": 4000,
            "currency": "NZD",
            "bio": "",
        }
    for i in range(CUSTOMERS):
        users[Role.CUSTOMER].append(_account(Role.CUSTOMER, now))
        customers.append(_profile(users[Role.CUSTOMER][-1], f"Customer {i}", now))
    await db["users"].insert_many(list(itertools.chain(*users.values())))
    await db["workers"].insert_many(workers)
    await db["customers"].insert_many(customers)
    bookings = [
        _booking(i, customers[i % CUSTOMERS], workers[i % WORKERS], now)
        for i in range(BOOKINGS)
    ]
    await db["bookings"].insert_many(bookings)
    market = Marketplace()
    for role, profiles in ((Role.WORKER, workers), (Role.CUSTOMER, customers)):
        for profile in profiles:
            viewer = Viewer(
                user_id=str(profile["user_id"]),
                role=role,
                profile_id=str(profile["_id"]),
            )
            token = issue_token(
                viewer, version=0, secret=secret, now=now, ttl=timedelta(hours=6)
            )
            if role is Role.WORKER:
                market.worker_tokens[str(profile["_id"])] = token
            else:
                market.customer_tokens.append(token)
    market.requested = [
        (str(b["_id"]), str(b["worker_id"]))
        for b in bookings
        if b["status"] == "requested"
    ]
    return market
