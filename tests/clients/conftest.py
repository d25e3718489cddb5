"""The web client's npm project, installed once for the tests that build it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.clients.web_project import explain, run
from tests.conftest import unavailable


@pytest.fixture(scope="module")
def web_client(project_root: Path) -> Path:
    """`clients/web/` with its npm packages installed (`make web-client`)."""
    project = project_root / "clients" / "web"
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        unavailable(
            f"{' and '.join(missing)} not found, so the typed web client cannot be "
            "checked: install npm (Debian: apt-get install npm; .ci/run does)"
        )
    lock = project / "package-lock.json"
    stamp = project / "node_modules" / ".installed"
    if not stamp.exists() or stamp.stat().st_mtime < lock.stat().st_mtime:
        installed = run(
            ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], project
        )
        assert installed.returncode == 0, explain(installed)
        stamp.touch()
    return project
