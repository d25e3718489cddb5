"""Sign-in cannot stall the server or be used to try many accounts."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from ipaddress import ip_network

from argon2 import PasswordHasher

from gigsta.resolvers.accounts.credentials import PasswordHashing
from tests.conftest import PASSWORD

LOG_IN = """
mutation LogIn($input: LogInInput!) {
  logIn(input: $input) { token errors { field code message } }
}"""


def log_in_input(email: str, password: str = PASSWORD) -> dict[str, object]:
    return {"input": {"email": email, "password": password}}


async def test_passwords_are_hashed_and_checked_off_the_event_loop(gql, monkeypatch):
    """argon2 itself is instrumented (not our code): every call must come from
    the dedicated threads, none from the thread running the event loop."""
    threads: list[str] = []
    hash_, verify = PasswordHasher.hash, PasswordHasher.verify

    def record_hash(self, *args, **kwargs):
        threads.append(threading.current_thread().name)
        return hash_(self, *args, **kwargs)

    def record_verify(self, *args, **kwargs):
        threads.append(threading.current_thread().name)
        return verify(self, *args, **kwargs)

    monkeypatch.setattr(PasswordHasher, "hash", record_hash)
    monkeypatch.setattr(PasswordHasher, "verify", record_verify)
    await gql.sign_up("aroha@example.nz")
    ok = (await gql(LOG_IN, log_in_input("aroha@example.nz")))["logIn"]
    unknown = (await gql(LOG_IN, log_in_input("ghost@example.nz")))["logIn"]
    assert ok["token"] and unknown["errors"][0]["code"] == "INVALID_CREDENTIALS"
    assert len(threads) == 3
    loop_thread = threading.current_thread().name
    assert loop_thread not in threads
    assert all(name.startswith("argon2") for name in threads), threads


async def test_the_loop_answers_while_a_password_is_checked_and_the_queue_is_bounded(
    gql, http, runtime, monkeypatch
):
    """With one thread and no queue, a second sign-in is refused at once while
    the first is being checked, and `/healthz` is answered meanwhile."""
    await gql.sign_up("aroha@example.nz")
    small = PasswordHashing(threads=1, max_waiting=0)
    monkeypatch.setattr(runtime, "passwords", small)
    entered, release = threading.Event(), threading.Event()
    verify = PasswordHasher.verify

    def held_verify(self, *args, **kwargs):
        entered.set()
        release.wait(10)
        return verify(self, *args, **kwargs)

    monkeypatch.setattr(PasswordHasher, "verify", held_verify)
    try:
        first = asyncio.create_task(gql(LOG_IN, log_in_input("aroha@example.nz")))
        assert await asyncio.to_thread(entered.wait, 10)
        assert (await http.get("/healthz")).status_code == 200
        second = (await gql(LOG_IN, log_in_input("aroha@example.nz")))["logIn"]
        assert second["token"] is None
        assert [(e["field"], e["code"]) for e in second["errors"]] == [
            (None, "RATE_LIMITED")
        ]
        assert "few seconds" in second["errors"][0]["message"]
        release.set()
        assert (await first)["logIn"]["token"]
    finally:
        release.set()
        small.close()


async def test_failed_sign_ins_are_limited_per_client_address(gql, clock):
    """60 different emails from one client: refused after 30 failures, with a
    hint of when to retry, until the window has passed. Successes do not count."""
    await gql.sign_up("aroha@example.nz")

    async def log_in(email: str, password: str) -> tuple[list[str], str | None]:
        payload = (await gql(LOG_IN, log_in_input(email, password)))["logIn"]
        return [e["code"] for e in payload["errors"]], payload["token"]

    for _ in range(5):
        assert (await log_in("aroha@example.nz", PASSWORD))[1]
    codes = [
        (await log_in(f"user{i}@example.nz", "wrong password!"))[0] for i in range(60)
    ]
    assert codes == [["INVALID_CREDENTIALS"]] * 30 + [["RATE_LIMITED"]] * 30
    refused = (await gql(LOG_IN, log_in_input("aroha@example.nz")))["logIn"]
    assert refused["token"] is None
    assert refused["errors"] == [
        {
            "field": None,
            "code": "RATE_LIMITED",
            "message": "Too many failed sign-ins from your network. "
            "Try again in 15 minutes.",
        }
    ]
    clock.advance(timedelta(minutes=14, seconds=1))
    refused = (await gql(LOG_IN, log_in_input("aroha@example.nz")))["logIn"]
    assert refused["errors"][0]["message"].endswith("Try again in 1 minute.")
    clock.advance(timedelta(seconds=59))
    assert (await log_in("aroha@example.nz", PASSWORD))[1]


async def test_the_client_limit_follows_the_address_a_trusted_proxy_names(
    gql, runtime, monkeypatch
):
    monkeypatch.setattr(
        runtime,
        "settings",
        runtime.settings.model_copy(
            update={
                "trusted_proxies": (ip_network("127.0.0.1/32"),),
                "sign_in_failures_per_client": 3,
            }
        ),
    )

    async def codes_from(client: str) -> list[str]:
        response = await gql.http.post(
            "/graphql",
            json={
                "query": LOG_IN,
                "variables": log_in_input("ghost@example.nz", "wrong password!"),
            },
            headers={"X-Forwarded-For": client},
        )
        return [e["code"] for e in response.json()["data"]["logIn"]["errors"]]

    for _ in range(3):
        assert await codes_from("198.51.100.1") == ["INVALID_CREDENTIALS"]
    assert await codes_from("198.51.100.1") == ["RATE_LIMITED"]
    assert await codes_from("198.51.100.2") == ["INVALID_CREDENTIALS"]
