"""Shared fixtures: a real database server, the app over HTTP, an injected clock.

Unless MONGODB_URI is set, a throw-away SecantusDB (`:memory:`) is started on a
free port for the session and stopped at the end.
"""

from __future__ import annotations

import io
import json
import logging
import os
import secrets
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

import httpx
import pytest
from asgi_lifespan import LifespanManager
from pymongo import AsyncMongoClient, monitoring
from starlette.applications import Starlette

from gigsta.app import create_app
from gigsta.observability import log_handler
from gigsta.resolvers.bookings.queries import NEWEST_PAGES
from gigsta.runtime import Runtime
from gigsta.settings import Settings
from scripts.migrate import migrate_up
from scripts.processes import stop_process
from scripts.standins.mongo import start_mongo

pytest_plugins = [
    "tests.fixtures_places",
    "tests.fixtures_smtp",
    "tests.fixtures_stripe",
    "tests.fixtures_live",
]

JWT_SECRET = "test-secret-" + "x" * 40
PASSWORD = "correct horse battery"
# A browser app's origin the suite's app allows (the Vite dev server's).
CORS_ORIGIN = "http://localhost:5173"


class CommandCounter(monitoring.CommandListener):
    """Counts the MongoDB commands the app sends (PyMongo command monitoring).

    The query-cost buckets' commands are kept apart, in `bucket_commands`:
    whether a request sends any depends on the credit this instance holds of
    the caller's bucket (`gigsta.resolvers.core.query_buckets`), not on what
    it reads; `tests/schema/test_query_cost.py` asserts them."""

    IGNORED = frozenset({"hello", "ismaster", "isMaster", "ping", "endSessions"})

    def __init__(self) -> None:
        self.commands: list[str] = []
        self.bucket_commands: list[str] = []
        # the filter of each `find` counted in `commands`
        self.find_filters: list[dict[str, Any]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name in self.IGNORED:
            return
        if event.command.get(event.command_name) == "query_buckets":
            self.bucket_commands.append(event.command_name)
        else:
            self.commands.append(event.command_name)
            if event.command_name == "find":
                self.find_filters.append(event.command.get("filter", {}))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    def reset(self) -> None:
        self.commands.clear()
        self.bucket_commands.clear()
        self.find_filters.clear()


@dataclass
class FakeClock:
    """The app's clock in tests: moved by hand, never by sleeping."""

    now: datetime = field(
        default_factory=lambda: datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    )

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture(scope="session")
def mongo_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if os.environ.get("MONGODB_URI"):
        yield os.environ["MONGODB_URI"]
        return
    log = tmp_path_factory.mktemp("secantus") / "secantusd.log"
    proc, uri = start_mongo(":memory:", log)
    try:
        yield uri
    finally:
        stop_process(proc)


@pytest.fixture(scope="session")
def settings(
    mongo_uri: str, places_settings: dict[str, Any], stripe_settings: dict[str, Any]
) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        MONGODB_URI=mongo_uri,
        MONGODB_DB=f"gigsta_test_{secrets.token_hex(4)}",
        GIGSTA_JWT_SECRET=JWT_SECRET,
        GIGSTA_SWEEPER=False,
        GIGSTA_WEBHOOKS_ALLOW_PRIVATE=True,
        # Scenarios move the clock by days; tokens must outlive them.
        GIGSTA_JWT_TTL_SECONDS=60 * 60 * 24 * 30,
        GIGSTA_CORS_ORIGINS=CORS_ORIGIN + ",https://app.gigsta.test",
        **places_settings,
        **stripe_settings,
    )


SHORT_TTL = 24 * 60 * 60


@pytest.fixture(scope="session")
async def raw_db(settings: Settings) -> AsyncIterator[Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongodb_uri, tz_aware=True
    )
    db = client[settings.mongodb_db]
    await migrate_up(db)
    # TTL indexes expire by the wall clock, but the suite's injected clock is
    # weeks behind it: the database's 60 s sweep would delete sign-in and
    # rate-limit counters (windows of minutes) mid-test. Expiry is the
    # database's job; for those short windows it is off here.
    for name in await db.list_collection_names():
        async for index in await db[name].list_indexes():
            if index.get("expireAfterSeconds", SHORT_TTL) < SHORT_TTL:
                await db[name].drop_index(index["name"])
    try:
        yield db
    finally:
        await client.drop_database(settings.mongodb_db)
        await client.close()


@pytest.fixture(scope="session")
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def command_counter() -> CommandCounter:
    return CommandCounter()


@pytest.fixture(scope="session")
def application(
    settings: Settings,
    clock: FakeClock,
    command_counter: CommandCounter,
    addressable_upstream: Any,
) -> Starlette:
    """The app object itself (its `state.runtime`); tests talk to `app`."""
    return create_app(
        settings,
        clock=clock,
        command_listeners=[command_counter],
        addressable_transport=addressable_upstream.transport,
    )


@pytest.fixture(scope="session")
async def app(application: Starlette, raw_db: Any) -> AsyncIterator[Any]:
    async with LifespanManager(application) as manager:
        yield manager.app


@pytest.fixture
def runtime(app: Any, application: Starlette) -> Runtime:
    """The running app's shared services (a test may swap one for a while)."""
    found: Runtime = application.state.runtime
    return found


@pytest.fixture(scope="session")
async def http(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://gigsta.test"
    ) as c:
        yield c


@pytest.fixture
async def production(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A second app, in production mode, without its lifespan: it must not
    rebind the documents of the session's app to a client it would close; its
    checks need no database."""
    application = create_app(settings.model_copy(update={"env": "production"}))
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="https://g") as c:
        yield c


@pytest.fixture(autouse=True)
async def _clean_state(request: pytest.FixtureRequest, clock: FakeClock) -> None:
    """Each test starts with empty collections (indexes kept), a fixed clock
    and no page bounds learned from another test's documents."""
    clock.now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    NEWEST_PAGES.forget()
    if "raw_db" not in request.fixturenames and "http" not in request.fixturenames:
        return
    db = request.getfixturevalue("raw_db")
    for name in await db.list_collection_names():
        if not name.startswith("migrations"):
            await db[name].delete_many({})


class GraphQLClient:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def raw(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return await self.http.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers=headers,
        )

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
    ) -> dict[str, Any]:
        response = await self.raw(query, variables, token)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def sign_up(
        self, email: str, role: str = "CUSTOMER", country: str = "NZ", name: str = "Kim"
    ) -> tuple[str, dict[str, Any]]:
        data = await self(
            """mutation($input: SignUpInput!) { signUp(input: $input) {
                 token viewer { id role customer { id } worker { id } }
                 errors { field code message } } }""",
            {
                "input": {
                    "email": email,
                    "password": PASSWORD,
                    "name": name,
                    "role": role,
                    "country": country,
                }
            },
        )
        payload = data["signUp"]
        assert payload["errors"] == [], payload["errors"]
        return payload["token"], payload["viewer"]


@pytest.fixture
def gql(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)


class AppLog:
    """What the app's own log handler wrote while a test ran, line by line."""

    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    def lines(self) -> list[str]:
        return self.stream.getvalue().splitlines()

    def entries(self, logger: str | None = None) -> list[dict[str, Any]]:
        """Every line parsed as JSON (a line that is not fails the test)."""
        parsed = [json.loads(line) for line in self.lines()]
        return [e for e in parsed if logger is None or e["logger"] == logger]


@pytest.fixture
def app_log(caplog: pytest.LogCaptureFixture) -> Iterator[AppLog]:
    """The production handler and formatter, writing to a buffer for the test."""
    stream = io.StringIO()
    handler = log_handler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        with caplog.at_level(logging.INFO):  # let INFO records reach the root
            yield AppLog(stream)
    finally:
        root.removeHandler(handler)


def unavailable(reason: str) -> NoReturn:
    """A tool some tests need is not installed: skip them, saying why, except
    in CI (`CI` set), whose setup installs it, so there it is a failure."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


def run_cli(
    args: list[str], env: dict[str, str], **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own CLI in a test
        args,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        **kwargs,
    )
