"""Two server instances on the suite's database, for the live-update tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live_clients import served_pair
from tests.served_app import ServedApp


@pytest.fixture(scope="module")
def two_instances(
    project_root: Path,
    settings: Any,
    raw_db: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ServedApp, ServedApp]]:
    """Instances A and B of `python -m gigsta serve`, one database."""
    with served_pair(project_root, settings, tmp_path_factory) as pair:
        yield pair
