"""The npm client the web app's subscription links use, graphql-ws, against
two server instances: it follows a booking through B while the worker
accepts it through A (`clients/web/src/live.ts`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.clients.web_project import build, copy_project, explain, run
from tests.conftest import PASSWORD
from tests.live_clients import (
    offer_cleaning,
    request_booking,
    sign_up,
    ws_url,
)


async def test_graphql_ws_follows_a_booking_across_instances(
    web_client: Path, project_root: Path, two_instances: Any, tmp_path: Path
) -> None:
    a, b = two_instances
    customer = await sign_up(a.base, "c-npm@example.nz", "CUSTOMER", PASSWORD)
    worker = await sign_up(a.base, "w-npm@example.nz", "WORKER", PASSWORD)
    await offer_cleaning(a.base, worker)
    booking_id = await request_booking(a.base, customer, worker)
    project = copy_project(web_client, tmp_path / "web")
    built = build(project, project_root / "schema.graphql")
    assert built.returncode == 0, explain(built)

    followed = run(
        ["node", "--experimental-websocket", "--no-warnings", "dist/live.js"],
        project,
        {
            "GIGSTA_API_URL": f"{a.base}/graphql",
            "GIGSTA_LIVE_URL": ws_url(b.base),
            "GIGSTA_CUSTOMER_TOKEN": customer.token,
            "GIGSTA_WORKER_TOKEN": worker.token,
            "GIGSTA_BOOKING_ID": booking_id,
        },
    )

    assert followed.returncode == 0, explain(followed)
    outcome = json.loads(followed.stdout)
    assert (outcome["before"]["status"], outcome["before"]["version"]) == (
        "REQUESTED",
        1,
    )
    assert outcome["after"]["id"] == booking_id
    assert (outcome["after"]["status"], outcome["after"]["version"]) == ("ACCEPTED", 2)
    assert outcome["ms"] < 2000
