"""Automatic persisted queries: documents stored under their SHA-256, shared by
every instance through MongoDB, with a bounded LRU of them in each process.

A hash names exactly one text, so a cached entry can never be stale: the cache
needs no invalidation, and a miss in it is only a reason to ask the database.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from typing import TYPE_CHECKING

from cachetools import LRUCache
from pymongo.errors import DuplicateKeyError

from gigsta.documents import PersistedQuery

if TYPE_CHECKING:
    from datetime import datetime

log = logging.getLogger(__name__)


def document_hash(query: str) -> str:
    """The lowercase hex SHA-256 of the document's UTF-8 text, as Apollo's and
    urql's clients compute it."""
    return hashlib.sha256(query.encode()).hexdigest()


class PersistedQueryStore:
    """Lookups and registrations of persisted documents.

    `cache_bytes` bounds the documents (their characters) kept in this
    process; `max_stored` bounds the shared collection: once it holds that
    many, new documents still run but are not stored (the TTL index makes
    room again).
    """

    def __init__(self, *, cache_bytes: int, max_stored: int) -> None:
        self._cache: LRUCache[str, str] = LRUCache(
            maxsize=max(0, cache_bytes), getsizeof=len
        )
        self.max_stored = max_stored

    async def find(self, sha256: str) -> str | None:
        """The document stored under `sha256` by any instance, or None."""
        cached = self._cache.get(sha256)
        if cached is not None:
            return cached
        found = await PersistedQuery.get(sha256)
        if found is None:
            return None
        self._remember(sha256, found.query)
        return found.query

    async def register(self, sha256: str, query: str, *, now: datetime) -> None:
        """Store `query` under `sha256`, which the caller has checked is its
        hash, and which it has checked is a document worth keeping."""
        if sha256 in self._cache:
            return  # stored already, by this instance or found through it
        collection = PersistedQuery.get_pymongo_collection()
        stored = await collection.estimated_document_count()
        if stored >= self.max_stored:
            log.warning(
                "persisted queries: %d stored, the limit; %s not stored",
                stored,
                sha256,
            )
            return
        # Another request or instance may have stored the same text first.
        with contextlib.suppress(DuplicateKeyError):
            await PersistedQuery(id=sha256, query=query, registered_at=now).insert()
        self._remember(sha256, query)

    def _remember(self, sha256: str, query: str) -> None:
        # cachetools refuses an item larger than the whole cache (ValueError).
        if len(query) <= self._cache.maxsize:
            self._cache[sha256] = query
