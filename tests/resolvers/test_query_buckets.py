"""The query-cost buckets' credit (`gigsta.resolvers.core.query_buckets`),
charged directly: what an instance admits always matches what it took from
the stored bucket."""

from __future__ import annotations

import asyncio

from gigsta.domain.partners import LeakyBucket
from gigsta.resolvers.core import query_buckets

BUCKET = LeakyBucket(10_000, 1_000)
NOW = 1_800_000_000.0


async def test_credit_spent_while_a_take_is_under_way_is_not_counted_twice(app, raw_db):
    """A take counts on the credit held when it starts; requests that arrive
    meanwhile must not spend that credit too. With one instance and no time
    passing, the points reported are exactly the capacity less all admitted."""
    bucket_id = "user:credit-under-a-take"
    admitted = 0
    for cost in (401, 401):  # a share of 1,000 taken; 198 of it left
        assert (await query_buckets.charge(bucket_id, cost, BUCKET, now=NOW)).allowed
        admitted += cost
    wide = asyncio.create_task(query_buckets.charge(bucket_id, 401, BUCKET, now=NOW))
    await asyncio.sleep(0)  # the take runs until it waits on the database
    assert bucket_id in query_buckets._taking
    # these spend credit at once, without a command, if they find any
    small = [
        await query_buckets.charge(bucket_id, 2, BUCKET, now=NOW) for _ in range(5)
    ]
    assert all(charge.allowed for charge in small)
    assert (await wide).allowed
    admitted += 401 + 5 * 2
    last = await query_buckets.charge(bucket_id, 2, BUCKET, now=NOW)
    assert last.available == BUCKET.capacity - admitted - 2
    stored = await raw_db["query_buckets"].find_one({"_id": bucket_id})
    taken = round((stored["tat"] - NOW) * BUCKET.restore_rate)
    held = query_buckets._held[bucket_id].credit
    assert taken - held == admitted + 2
