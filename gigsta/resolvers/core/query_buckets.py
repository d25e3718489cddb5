"""Leaky buckets of query cost, one per API key or signed-in account, shared
by every instance: one conditional update per request on the bucket's
document in `query_buckets` (GCRA, see `gigsta.domain.partners.LeakyBucket`).

The update alone decides, on any number of instances. The points left, which
the answer reports, are what this instance knows of the bucket: its last
read plus the charges it made since. It reads the bucket back after a charge
when it has not read it for one refill time (10 s by default), or when
another of its charges of the bucket is under way. With one instance that is
exact; behind several, the others' charges show here within one refill
time, and at once on a refusal, which always reads. The read saved is one of
a request's few commands (`python -m bench.side_by_side`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cachetools import LRUCache
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


@dataclass(frozen=True, slots=True)
class _Known:
    """A bucket as this instance last read it (`read_at`), with the charges
    it made since counted in `tat`."""

    tat: float
    read_at: float


# What this process knows of the buckets it charged lately, and how many of
# its charges of each are under way.
_known: LRUCache[str, _Known] = LRUCache(maxsize=20_000)
_under_way: dict[str, int] = {}


def _fresh(bucket_id: str, bucket: LeakyBucket, now: float) -> _Known | None:
    """What this instance knows of a bucket, if it read it within a refill time
    and is charging it only once now (concurrent charges read it back)."""
    known = _known.get(bucket_id)
    if known is None or _under_way.get(bucket_id, 0) > 1:
        return None
    if not 0 <= now - known.read_at < bucket.refill_seconds:
        return None  # read a refill time ago, or by a clock since set back
    return known


async def _read(bucket_id: str, now: float) -> float | None:
    """The stored `tat`, remembered if no other charge of this instance was
    under way when it was read (one might be missing from it)."""
    alone = _under_way.get(bucket_id, 0) <= 1
    doc = await raw_collection(QUERY_BUCKETS).find_one({"_id": bucket_id})
    if doc is None:
        return None
    tat = float(doc["tat"])
    if alone:
        _known[bucket_id] = _Known(tat, now)
    else:
        _known.pop(bucket_id, None)
    return tat


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
    retry-after. A charged bucket is read back only when this instance's
    knowledge of it is older than a refill time (see the module's text).

    An `update`, not a `findAndModify`, and the filter says "fits" as "not
    between the limit and the horizon" rather than with an `$or`: SecantusDB
    answers `findAndModify`, and a filter with an `$or` beside the `_id`, by
    scanning the collection (one findAndModify with the `$or`: 5.4 ms; this
    update and a read back: 1.4 ms, on `python -m bench.side_by_side`'s
    database; the update alone costs that database 0.8 ms of CPU).
    """
    _under_way[bucket_id] = _under_way.get(bucket_id, 0) + 1
    try:
        return await _charge(bucket_id, cost, bucket, now)
    finally:
        _under_way[bucket_id] -= 1
        if not _under_way[bucket_id]:
            del _under_way[bucket_id]


async def _charge(bucket_id: str, cost: int, bucket: LeakyBucket, now: float) -> Charge:
    step = cost / bucket.restore_rate
    horizon = bucket.horizon(now)
    # `fits or skewed` (see `LeakyBucket.horizon`) on one field, no `$or`.
    fits = {"$not": {"$gt": bucket.limit(cost, now), "$lte": horizon}}
    start = {"$cond": [{"$gt": ["$tat", horizon]}, now, {"$max": ["$tat", now]}]}
    for _ in range(2):  # a first use racing another's insert: retry once
        known = _fresh(bucket_id, bucket, now)
        if known is not None:  # counted at once: the next charge starts from it
            known = _Known(bucket.charged(known.tat, cost, now), known.read_at)
            _known[bucket_id] = known
        try:
            await raw_collection(QUERY_BUCKETS).update_one(
                {"_id": bucket_id, "tat": fits},
                [{"$set": {"tat": {"$add": [start, step]}}}],
                upsert=True,
            )
        except DuplicateKeyError:
            tat = await _read(bucket_id, now)
            if tat is None or bucket.fits(tat, cost, now):
                continue
            return Charge(
                allowed=False,
                available=bucket.available(tat, now),
                retry_after=bucket.retry_after(tat, cost, now),
            )
        if known is not None:
            return Charge(allowed=True, available=bucket.available(known.tat, now))
        tat = await _read(bucket_id, now)
        tat = now + step if tat is None else tat
        return Charge(allowed=True, available=bucket.available(tat, now))
    return Charge(allowed=False, available=0, retry_after=1.0)


async def level(bucket_id: str, bucket: LeakyBucket, *, now: float) -> int:
    """Points in the bucket now, without charging it."""
    tat = await _read(bucket_id, now)
    return bucket.capacity if tat is None else bucket.available(tat, now)
