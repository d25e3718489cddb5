"""Partner integrations: API key format, scopes, and the leaky bucket (pure).

A key reads `gsk_live_<12 hex>_<43 url-safe characters>`. The first part
(`gsk_live_<12 hex>`) is its *prefix*: stored in clear, unique, shown in
listings and used to find the key. The whole key is stored only as its
SHA-256. A fast hash is enough: the secret part is 256 random bits, so no
dictionary or brute-force search of SHA-256 preimages can find it, which is
all a slow hash (argon2, bcrypt) buys for low-entropy passwords; and a slow
hash would cost tens of milliseconds of CPU on every partner request.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from enum import StrEnum

from gigsta.domain.core import ErrorCode, UserError, length_errors

KEY_PREFIX = "gsk_live_"
_KEY_RE = re.compile(r"^(gsk_live_[0-9a-f]{12})_[A-Za-z0-9_-]{43}$")
MAX_PARTNER_NAME_LENGTH = 120
MAX_KEY_NAME_LENGTH = 80
# Keys one partner may hold at once (unrevoked): enough to rotate each of a
# few integrations without downtime.
MAX_KEYS_PER_PARTNER = 10


class Scope(StrEnum):
    """What an API key may do; a person's token (JWT) is not limited by them."""

    WORKERS_READ = "workers:read"
    BOOKINGS_READ = "bookings:read"
    BOOKINGS_WRITE = "bookings:write"
    WEBHOOKS_MANAGE = "webhooks:manage"


@dataclass(frozen=True, slots=True)
class PartnerGrant:
    """An API key's part of a `Viewer`: whose key it is and what it may do."""

    partner_id: str
    key_id: str
    scopes: frozenset[Scope]


def is_api_key(token: str) -> bool:
    """Whether a bearer token is meant as an API key (rather than a JWT)."""
    return token.startswith(KEY_PREFIX)


def key_prefix(key: str) -> str | None:
    """The stored prefix of a well-formed key, or None."""
    matched = _KEY_RE.match(key)
    return matched.group(1) if matched else None


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def compose_key(lookup: str, secret: str) -> str:
    """A key from its 12 hex lookup characters and its 43-character secret."""
    key = f"{KEY_PREFIX}{lookup}_{secret}"
    if key_prefix(key) is None:
        raise ValueError("not a well-formed API key")
    return key


def partner_errors(name: str) -> list[UserError]:
    if not name.strip():
        return [UserError("name", ErrorCode.INVALID, "Enter the partner's name.")]
    return length_errors("name", name.strip(), MAX_PARTNER_NAME_LENGTH)


def key_errors(name: str, scopes: list[Scope]) -> list[UserError]:
    errors = length_errors("name", name.strip(), MAX_KEY_NAME_LENGTH)
    if not scopes:
        message = "Give at least one scope."
        errors.append(UserError("scopes", ErrorCode.INVALID, message))
    return errors


@dataclass(frozen=True, slots=True)
class LeakyBucket:
    """A leaky bucket of query cost: holds `capacity` points, refills
    `restore_rate` points a second. Kept as a GCRA "theoretical arrival time"
    (`tat`, seconds since the epoch): the instant the bucket would be full
    again. A request costing `cost` fits if `tat <= now + limit(cost)` and
    moves `tat` to `max(tat, now) + cost / restore_rate`."""

    capacity: int
    restore_rate: int

    def horizon(self, now: float) -> float:
        """The latest `tat` a bucket can honestly have: full use ends there.
        A later one was written by a clock that was ahead (another instance's,
        or ours before it was set back) and counts as a full bucket, so clock
        skew never locks a client out."""
        return now + self.capacity / self.restore_rate

    def limit(self, cost: int, now: float) -> float:
        """The latest stored `tat` at which a request of `cost` still fits."""
        return now + (self.capacity - cost) / self.restore_rate

    def fits(self, tat: float, cost: int, now: float) -> bool:
        return tat <= self.limit(cost, now) or tat > self.horizon(now)

    def available(self, tat: float, now: float) -> int:
        """Points left, for a bucket whose `tat` is stored."""
        if tat > self.horizon(now):
            return self.capacity
        used = max(0.0, tat - now) * self.restore_rate
        # Rounded: epoch seconds as floats carry about 1e-7 s of error.
        return max(0, round(self.capacity - used))

    def retry_after(self, tat: float, cost: int, now: float) -> float:
        """Seconds until a request of `cost` fits."""
        return max(0.0, tat - self.limit(cost, now))

    def charged(self, tat: float, cost: int, now: float) -> float:
        """The `tat` after a request of `cost` is charged to a bucket at `tat`
        (what the stored update computes)."""
        start = now if tat > self.horizon(now) else max(tat, now)
        return start + cost / self.restore_rate

    @property
    def refill_seconds(self) -> float:
        """How long an empty bucket takes to fill."""
        return self.capacity / self.restore_rate
