"""The real server as a child process for tests that need real HTTP: start it
with its JSON log in a file, make accounts over GraphQL, read what it logged."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from scripts.processes import (
    Process,
    free_port,
    http_answers,
    start_process,
    stop_process,
    wait_until,
)
from tests.conftest import JWT_SECRET, PASSWORD

SIGN_UP = """mutation($i: SignUpInput!) { signUp(input: $i) {
    token viewer { id worker { id } customer { id } } errors { code } } }"""
LOG_IN = """mutation($i: LogInInput!) { logIn(input: $i) {
    token errors { code } } }"""


@dataclass
class ServedApp:
    proc: Process
    base: str
    log_path: Path

    def log_entries(self, start: int = 0) -> list[dict[str, Any]]:
        """The server's complete log lines from line `start` on, each parsed
        as JSON; a line the server is still writing is left for the next call."""
        text = self.log_path.read_text()
        lines = text[: text.rfind("\n") + 1].splitlines()[start:]
        return [json.loads(line) for line in lines]

    def graphql(
        self, query: str, variables: dict[str, Any] | None = None, token: str = ""
    ) -> dict[str, Any]:
        """The `data` of a request that must succeed."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = httpx.post(
            f"{self.base}/graphql",
            json={"query": query, "variables": variables or {}},
            headers=headers,
            timeout=30,
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        return body["data"]

    def sign_up(self, email: str, role: str) -> tuple[str, dict[str, Any]]:
        """A new account's token and viewer (`id`, `worker`, `customer`)."""
        payload = self.graphql(
            SIGN_UP,
            {
                "i": {
                    "email": email,
                    "password": PASSWORD,
                    "name": role.title(),
                    "role": role,
                    "country": "NZ",
                }
            },
        )["signUp"]
        assert payload["errors"] == [], payload
        return payload["token"], payload["viewer"]

    def log_in(self, email: str, password: str = PASSWORD) -> str:
        payload = self.graphql(LOG_IN, {"i": {"email": email, "password": password}})[
            "logIn"
        ]
        assert payload["errors"] == [], payload
        return str(payload["token"])

    def offer_cleaning(self, worker_token: str) -> None:
        payload = self.graphql(
            """mutation { updateWorkerProfile(input: {services: ["cleaning"],
               hourlyRate: 4000}) { errors { code } } }""",
            token=worker_token,
        )["updateWorkerProfile"]
        assert payload["errors"] == [], payload


def serve(project_root: Path, log_path: Path, env: dict[str, str]) -> ServedApp:
    """`python -m gigsta serve` on a free port with `env` (which needs at
    least MONGODB_URI and MONGODB_DB), once it answers /readyz."""
    port = free_port()
    proc = start_process(
        [sys.executable, "-m", "gigsta", "serve"],
        log_path,
        cwd=project_root,
        env={
            **os.environ,
            "GIGSTA_JWT_SECRET": JWT_SECRET,
            "GIGSTA_SWEEPER": "false",
            **env,
            "GIGSTA_HOST": "127.0.0.1",
            "GIGSTA_PORT": str(port),
        },
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(
            http_answers(f"{base}/readyz", status=200),
            proc,
            what=f"the server (log: {log_path})",
        )
    except BaseException:
        stop_process(proc)
        raise
    return ServedApp(proc, base, log_path)


@contextmanager
def serving(
    project_root: Path, log_path: Path, settings: Any, **env: str
) -> Iterator[ServedApp]:
    """`serve` on the suite's database (`settings`) with `env` on top,
    stopped at the end."""
    app = serve(
        project_root,
        log_path,
        {
            "MONGODB_URI": settings.mongodb_uri,
            "MONGODB_DB": settings.mongodb_db,
            **env,
        },
    )
    try:
        yield app
    finally:
        stop_process(app.proc)
