"""What the live-update tests (and the bench) do as clients: GraphQL over HTTP
with httpx, subscriptions over WebSocket with gql's websockets transport."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from gql import Client, GraphQLRequest
from gql.transport.websockets import WebsocketsTransport

from tests.conftest import CORS_ORIGIN
from tests.served_app import ServedApp, serving

SIGN_UP = """mutation($i: SignUpInput!) { signUp(input: $i) {
    token viewer { worker { id } customer { id } } errors { code } } }"""
REQUEST = """mutation($w: ID!, $s: DateTime!, $e: DateTime!) {
    requestBooking(input: {workerId: $w, service: "cleaning", description: "Flat",
    scheduledStart: $s, scheduledEnd: $e}) { booking { id version }
    errors { code message } } }"""
ACT = """mutation($b: ID!, $a: String!, $v: Int!) {
    performBookingAction(input: {bookingId: $b, action: $a, expectedVersion: $v}) {
    booking { status version } errors { code message } } }"""
CURSOR = "{ bookingEventsCursor }"
BOOKING_UPDATED = """subscription($id: ID!) { bookingUpdated(id: $id) {
    id status version availableActions { actionName } } }"""
MY_EVENTS = """subscription($after: String) { myBookingEvents(after: $after) {
    cursor type action bookingVersion actorRole at booking { id status version } } }"""


@dataclass
class Party:
    token: str
    profile_id: str  # the Worker or Customer global id


async def graphql(
    base: str, query: str, variables: dict[str, Any] | None = None, token: str = ""
) -> dict[str, Any]:
    """The `data` of a request that must succeed."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        response = await client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers=headers,
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def sign_up(base: str, email: str, role: str, password: str) -> Party:
    payload = (
        await graphql(
            base,
            SIGN_UP,
            {
                "i": {
                    "email": email,
                    "password": password,
                    "name": role.title(),
                    "role": role,
                    "country": "NZ",
                }
            },
        )
    )["signUp"]
    assert payload["errors"] == [], payload
    profile = payload["viewer"]["worker" if role == "WORKER" else "customer"]
    return Party(payload["token"], profile["id"])


async def offer_cleaning(base: str, worker: Party) -> None:
    payload = (
        await graphql(
            base,
            """mutation { updateWorkerProfile(input: {services: ["cleaning"],
               hourlyRate: 4000}) { errors { code } } }""",
            token=worker.token,
        )
    )["updateWorkerProfile"]
    assert payload["errors"] == [], payload


# Each request gets its own three hours: a worker's bookings may not overlap.
_SLOTS = itertools.count()


async def request_booking(base: str, customer: Party, worker: Party) -> str:
    """A new booking's id (the server has no Stripe: no card hold)."""
    start = datetime.now(UTC) + timedelta(days=3, hours=3 * next(_SLOTS))
    payload = (
        await graphql(
            base,
            REQUEST,
            {
                "w": worker.profile_id,
                "s": start.isoformat(),
                "e": (start + timedelta(hours=2)).isoformat(),
            },
            token=customer.token,
        )
    )["requestBooking"]
    assert payload["errors"] == [], payload
    return str(payload["booking"]["id"])


async def act(
    base: str, party: Party, booking_id: str, action: str, version: int
) -> int:
    """Take `action` on the booking; its new version."""
    payload = (
        await graphql(
            base, ACT, {"b": booking_id, "a": action, "v": version}, token=party.token
        )
    )["performBookingAction"]
    assert payload["errors"] == [], payload
    return int(payload["booking"]["version"])


async def events_cursor(base: str, party: Party) -> str:
    return str((await graphql(base, CURSOR, token=party.token))["bookingEventsCursor"])


def ws_url(base: str) -> str:
    return base.replace("http://", "ws://", 1) + "/graphql"


class LiveSession:
    """A gql session's subscriptions, closed (each sending `complete`) when
    the session ends, so the transport does not wait for them."""

    def __init__(self, session: Any) -> None:
        self._session = session
        self._streams: list[Any] = []

    def subscribe(self, query: str, **variables: Any) -> Any:
        stream = self._session.subscribe(
            GraphQLRequest(query, variable_values=variables)
        )
        self._streams.append(stream)
        return stream

    async def close(self) -> None:
        for stream in self._streams:
            await stream.aclose()


@contextlib.asynccontextmanager
async def live(
    base: str, token: str, *, legacy: bool = False
) -> AsyncIterator[LiveSession]:
    """Subscriptions over one WebSocket, signed in with `token`."""
    protocol = (
        WebsocketsTransport.APOLLO_SUBPROTOCOL
        if legacy
        else WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL
    )
    transport = WebsocketsTransport(
        url=ws_url(base),
        init_payload={"Authorization": f"Bearer {token}"},
        subprotocols=[protocol],
    )
    async with Client(transport=transport) as session:
        subscriptions = LiveSession(session)
        try:
            yield subscriptions
        finally:
            await subscriptions.close()


@contextlib.contextmanager
def served_pair(
    project_root: Path, settings: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServedApp, ServedApp]]:
    """Instances A and B of the served app on the suite's database (no Stripe:
    bookings carry no card hold)."""
    logs = tmp_path_factory.mktemp("live")
    env = {"GIGSTA_CORS_ORIGINS": CORS_ORIGIN}
    with (
        serving(project_root, logs / "a.log", settings, **env) as a,
        serving(project_root, logs / "b.log", settings, **env) as b,
    ):
        yield a, b
