"""A real browser for the suite: Debian's Chromium, driven by Playwright.

Playwright's own browser download is never used: `executable_path` points at
the distribution's Chromium (`.ci/run` installs it). Without it the browser
tests are skipped with the reason, except in CI (`CI` set), where they fail.
The served app allows the origin of one small static server and not that of
another serving the same pages (`origins`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from tests.conftest import unavailable
from tests.integrations.threaded_server import ThreadedServer
from tests.served_app import ServedApp, serving

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
PAGES = Path(__file__).parent / "pages"


@pytest.fixture(scope="session", autouse=True)
def chromium() -> Path:
    """Checked before any server is started for these tests."""
    if not CHROMIUM.exists():
        unavailable(
            f"Debian's Chromium is not installed at {CHROMIUM}, so the browser "
            "tests cannot run: `apt-get install chromium` (.ci/run does)"
        )
    return CHROMIUM


@pytest.fixture(scope="session")
async def browser(chromium: Path) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            await launched.close()


@dataclass
class Traffic:
    """Every request a page made, and what went wrong in it."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)


@pytest.fixture
async def recorded_page(browser: Any) -> AsyncIterator[tuple[Any, Traffic]]:
    """A fresh page (its own storage) with its traffic recorded."""
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    traffic = Traffic()
    context.on("request", lambda request: traffic.requests.append(request.url))
    new_page = await context.new_page()
    new_page.on(
        "console",
        lambda message: (
            traffic.console_errors.append(message.text)
            if message.type == "error"
            else None
        ),
    )
    new_page.on("pageerror", lambda error: traffic.page_errors.append(str(error)))
    try:
        yield new_page, traffic
    finally:
        await context.close()


@dataclass
class Origins:
    allowed: str
    unlisted: str


@pytest.fixture(scope="session")
def origins() -> Iterator[Origins]:
    """The same static pages from two local servers, two origins: a browser
    app's that the API allows, and one it does not list."""
    servers = []
    for _ in range(2):
        app = web.Application()
        app.router.add_static("/", PAGES)
        servers.append(ThreadedServer(app).start())
    try:
        yield Origins(allowed=servers[0].url, unlisted=servers[1].url)
    finally:
        for server in servers:
            server.stop()


@pytest.fixture(scope="session")
def served(
    project_root: Path,
    settings: Any,
    raw_db: Any,
    origins: Origins,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ServedApp]:
    """The real server on a real port, with GraphiQL, allowing `origins.allowed`."""
    log_path = tmp_path_factory.mktemp("browser") / "server.log"
    with serving(
        project_root, log_path, settings, GIGSTA_CORS_ORIGINS=origins.allowed
    ) as app:
        yield app
