"""Leaky buckets of query cost, one per API key or signed-in account, shared
by every instance through the bucket's document in `query_buckets` (GCRA, see
`gigsta.domain.partners.LeakyBucket`).

An instance takes points from the stored bucket a share at a time (a tenth
of it, `CREDIT_SHARE`, or the whole cost when that is more) with one
conditional update, and spends that credit on the caller's next requests
without a command. The update alone decides whether points are taken, on any
number of instances, so no request is admitted that no stored charge paid
for. When the stored bucket no longer holds a share but holds the cost, the
instance takes the cost alone: a burst from a full bucket is admitted up to
exactly its capacity. Credit is given up a refill time (10 s by default) after
it was taken; until then, an idle caller whose stored bucket refilled may
spend it on top, so one instance admits at most a share beyond the capacity.

The points left, which the answer reports, are what this instance knows of
the stored bucket (its last read plus what it took since) plus its credit.
It reads the bucket back after taking points when it has not read it for one
refill time (one take of a bucket runs at a time here), unless the take
created it. With one instance that is exact; behind several, the others'
charges show here within one refill time, and at once on a refusal, which
always reads. A page request spends credit without a command on most requests
(`python -m bench.side_by_side`).
"""

from __future__ import annotations

import asyncio
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


@dataclass(slots=True)
class _Held:
    """What this instance knows and holds of a bucket: the stored `tat` as
    of its last read (`read_at`), with what it took since counted in; and
    its credit, points it took and has not spent yet (`taken_at`: when)."""

    tat: float
    read_at: float
    credit: int = 0
    taken_at: float = 0.0


# An instance takes this share of a bucket at a time (or the cost, if more).
CREDIT_SHARE = 10
# A bucket known only from what this instance took, never read.
_NEVER = float("-inf")

# What this process knows and holds of the buckets it charged lately, and
# its takes under way (one per bucket at a time).
_held: LRUCache[str, _Held] = LRUCache(maxsize=20_000)
_taking: dict[str, asyncio.Event] = {}


def _fresh(bucket_id: str, bucket: LeakyBucket, now: float) -> _Held | None:
    """What this instance knows of a bucket, if it read it within a refill time."""
    held = _held.get(bucket_id)
    if held is None or not 0 <= now - held.read_at < bucket.refill_seconds:
        return None  # unknown, read a refill time ago, or by a clock set back
    return held


def _credit(held: _Held, bucket: LeakyBucket, now: float) -> int:
    """The credit held, given up a refill time after it was taken (or when
    the clock was set back before that)."""
    if not 0 <= now - held.taken_at < bucket.refill_seconds:
        held.credit = 0
    return held.credit


async def _read(bucket_id: str, now: float, *, taking: bool = True) -> float | None:
    """The stored `tat`, remembered if this instance's take of the bucket is
    the one reading it or none is under way (one might be missing from it)."""
    doc = await raw_collection(QUERY_BUCKETS).find_one({"_id": bucket_id})
    if doc is None:
        return None
    tat = float(doc["tat"])
    if taking or bucket_id not in _taking:
        _remember(bucket_id, tat, now)
    return tat


def _remember(bucket_id: str, tat: float, now: float) -> None:
    """The stored `tat` as of `now`, known to this instance."""
    held = _held.get(bucket_id)
    if held is None:
        _held[bucket_id] = _Held(tat, now)
    else:
        held.tat, held.read_at = tat, now


def _spend(held: _Held, bucket: LeakyBucket, now: float) -> Charge:
    """An allowed charge's report: the stored bucket as known, plus credit."""
    available = bucket.available(held.tat, now) + held.credit
    return Charge(allowed=True, available=min(bucket.capacity, available))


async def charge(
    bucket_id: str, cost: int, bucket: LeakyBucket, *, now: float
) -> Charge:
    """Take `cost` points from the bucket if it holds them: from this
    instance's credit when it holds them, else from the stored bucket, a share
    at a time (see the module's text). One take of a bucket at a time: a
    request arriving during one waits for it, and spends its credit."""
    while True:
        held = _held.get(bucket_id)
        if held is not None and _credit(held, bucket, now) >= cost:
            held.credit -= cost
            return _spend(held, bucket, now)
        taking = _taking.get(bucket_id)
        if taking is None:
            break
        await taking.wait()
    _taking[bucket_id] = taking = asyncio.Event()
    try:
        return await _take_credit(bucket_id, cost, bucket, now)
    finally:
        del _taking[bucket_id]
        taking.set()


def _set_aside(bucket_id: str, bucket: LeakyBucket, now: float) -> int:
    """The credit held of a bucket, taken out of reach of other requests."""
    held = _held.get(bucket_id)
    if held is None:
        return 0
    credit, held.credit = _credit(held, bucket, now), 0
    return credit


def _give_back(bucket_id: str, credit: int) -> None:
    """Credit set aside for a take that did not happen, held again."""
    held = _held.get(bucket_id)
    if held is not None:
        held.credit += credit


async def _take_credit(
    bucket_id: str, cost: int, bucket: LeakyBucket, now: float
) -> Charge:
    """Charge `cost` beyond this instance's credit of the bucket (too little):
    take a share from the stored bucket, or the rest of the cost alone when a
    share does not fit; the credit pays for the first part of the cost.

    That credit is set aside while the take is under way: a request arriving
    meanwhile finds none and waits for the take, rather than spending points
    this charge already counts on."""
    credit = _set_aside(bucket_id, bucket, now)
    share = max(cost, bucket.capacity // CREDIT_SHARE)
    try:
        taken, tat = await _take(bucket_id, share - credit, bucket, now)
        if not taken.allowed and share > cost:  # the cost alone may still fit
            share = cost
            taken, tat = await _take(bucket_id, cost - credit, bucket, now)
    except BaseException:
        _give_back(bucket_id, credit)
        raise
    if not taken.allowed:  # the credit is still the caller's
        _give_back(bucket_id, credit)
        available = min(bucket.capacity, taken.available + credit)
        return Charge(False, available, taken.retry_after)
    held = _held.get(bucket_id)
    if held is None:  # the take could not read the bucket back
        held = _held[bucket_id] = _Held(tat, _NEVER)
    held.credit, held.taken_at = share - cost, now
    return _spend(held, bucket, now)


async def _take(
    bucket_id: str, cost: int, bucket: LeakyBucket, now: float
) -> tuple[Charge, float]:
    """Take `cost` points from the stored bucket if it holds them: the charge
    and the stored `tat` after it, as this instance knows it.

    The filter admits the update only while the cost fits (or the stored
    `tat` is beyond the horizon, from a clock that was ahead); the update then
    moves the bucket's `tat` in the same atomic step, so concurrent requests
    on any number of instances can never overdraw it. A bucket that does not
    fit fails the filter, and the upsert collides with the existing document
    (DuplicateKeyError): that is the refusal, read once more for its
    retry-after. A charged bucket is read back only when this instance's
    knowledge of it is older than a refill time (see the module's text); one
    the update created holds `now` plus the step, and is not read.

    An `update`, not a `findAndModify`, and the filter says "fits" as "not
    between the limit and the horizon" rather than with an `$or`: SecantusDB
    answers `findAndModify`, and a filter with an `$or` beside the `_id`, by
    scanning the collection (one findAndModify with the `$or`: 5.4 ms; this
    update and a read back: 1.4 ms, on `python -m bench.side_by_side`'s
    database; the update alone costs that database 0.8 ms of CPU).
    """
    step = cost / bucket.restore_rate
    horizon = bucket.horizon(now)
    # `fits or skewed` (see `LeakyBucket.horizon`) on one field, no `$or`.
    fits = {"$not": {"$gt": bucket.limit(cost, now), "$lte": horizon}}
    start = {"$cond": [{"$gt": ["$tat", horizon]}, now, {"$max": ["$tat", now]}]}
    for _ in range(2):  # a first use racing another's insert: retry once
        known = _fresh(bucket_id, bucket, now)
        if known is not None:  # counted at once: the next take starts from it
            known.tat = bucket.charged(known.tat, cost, now)
        try:
            taken = await raw_collection(QUERY_BUCKETS).update_one(
                {"_id": bucket_id, "tat": fits},
                [{"$set": {"tat": {"$add": [start, step]}}}],
                upsert=True,
            )
        except DuplicateKeyError:
            tat = await _read(bucket_id, now)
            if tat is None or bucket.fits(tat, cost, now):
                continue
            refusal = Charge(
                allowed=False,
                available=bucket.available(tat, now),
                retry_after=bucket.retry_after(tat, cost, now),
            )
            return refusal, tat
        if taken.upserted_id is not None:  # created by this take: `now` + step
            tat = now + step
            _remember(bucket_id, tat, now)
        elif known is not None:
            tat = known.tat
        else:
            read = await _read(bucket_id, now)
            tat = now + step if read is None else read
        return Charge(allowed=True, available=bucket.available(tat, now)), tat
    return Charge(allowed=False, available=0, retry_after=1.0), horizon


async def level(bucket_id: str, bucket: LeakyBucket, *, now: float) -> int:
    """Points in the bucket now, without charging it (its credit included)."""
    tat = await _read(bucket_id, now, taking=False)
    stored = bucket.capacity if tat is None else bucket.available(tat, now)
    held = _held.get(bucket_id)
    credit = 0 if held is None else _credit(held, bucket, now)
    return min(bucket.capacity, stored + credit)
