"""The Vue app's operations, typed and run as the app runs them.

`clients/web/` holds the operations the web app sends and a script that runs
the request -> accept flow with urql (`@urql/core`). graphql-codegen types the
operations from the published `schema.graphql` and `tsc` checks the script
against those types, so a schema change that breaks one of the app's
operations fails here. The compiled script then runs under Node against the
served app (with the Stripe stand-in, so the card is held as in production).

Everything is built in a copy of the project in the test's tmp dir (its
`node_modules` linked), so the source tree gets no generated files.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.clients.web_project import build, copy_project, explain, run
from tests.served_app import ServedApp, serving


@pytest.fixture(scope="module")
def served(
    project_root: Path,
    settings: Any,
    raw_db: Any,
    stripe_settings: dict[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ServedApp]:
    """The real server with the Stripe stand-in the rest of the suite uses."""
    log_path = tmp_path_factory.mktemp("web-client") / "server.log"
    stripe = {name: str(value) for name, value in stripe_settings.items()}
    with serving(project_root, log_path, settings, **stripe) as app:
        yield app


async def test_the_web_apps_operations_type_check_and_accept_a_booking(
    web_client: Path, project_root: Path, served: ServedApp, raw_db: Any, tmp_path: Path
) -> None:
    project = copy_project(web_client, tmp_path / "web")
    built = build(project, project_root / "schema.graphql")
    assert built.returncode == 0, explain(built)

    flow = run(
        ["node", "dist/flow.js"],
        project,
        {
            "GIGSTA_API_URL": f"{served.base}/graphql",
            "GIGSTA_PAYMENT_METHOD": "pm_card_visa",
        },
    )
    assert flow.returncode == 0, (
        explain(flow) + "\nserver log:\n" + (served.log_path.read_text()[-4000:])
    )
    outcome = json.loads(flow.stdout)
    assert outcome["status"] == "ACCEPTED"
    assert "accept" in outcome["offered"]
    assert outcome["lastEvent"] == "accept"

    # The database agrees: one booking, accepted by its worker, card held.
    stored = await raw_db.bookings.find({}).to_list()
    assert [booking["status"] for booking in stored] == ["accepted"]
    assert stored[0]["version"] == outcome["version"]
    assert [event["action"] for event in stored[0]["history"]][-1] == "accept"
    assert stored[0]["payment"]["status"] == "authorized"


@pytest.mark.parametrize(
    ("old", "new", "failing_step", "named"),
    [
        # A field an operation selects is renamed: codegen refuses the document.
        (
            "  availableActions: [BookingAction!]!",
            "  allowedActions: [BookingAction!]!",
            "graphql-codegen",
            "availableActions",
        ),
        # An enum value the script compares with is renamed: the operations
        # still validate, and tsc catches the script.
        ("  ACCEPTED\n", "  CONFIRMED\n", "tsc", "flow.ts"),
    ],
    ids=["field-renamed", "enum-value-renamed"],
)
def test_a_schema_change_that_breaks_the_app_fails_the_build(
    web_client: Path,
    project_root: Path,
    tmp_path: Path,
    old: str,
    new: str,
    failing_step: str,
    named: str,
) -> None:
    published = (project_root / "schema.graphql").read_text()
    assert published.count(old) == 1, f"{old!r} is not in schema.graphql once"
    changed = tmp_path / "schema.graphql"
    changed.write_text(published.replace(old, new))
    project = copy_project(web_client, tmp_path / "web")

    built = build(project, changed)

    assert built.returncode != 0, "the build passed against a breaking schema"
    assert Path(built.args[0]).name == failing_step, explain(built)
    assert named in built.stdout + built.stderr, explain(built)
