"""Fixed-window rate limits shared by every server instance (kept in MongoDB)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from gigsta.documents import raw_collection

RATE_LIMITS = "rate_limits"


async def allow(
    bucket: str, key: str, *, limit: int, window: timedelta, now: datetime
) -> bool:
    """Count one use of `bucket` by `key`; False once `limit` is passed.

    Windows are aligned to `window` (so every instance agrees on them) and
    expire through a TTL index on `expires_at` (migration 0006).
    """
    seconds = int(window.total_seconds())
    start = int(now.timestamp()) // seconds * seconds
    counters = raw_collection(RATE_LIMITS)
    update: dict[str, Any] = {
        "$inc": {"count": 1},
        "$setOnInsert": {"expires_at": datetime.fromtimestamp(start, UTC) + window},
    }
    doc_id = f"{bucket}:{key}:{start}"
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
