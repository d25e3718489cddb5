"""Automatic persisted queries, Apollo's protocol (also urql's `persistedExchange`).

A request may carry `extensions.persistedQuery = {version: 1, sha256Hash}`
(in a POST body, or JSON-encoded in GET's `extensions` parameter):

- with the hash alone, the document stored under it runs, from any instance;
  an unknown hash answers one error, message `PersistedQueryNotFound` and
  `extensions.code` `PERSISTED_QUERY_NOT_FOUND`, on which the clients send
  the request again with the document (the view answers it with HTTP 200);
- with the document as well, the hash must be the document's SHA-256 (else
  HTTP 400 `PERSISTED_QUERY_HASH_MISMATCH`); the document runs, and is stored
  once it has passed the document limits and validation, so only documents
  that can run are kept;
- a `persistedQuery` that is not that shape is HTTP 400 `BAD_REQUEST`.

A stored document runs exactly as if it had been sent: the same document
limits, validation, and method rules (a mutation only over POST).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from gigsta.database import is_unavailable
from gigsta.resolvers.core.persisted_queries import document_hash
from gigsta.schema.core.errors import CodedGraphQLError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from strawberry.types import ExecutionContext

    from gigsta.resolvers.core.persisted_queries import PersistedQueryStore
    from gigsta.schema.core.context import Context

log = logging.getLogger(__name__)

NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
# The clients look for this exact message (urql for nothing else).
NOT_FOUND_MESSAGE = "PersistedQueryNotFound"
HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"

_SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")


class PersistedQueryError(CodedGraphQLError):
    """A persisted-query request that cannot run; `code` is its
    `extensions.code`."""


def requested_hash(extensions: dict[str, Any] | None) -> str | None:
    """The hash a request names in `extensions.persistedQuery` (lowercase), or
    None when it names none."""
    entry = (extensions or {}).get("persistedQuery")
    if entry is None:
        return None
    if not isinstance(entry, dict):
        raise PersistedQueryError(
            "`extensions.persistedQuery` must be an object "
            "with `version` and `sha256Hash`.",
            "BAD_REQUEST",
        )
    if entry.get("version") != 1:
        raise PersistedQueryError(
            "Only version 1 of persisted queries is supported.", "BAD_REQUEST"
        )
    sha256 = entry.get("sha256Hash")
    if not isinstance(sha256, str) or not _SHA256_HEX.fullmatch(sha256):
        raise PersistedQueryError(
            "`extensions.persistedQuery.sha256Hash` must be the document's "
            "SHA-256 as 64 hexadecimal digits.",
            "BAD_REQUEST",
        )
    return sha256.lower()


def is_not_found(error: GraphQLError) -> bool:
    return (error.extensions or {}).get("code") == NOT_FOUND


class PersistedQueries(SchemaExtension):
    """Puts the stored document in place of a hash-only request, and stores a
    document sent with its hash once it has been validated."""

    def __init__(self, *, execution_context: ExecutionContext | None = None) -> None:
        super().__init__(execution_context=execution_context)
        # The hash of a document the client sent with it: stored once valid.
        self._to_register: str | None = None

    async def on_operation(self) -> AsyncIterator[None]:
        context = self.execution_context
        sha256 = requested_hash(context.operation_extensions)
        if sha256 is not None:
            if context.query:
                if document_hash(context.query) != sha256:
                    raise PersistedQueryError(
                        "`extensions.persistedQuery.sha256Hash` is not the "
                        "SHA-256 of the document sent with it.",
                        HASH_MISMATCH,
                    )
                self._to_register = sha256
            else:
                context.query = await self._find(sha256)
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context
        sha256 = self._to_register
        if sha256 is None or context.pre_execution_errors or not context.query:
            return
        app: Context = context.context
        try:
            await self._store.register(sha256, context.query, now=app.now)
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            # The document still runs; the client sends it again next time.
            log.warning("persisted query %s not stored: database unavailable", sha256)

    async def _find(self, sha256: str) -> str:
        try:
            found = await self._store.find(sha256)
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            # Told "not found", the client sends the document itself, which
            # may well run without the database.
            log.warning("persisted query %s not found: database unavailable", sha256)
            found = None
        if found is None:
            raise PersistedQueryError(NOT_FOUND_MESSAGE, NOT_FOUND)
        return found

    @property
    def _store(self) -> PersistedQueryStore:
        app: Context = self.execution_context.context
        return app.runtime.persisted_queries
