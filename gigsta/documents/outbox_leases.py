"""Leases on outbox records: events (their embedded `outbox`) and deliveries.

Any number of dispatchers may run. Each takes one due record at a time with a
conditional `find_one_and_update` that sets a lease (a time and a random
token) and counts the attempt: a record whose lease is live is skipped, one
whose lease has passed (its holder died) is taken over. Only the holder of the
current token may record the outcome, so a dispatcher that stalled past its
lease cannot overwrite what its successor did.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from pymongo import ReturnDocument

from gigsta.domain.notifications.retries import gives_up, retry_delay

if TYPE_CHECKING:
    from datetime import timedelta

    from pymongo.asynchronous.collection import AsyncCollection

PENDING, DONE, DEAD = "pending", "dispatched", "dead"
# Longer errors are cut: `last_error` is for a person reading the record.
_ERROR_CHARS = 500


class LeaseFields(BaseModel):
    """What a `LeaseBook` reads and writes on each of its records (besides
    `status`, whose finished value is the collection's own)."""

    attempts: int = 0
    # Set while one dispatcher works on the record; another may take it over
    # once it has passed (its holder died).
    lease_until: datetime | None = None
    # Who holds the lease: only that claim may record the outcome.
    lease_token: str | None = None
    next_attempt_at: datetime
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class Leased:
    """A record this dispatcher holds: the stored document and its token."""

    raw: dict[str, Any]
    token: str
    attempts: int


@dataclass(frozen=True, slots=True)
class LeaseBook:
    """Where a collection keeps its outbox fields (`prefix`: "outbox." for
    events, "" for deliveries) and what it calls a finished record."""

    collection: AsyncCollection[dict[str, Any]]
    prefix: str
    done: str

    def _f(self, name: str) -> str:
        return self.prefix + name

    async def claim(
        self, now: datetime, lease: timedelta, extra: dict[str, Any] | None = None
    ) -> Leased | None:
        """The oldest due record, leased to us until `now + lease`; None when
        none is due (or every due one is leased to someone else)."""
        token = secrets.token_hex(16)
        raw = await self.collection.find_one_and_update(
            {
                self._f("status"): PENDING,
                self._f("next_attempt_at"): {"$lte": now},
                "$or": [
                    {self._f("lease_until"): None},
                    {self._f("lease_until"): {"$lte": now}},
                ],
                **(extra or {}),
            },
            {
                "$set": {
                    self._f("lease_until"): now + lease,
                    self._f("lease_token"): token,
                },
                "$inc": {self._f("attempts"): 1},
            },
            sort=[(self._f("next_attempt_at"), 1)],
            return_document=ReturnDocument.AFTER,
        )
        if raw is None:
            return None
        state = raw.get("outbox", {}) if self.prefix else raw
        return Leased(raw=raw, token=token, attempts=int(state["attempts"]))

    async def finish(self, held: Leased, extra: dict[str, Any] | None = None) -> bool:
        """Mark the record done; False when our lease was taken over."""
        return await self._settle(held, {self._f("status"): self.done, **(extra or {})})

    async def fail(
        self, held: Leased, now: datetime, error: str, *, final: bool = False
    ) -> bool:
        """Record a failed attempt: due again after the backoff, or dead when
        that was the last attempt allowed (or `final`). True when it died."""
        dead = final or gives_up(held.attempts)
        delay = None if dead else retry_delay(held.attempts)
        return await self.fail_with(held, now, error, delay)

    async def fail_with(
        self, held: Leased, now: datetime, error: str, delay: timedelta | None
    ) -> bool:
        """Record a failed attempt on a schedule of the caller's: due again
        after `delay`, or dead when it is None. True when it died."""
        fields: dict[str, Any] = {self._f("last_error"): error[:_ERROR_CHARS]}
        if delay is None:
            fields[self._f("status")] = DEAD
        else:
            fields[self._f("next_attempt_at")] = now + delay
        return await self._settle(held, fields) and delay is None

    async def _settle(self, held: Leased, fields: dict[str, Any]) -> bool:
        result = await self.collection.update_one(
            {"_id": held.raw["_id"], self._f("lease_token"): held.token},
            {
                "$set": {
                    **fields,
                    self._f("lease_until"): None,
                    self._f("lease_token"): None,
                }
            },
        )
        return result.modified_count == 1
