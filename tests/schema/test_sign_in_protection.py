"""Sign-in cannot stall the server or be used to try many accounts."""

from __future__ import annotations

import asyncio
import threading

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
