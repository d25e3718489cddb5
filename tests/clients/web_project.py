"""The web client's npm project (`clients/web/`): copied into a test's tmp dir
(its `node_modules` linked), typed by graphql-codegen, checked by tsc, run
under Node."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

BUILD_TIMEOUT_SECONDS = 300


def copy_project(project: Path, to: Path) -> Path:
    shutil.copytree(
        project,
        to,
        ignore=shutil.ignore_patterns("node_modules", "gql", "dist"),
    )
    (to / "node_modules").symlink_to(project / "node_modules")
    return to


def run(
    command: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - node, npm and the project's own npm tools
        command,
        cwd=cwd,
        # No colour codes in the output a failure shows.
        env={**os.environ, "FORCE_COLOR": "0", **(env or {})},
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_SECONDS,
        check=False,
    )


def build(project: Path, schema: Path) -> subprocess.CompletedProcess[str]:
    """graphql-codegen from `schema`, then tsc; the first that fails."""
    bin_dir = project / "node_modules" / ".bin"
    codegen = run(
        [str(bin_dir / "graphql-codegen")], project, {"GIGSTA_SCHEMA": str(schema)}
    )
    if codegen.returncode != 0:
        return codegen
    return run([str(bin_dir / "tsc")], project)


def explain(step: subprocess.CompletedProcess[str]) -> str:
    return (
        f"{' '.join(step.args)} exited {step.returncode}:\n{step.stdout}{step.stderr}"
    )
