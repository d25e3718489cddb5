"""The app factory: Starlette app with the GraphQL endpoint and health checks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute

from gigsta.cors import AllowedOriginsCORSMiddleware
from gigsta.database import connect, init_documents, ping
from gigsta.graphiql import ASSETS_PATH, GraphiQLAssets, warn_if_not_installed
from gigsta.http_guards import BodySizeLimitMiddleware, SecurityHeadersMiddleware
from gigsta.integrations.addressable import AddressableClient
from gigsta.integrations.r2 import store_from_settings
from gigsta.jobs.sweeper import run_sweeper
from gigsta.observability import RequestLogMiddleware
from gigsta.resolvers.accounts.credentials import PasswordHashing
from gigsta.resolvers.core import critical
from gigsta.resolvers.core.persisted_queries import PersistedQueryStore
from gigsta.resolvers.core.stopping import stop
from gigsta.resolvers.live.hub import EventHub, running_hub
from gigsta.resolvers.outbox import outbox_from_settings
from gigsta.resolvers.payments.config import payments_from_settings
from gigsta.resolvers.payments.webhooks import stripe_webhook
from gigsta.runtime import Clock, Runtime, utc_now
from gigsta.schema import build_schema
from gigsta.schema.view import GigstaGraphQL

if TYPE_CHECKING:
    import httpx
    from pymongo.monitoring import CommandListener
    from starlette.requests import Request

    from gigsta.settings import Settings

log = logging.getLogger(__name__)

# At shutdown, how long a money-moving step may still run. One that takes
# longer is cut off like a crash: the lock takeover and the reconcile job
# finish it (gigsta/resolvers/payments/executor.py).
CRITICAL_DRAIN_SECONDS = 5.0
# At start-up, how long to wait for the change stream of live updates to open
# (it keeps trying in the background after that).
LIVE_OPEN_SECONDS = 5.0
# Each wait of the stream for new events lasts half a second; an answer that
# takes far longer means the database is stuck, and the stream is reopened.
LIVE_SOCKET_TIMEOUT_MS = 10_000


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    runtime: Runtime = request.app.state.runtime
    try:
        assert runtime.mongo is not None
        await asyncio.wait_for(ping(runtime.mongo), timeout=2)
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        log.warning("readiness check failed: %s", exc)
        return JSONResponse({"status": "unavailable", "database": "down"}, 503)
    return JSONResponse({"status": "ok", "database": "up"})


async def open_places_and_files(
    runtime: Runtime, transport: httpx.AsyncBaseTransport | None
) -> None:
    """The Addressable and R2 clients, shared by all requests (when configured)."""
    settings = runtime.settings
    if settings.addressable_api_key is not None:
        runtime.addressable = AddressableClient(
            api_key=settings.addressable_api_key.get_secret_value(),
            base_url=settings.addressable_base_url,
            timeout=settings.addressable_timeout_seconds,
            retries=settings.addressable_retries,
            cache_ttl=settings.addressable_cache_seconds,
            cache_size=settings.addressable_cache_size,
            transport=transport,
        )
    store = store_from_settings(settings)
    if store is not None:
        await store.start()
        runtime.files = store


async def close_places_and_files(runtime: Runtime) -> None:
    if runtime.addressable is not None:
        await runtime.addressable.aclose()
    if runtime.files is not None:
        await runtime.files.aclose()


@contextlib.asynccontextmanager
async def live_updates(settings: Settings) -> AsyncIterator[EventHub]:
    """The instance's change stream, on a client of its own: its long polls
    hold none of the requests' connections and are not counted as theirs."""
    client = connect(
        settings.require_mongodb_uri(),
        server_selection_timeout_ms=settings.mongodb_server_selection_timeout_ms,
        socket_timeout_ms=LIVE_SOCKET_TIMEOUT_MS,
    )
    try:
        events = client[settings.mongodb_db]["events"]
        async with running_hub(events, open_timeout=LIVE_OPEN_SECONDS) as hub:
            yield hub
    finally:
        await client.close()


def _lifespan(
    runtime: Runtime,
    *,
    command_listeners: list[CommandListener] | None,
    addressable_transport: httpx.AsyncBaseTransport | None,
    sweeper_on: bool,
) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    """Start-up and shutdown: the database, the other services and the sweeper
    come up before the first request and go down after the last."""
    settings = runtime.settings

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runtime.mongo = connect(
            settings.require_mongodb_uri(),
            listeners=command_listeners,
            server_selection_timeout_ms=settings.mongodb_server_selection_timeout_ms,
            socket_timeout_ms=settings.mongodb_socket_timeout_ms,
        )
        await init_documents(runtime.mongo[settings.mongodb_db])
        await open_places_and_files(runtime, addressable_transport)
        sweeper: asyncio.Task[None] | None = None
        if sweeper_on:
            sweeper = asyncio.create_task(
                run_sweeper(
                    runtime.clock,
                    settings.sweep_interval_seconds,
                    runtime.payments,
                    outbox_from_settings(settings, runtime.clock),
                ),
                name="sweeper",
            )
        try:
            async with live_updates(settings) as runtime.live:
                yield
        finally:
            if sweeper is not None:
                await stop(sweeper)
            # Money-moving steps whose requests were cancelled finish first.
            await critical.drain(CRITICAL_DRAIN_SECONDS)
            await close_places_and_files(runtime)
            runtime.passwords.close()
            await runtime.mongo.close()
            if runtime.payments is not None:
                await runtime.payments.gateway.close()

    return lifespan


def _runtime(settings: Settings, clock: Clock) -> Runtime:
    """The process-wide services every request shares."""
    return Runtime(
        settings=settings,
        clock=clock,
        passwords=PasswordHashing(
            threads=settings.password_hash_threads,
            max_waiting=settings.password_hash_queue,
        ),
        persisted_queries=PersistedQueryStore(
            cache_bytes=settings.persisted_query_cache_bytes,
            max_stored=settings.persisted_queries_max,
        ),
        payments=payments_from_settings(settings),
    )


def _routes(settings: Settings) -> list[BaseRoute]:
    graphql = GigstaGraphQL(
        build_schema(introspection=settings.introspection_enabled),
        graphql_ide="graphiql" if settings.graphiql_enabled else None,
        # WebSocket handshakes from pages on other origins: the same list as
        # for cross-origin requests.
        allowed_origins=settings.cors_origins,
    )
    routes: list[BaseRoute] = [
        # Every method reaches the view, which answers any it does not take
        # with a GraphQL-shaped 405.
        Route("/graphql", graphql),
        # Subscriptions: the same view, over WebSocket.
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/webhooks/stripe", stripe_webhook, methods=["POST"]),
    ]
    if settings.graphiql_enabled:
        warn_if_not_installed(settings.graphiql_dir)
        routes.append(Mount(ASSETS_PATH, GraphiQLAssets(settings.graphiql_dir)))
    return routes


def create_app(
    settings: Settings,
    *,
    clock: Clock = utc_now,
    command_listeners: list[CommandListener] | None = None,
    run_sweeper_task: bool | None = None,
    addressable_transport: httpx.AsyncBaseTransport | None = None,
) -> Starlette:
    """Build the app. `clock`, `command_listeners` and `addressable_transport`
    are injected by tests."""
    settings.require_jwt_secret()  # fail at start-up, not at the first sign-in
    runtime = _runtime(settings, clock)
    sweeper_on = (
        settings.sweeper_enabled if run_sweeper_task is None else run_sweeper_task
    )
    lifespan = _lifespan(
        runtime,
        command_listeners=command_listeners,
        addressable_transport=addressable_transport,
        sweeper_on=sweeper_on,
    )
    app = Starlette(
        routes=_routes(settings),
        # Outermost first: the request id and access line cover the refusals,
        # and the refusals (413, 401, ...) carry the CORS headers, so a page
        # on an allowed origin can read why it was refused.
        middleware=[
            Middleware(RequestLogMiddleware),
            Middleware(SecurityHeadersMiddleware, settings=settings),
            Middleware(AllowedOriginsCORSMiddleware, origins=settings.cors_origins),
            Middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes),
        ],
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    return app
