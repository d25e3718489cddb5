"""MongoDB connection and Beanie initialisation.

Indexes are created by `scripts/migrate` only, so Beanie is initialised with
`skip_indexes=True` and app start-up never changes the database's shape.

The client fails fast: while the database is away (restarting, failing over,
unreachable) a request waits at most the server selection timeout for it and
then answers `DATABASE_UNAVAILABLE`, instead of holding its connection for the
driver's defaults (30 s to select a server, 20 s to connect). It recovers by
itself once the database is back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from beanie import init_beanie
from pymongo import AsyncMongoClient
from pymongo.errors import ConnectionFailure, PyMongoError

from gigsta.documents import DOCUMENT_MODELS

if TYPE_CHECKING:
    from pymongo.asynchronous.database import AsyncDatabase
    from pymongo.monitoring import CommandListener

SERVER_SELECTION_TIMEOUT_MS = 1000
# Opening one connection (TCP and TLS) to a live server takes milliseconds;
# one that takes a second is going nowhere.
CONNECT_TIMEOUT_MS = 1000
# Servers and the network between drop idle connections (SecantusDB after
# 5 minutes, load balancers and NAT often sooner); the pool retires its own
# first, so a request after a quiet spell does not meet a dead one.
MAX_IDLE_TIME_MS = 60_000


def connect(
    uri: str,
    *,
    listeners: list[CommandListener] | None = None,
    server_selection_timeout_ms: int = SERVER_SELECTION_TIMEOUT_MS,
    socket_timeout_ms: int | None = None,
) -> AsyncMongoClient[dict[str, Any]]:
    """A client for `uri`.

    `socket_timeout_ms`, when given, bounds the wait for any one answer, so a
    database that accepts connections but stops answering cannot hold a
    request either; it must exceed the slowest legitimate operation.

    PyMongo's `timeoutMS` is not used: with it set, the driver retries a
    failing operation until that whole budget is spent, so an outage would be
    reported only after `timeoutMS` rather than after server selection.

    Writes are acknowledged by a majority of the replica set, which also means
    written to its members' journals (`writeConcernMajorityJournalDefault`),
    so an acknowledged write survives a restart or a failover.
    """
    return AsyncMongoClient(
        uri,
        tz_aware=True,
        serverSelectionTimeoutMS=server_selection_timeout_ms,
        connectTimeoutMS=CONNECT_TIMEOUT_MS,
        socketTimeoutMS=socket_timeout_ms,
        maxIdleTimeMS=MAX_IDLE_TIME_MS,
        w="majority",
        appname="gigsta",
        event_listeners=listeners or [],
    )


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` says the database could not be reached or did not answer
    in time (an outage, reported as `DATABASE_UNAVAILABLE`), rather than a bug.

    `ConnectionFailure` covers server selection timeouts, lost connections
    (`AutoReconnect`, `NetworkTimeout`) and an exhausted connection pool;
    `timeout` marks any other operation that ran out of time.
    """
    return isinstance(error, ConnectionFailure) or (
        isinstance(error, PyMongoError) and error.timeout
    )


async def init_documents(database: AsyncDatabase[dict[str, Any]]) -> None:
    await init_beanie(
        database=database, document_models=list(DOCUMENT_MODELS), skip_indexes=True
    )


async def ping(client: AsyncMongoClient[dict[str, Any]]) -> bool:
    await client.admin.command("ping")
    return True
