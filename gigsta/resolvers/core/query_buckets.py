"""Leaky buckets of query cost, one per API key or signed-in account, shared
by every instance: one conditional update per request on the bucket's
document in `query_buckets`, then a read of what it holds (GCRA, see
`gigsta.domain.partners.LeakyBucket`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pymongo.errors import DuplicateKeyError

from gigsta.documents import raw_collection

if TYPE_CHECKING:
    from gigsta.domain.partners import LeakyBucket

QUERY_BUCKETS = "query_buckets"


@dataclass(frozen=True, slots=True)
class Charge:
    """The outcome of charging a bucket: points left, and (when refused) the
    seconds until the cost would fit."""

    allowed: bool
    available: int
    retry_after: float = 0.0


async def charge(
    bucket_id: str, cost: int, bucket: LeakyBucket, *, now: float
) -> Charge:
    """Take `cost` points from the bucket if it holds them.

    The filter admits the update only while the cost fits (or the stored
    `tat` is beyond the horizon, from a clock that was ahead); the update then
    moves the bucket's `tat` in the same atomic step, so concurrent requests
    on any number of instances can never overdraw it. A bucket that does not
    fit fails the filter, and the upsert collides with the existing document
    (DuplicateKeyError): that is the refusal, read once more for its
    retry-after. A charged bucket is read back for the points left.

    An `update`, not a `findAndModify`, and the filter says "fits" as "not
    between the limit and the horizon" rather than with an `$or`: SecantusDB
    answers `findAndModify`, and a filter with an `$or` beside the `_id`, by
    scanning the collection (one findAndModify with the `$or`: 5.4 ms; this
    update and the read back: 1.4 ms, `python -m bench.side_by_side`'s
    database).
    """
    buckets = raw_collection(QUERY_BUCKETS)
    step = cost / bucket.restore_rate
    horizon = bucket.horizon(now)
    # `fits or skewed` (see `LeakyBucket.horizon`) on one field, no `$or`.
    fits = {"$not": {"$gt": bucket.limit(cost, now), "$lte": horizon}}
    start = {"$cond": [{"$gt": ["$tat", horizon]}, now, {"$max": ["$tat", now]}]}
    for _ in range(2):  # a first use racing another's insert: retry once
        try:
            await buckets.update_one(
                {"_id": bucket_id, "tat": fits},
                [{"$set": {"tat": {"$add": [start, step]}}}],
                upsert=True,
            )
        except DuplicateKeyError:
            current = await buckets.find_one({"_id": bucket_id})
            tat = float(current["tat"]) if current else now
            if bucket.fits(tat, cost, now):
                continue
            return Charge(
                allowed=False,
                available=bucket.available(tat, now),
                retry_after=bucket.retry_after(tat, cost, now),
            )
        doc = await buckets.find_one({"_id": bucket_id})
        tat = float(doc["tat"]) if doc is not None else now + step
        return Charge(allowed=True, available=bucket.available(tat, now))
    return Charge(allowed=False, available=0, retry_after=1.0)


async def level(bucket_id: str, bucket: LeakyBucket, *, now: float) -> int:
    """Points in the bucket now, without charging it."""
    doc = await raw_collection(QUERY_BUCKETS).find_one({"_id": bucket_id})
    return bucket.available(float(doc["tat"]), now) if doc else bucket.capacity
