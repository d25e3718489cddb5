"""Fixed-window rate limits shared by every server instance (kept in MongoDB)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from gigsta.documents import raw_collection

RATE_LIMITS = "rate_limits"


def _window(
    bucket: str, key: str, window: timedelta, now: datetime
) -> tuple[str, datetime]:
    """The counter's id and the end of the window `now` falls in."""
    seconds = int(window.total_seconds())
    start = int(now.timestamp()) // seconds * seconds
    return f"{bucket}:{key}:{start}", datetime.fromtimestamp(start, UTC) + window


def retry_after(window: timedelta, now: datetime) -> timedelta:
    """How long until the window `now` falls in is over."""
    _, end = _window("", "", window, now)
    return end - now


async def allow(
    bucket: str, key: str, *, limit: int, window: timedelta, now: datetime
) -> bool:
    """Count one use of `bucket` by `key`; False once `limit` is passed.

    Windows are aligned to `window` (so every instance agrees on them) and
    expire through a TTL index on `expires_at` (migration 0006).
    """
    doc_id, end = _window(bucket, key, window, now)
    counters = raw_collection(RATE_LIMITS)
    update: dict[str, Any] = {
        "$inc": {"count": 1},
        "$setOnInsert": {"expires_at": end},
    }
    for _ in range(2):  # two first uses at once: one upsert collides, retry it
        try:
            doc = await counters.find_one_and_update(
                {"_id": doc_id},
                update,
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:
            continue
        return doc is not None and int(doc["count"]) <= limit
    return False


async def refund(bucket: str, key: str, *, window: timedelta, now: datetime) -> None:
    """Give back one use that `allow` counted at the same `now`: for limits
    on failures, where each attempt is counted up front (so that concurrent
    attempts cannot overshoot) and a success is then not held against anyone."""
    doc_id, _ = _window(bucket, key, window, now)
    await raw_collection(RATE_LIMITS).update_one(
        {"_id": doc_id, "count": {"$gt": 0}}, {"$inc": {"count": -1}}
    )
