"""Query-cost buckets behind two served instances on one database: each takes
points from the stored bucket a share at a time and spends its credit in
memory, and together they admit no more than the bucket holds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.served_app import ServedApp, serving

WIDE = "{ workers(first: 100) { edges { node { id name } } } }"  # 401 points


@pytest.fixture(scope="module")
def slow_pair(
    project_root: Path,
    settings: Any,
    raw_db: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ServedApp, ServedApp]]:
    """Instances A and B whose buckets refill at 1 point a second, so a burst
    of a few seconds is bounded by the bucket alone."""
    logs = tmp_path_factory.mktemp("throttle")
    env = {"GIGSTA_QUERY_COST_RESTORE_RATE": "1"}
    with (
        serving(project_root, logs / "a.log", settings, **env) as a,
        serving(project_root, logs / "b.log", settings, **env) as b,
    ):
        yield a, b


def _status(app: ServedApp, token: str) -> int:
    response = httpx.post(
        f"{app.base}/graphql",
        json={"query": WIDE},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    return response.status_code


def test_two_instances_together_admit_no_more_than_the_bucket(slow_pair):
    a, b = slow_pair
    token, _ = a.sign_up("burst@example.nz", "CUSTOMER")
    codes = [_status((a, b)[i % 2], token) for i in range(40)]
    admitted = codes.count(200)
    assert set(codes) == {200, 429}
    # once refused on both, refused for good (the refill is 1 point a second)
    first_refusal = codes.index(429)
    assert codes[first_refusal + 2 :] == [429] * (40 - first_refusal - 2)
    # 24 x 401 = 9,624 points fit in 10,000 (25 would not); each instance may
    # end holding less than one request's worth of credit, and the store as
    # much again, so at least 10,000 - 3 x 401 are spent
    assert 10_000 - 3 * 401 < admitted * 401 <= 10_000
