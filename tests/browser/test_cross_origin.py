"""A web app on another origin signs in and reads `viewer` with `fetch`."""

from __future__ import annotations

import pytest
from playwright.async_api import Error as BrowserError

from scripts.processes import wait_until
from tests.conftest import PASSWORD

CALL = "([api, email, password]) => signInAndReadViewer(api, email, password)"


def access_lines(served, start, count, keep):
    """The server's access lines from log line `start` on that `keep` selects,
    once there are `count` (each is written just after the answer, so the
    sign-up's own line may still be on its way too)."""
    found = []

    def written():
        try:
            entries = served.log_entries(start)
        except ValueError:  # a line half written
            return False
        found[:] = [e for e in entries if e.get("event") == "request" and keep(e)]
        return len(found) >= count

    wait_until(written, served.proc, what="the server's access lines", timeout=10)
    return found


async def sign_in_from(origin, served, page, email, role):
    """Sign up `email`, then let the web app page at `origin` sign in and read
    `viewer`: what it got, or the browser's error."""
    served.sign_up(email, role)
    await page.goto(f"{origin}/app.html")
    return await page.evaluate(CALL, [f"{served.base}/graphql", email, PASSWORD])


async def test_an_allowed_origin_signs_in_and_reads_the_viewer(
    served, recorded_page, origins
):
    page, traffic = recorded_page
    email = "webapp@browser.nz"
    log_start = len(served.log_entries())

    result = await sign_in_from(origins.allowed, served, page, email, "WORKER")

    assert result["logIn"]["status"] == 200
    assert result["logIn"]["body"]["data"]["logIn"]["errors"] == []
    assert result["viewer"]["body"]["data"] == {
        "viewer": {"email": email, "role": "WORKER"}
    }
    # The exposed header is readable by the page, and names the server's line.
    request_ids = [result["logIn"]["requestId"], result["viewer"]["requestId"]]
    assert all(request_ids)
    lines = access_lines(
        served,
        log_start,
        count=3,
        keep=lambda e: e["method"] == "OPTIONS" or e["request_id"] in request_ids,
    )
    # One preflight, answered, for both JSON POSTs: its answer already allowed
    # the Authorization header, and the browser kept it.
    assert [(line["method"], line["status"]) for line in lines] == [
        ("OPTIONS", 200),
        ("POST", 200),
        ("POST", 200),
    ]
    assert any(url.startswith(served.base) for url in traffic.requests)


async def test_an_unlisted_origin_is_refused_by_the_browser(
    served, recorded_page, origins
):
    page, _ = recorded_page
    log_start = len(served.log_entries())

    with pytest.raises(BrowserError, match="Failed to fetch"):
        await sign_in_from(
            origins.unlisted, served, page, "elsewhere@browser.nz", "CUSTOMER"
        )
    # The preflight was refused, so the sign-in itself was never sent.
    (line,) = access_lines(
        served, log_start, count=1, keep=lambda e: e["method"] != "POST"
    )
    assert (line["method"], line["status"]) == ("OPTIONS", 400)
