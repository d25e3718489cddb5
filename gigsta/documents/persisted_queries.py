"""GraphQL documents persisted by clients (automatic persisted queries).

Shared by every instance, so a document registered through one is found by
the others. The key is the SHA-256 of the document's text, so an entry never
changes once written and any instance may cache it for as long as it likes.
"""

from __future__ import annotations

from datetime import datetime

from beanie import Document


class PersistedQuery(Document):
    """One document, under the lowercase hex SHA-256 of its UTF-8 text. Entries
    expire 30 days after registration (TTL index, migration 0009); a client
    that then sends the hash alone is told to send the document again."""

    id: str  # type: ignore[assignment] # the hash, not an ObjectId
    query: str
    registered_at: datetime

    class Settings:
        name = "persisted_queries"
