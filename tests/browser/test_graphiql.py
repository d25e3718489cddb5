"""GraphiQL in a real Chromium, from the served app, with no other host."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from tests.conftest import PASSWORD

LOG_IN = """mutation LogIn {
  logIn(input: {email: "%s", password: "%s"}) {
    token
    errors { field code message }
  }
}"""
VIEWER = """query Viewer {
  viewer { email role customer { name } }
}"""
# Screenshots are kept here (not in git) as the test run's artefacts.
ARTEFACTS = ".data/test-artefacts"


async def set_editor(page, selector, text):
    """Replace an editor's text through its CodeMirror instance (typing would
    fight the editor's bracket auto-closing)."""
    await page.locator(f"{selector} .CodeMirror").wait_for()
    await page.eval_on_selector(
        f"{selector} .CodeMirror",
        "(node, text) => node.CodeMirror.setValue(text)",
        text,
    )


async def set_query(page, text):
    """Replace the query and wait until GraphiQL has taken it in: it reads the
    operation name from an edit a moment later (and then puts the query in the
    page's URL, which says it is done)."""
    await set_editor(page, ".graphiql-query-editor", text)
    await page.wait_for_function(
        "text => new URLSearchParams(location.search).get('q') === text", arg=text
    )


async def run_and_read_result(page, expected):
    """Press the run button and return the result pane's JSON once it shows
    `expected`."""
    await page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()
    result = page.locator(".graphiql-response .CodeMirror")
    await result.filter(has_text=expected).wait_for(timeout=20_000)
    text = await result.evaluate("node => node.CodeMirror.getValue()")
    return json.loads(text)


def origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


async def test_sign_in_and_query_in_graphiql(served, recorded_page, project_root):
    page, traffic = recorded_page
    email = "graphiql@browser.nz"
    served.sign_up(email, "CUSTOMER")

    await page.goto(f"{served.base}/graphql")
    await set_query(page, LOG_IN % (email, PASSWORD))
    logged_in = await run_and_read_result(page, '"token"')
    assert logged_in["data"]["logIn"]["errors"] == []
    token = logged_in["data"]["logIn"]["token"]

    headers_tab = page.get_by_role("button", name="Headers", exact=True)
    await headers_tab.click()
    assert "active" in (await headers_tab.get_attribute("class")).split()
    await set_editor(
        page,
        ".graphiql-editor-tool .graphiql-editor:not(.hidden)",
        json.dumps({"Authorization": f"Bearer {token}"}),
    )
    await set_query(page, VIEWER)
    viewer = await run_and_read_result(page, email)
    # A signed-in query also reports what it cost against the caller's bucket.
    cost = viewer.pop("extensions")["cost"]
    assert (cost["requestedQueryCost"], cost["actualQueryCost"]) == (5, 5)
    assert viewer == {
        "data": {
            "viewer": {
                "email": email,
                "role": "CUSTOMER",
                "customer": {"name": "Customer"},
            }
        }
    }

    screenshot = project_root / ARTEFACTS / "graphiql-viewer.png"
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(screenshot))

    # A dialog (its styles are injected inline) and the schema's docs.
    await page.get_by_role("button", name="Open settings dialog").click()
    await page.get_by_role("dialog").get_by_text("Persist headers").wait_for()
    await page.keyboard.press("Escape")
    await page.get_by_role("button", name="Show Documentation Explorer").click()
    await page.locator(".graphiql-doc-explorer").get_by_text("Query").first.wait_for()

    # The page, its scripts, styles and every query: all from the server.
    assert traffic.requests
    assert {origin(url) for url in traffic.requests if not url.startswith("data:")} == {
        served.base
    }
    # Nothing was refused by the page's Content-Security-Policy, nothing broke
    # (the dialogs' scroll lock complains that the page hides its scrollbar).
    assert [
        error
        for error in traffic.console_errors
        if not error.startswith("react-remove-scroll-bar:")
    ] == []
    assert traffic.page_errors == []
