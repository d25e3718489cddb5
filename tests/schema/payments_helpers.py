"""Shared steps for the payments tests: parties, requests, actions, sweeps."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from gigsta.domain.accounts import Role, Viewer
from gigsta.resolvers.accounts.credentials import issue_token
from gigsta.resolvers.bookings.timers import SweepReport, sweep
from gigsta.resolvers.payments.config import payments_from_settings
from gigsta.settings import Settings
from tests.conftest import JWT_SECRET, PASSWORD, FakeClock, GraphQLClient
from tests.ids import global_id, raw_id

BOOKING = """
  id status version scheduledStart
  price { currency total gstIncluded workerPayout lateCancellationFee
          lineItems { code label quantity unitAmount amount } }
  payment { status authorizedAmount capturedAmount refundedAmount currency
            clientSecret failureMessage authorizeAt }
  availableActions { actionName paymentNote }
"""

REQUEST = (
    "mutation($input: RequestBookingInput!) { requestBooking(input: $input) {"
    " booking { " + BOOKING + " } errors { field code message } } }"
)

ACT = (
    "mutation($input: PerformBookingActionInput!) {"
    " performBookingAction(input: $input) {"
    " booking { " + BOOKING + " } errors { field code message } } }"
)


@dataclass
class Parties:
    """A customer and a worker in one country. Tokens are issued at the fake
    clock's current time (as the app would at sign-in), so tests can move
    days ahead without tokens expiring."""

    clock: FakeClock
    customer: Viewer
    worker: Viewer

    @property
    def worker_id(self) -> str:
        """The worker's `Worker.id`, as the API takes it."""
        assert self.worker.profile_id is not None
        return global_id("Worker", self.worker.profile_id)

    @property
    def customer_id(self) -> str:
        """The customer's `Customer.id`, as the API takes it."""
        assert self.customer.profile_id is not None
        return global_id("Customer", self.customer.profile_id)

    def _token(self, viewer: Viewer) -> str:
        return issue_token(
            viewer,
            version=0,
            secret=JWT_SECRET,
            now=self.clock.now,
            ttl=timedelta(hours=1),
        )

    @property
    def customer_token(self) -> str:
        return self._token(self.customer)

    @property
    def worker_token(self) -> str:
        return self._token(self.worker)


async def parties(
    gql: GraphQLClient,
    clock: FakeClock,
    *,
    country: str = "NZ",
    rate: int | None = 4500,
) -> Parties:
    tag = secrets.token_hex(4)
    _, c_viewer = await gql.sign_up(f"c{tag}@example.com", "CUSTOMER", country)
    w_token, w_viewer = await gql.sign_up(
        f"w{tag}@example.com", "WORKER", country, name="Mere"
    )
    data = await gql(
        """mutation($input: UpdateWorkerProfileInput!) {
             updateWorkerProfile(input: $input) { errors { code } } }""",
        {"input": {"services": ["cleaning", "pet_care"], "hourlyRate": rate}},
        token=w_token,
    )
    assert data["updateWorkerProfile"]["errors"] == []
    return Parties(
        clock,
        Viewer(
            raw_id(c_viewer["id"]), Role.CUSTOMER, raw_id(c_viewer["customer"]["id"])
        ),
        Viewer(raw_id(w_viewer["id"]), Role.WORKER, raw_id(w_viewer["worker"]["id"])),
    )


async def request(
    gql: GraphQLClient,
    p: Parties,
    payment_method: str | None,
    start: datetime,
    *,
    duration: timedelta = timedelta(hours=2),
    service: str = "cleaning",
) -> dict[str, Any]:
    data = await gql(
        REQUEST,
        {
            "input": {
                "workerId": p.worker_id,
                "service": service,
                "description": "Clean the kitchen",
                "scheduledStart": start.isoformat(),
                "scheduledEnd": (start + duration).isoformat(),
                "paymentMethodId": payment_method,
            }
        },
        token=p.customer_token,
    )
    payload: dict[str, Any] = data["requestBooking"]
    return payload


async def act(
    gql: GraphQLClient,
    token: str,
    booking: dict[str, Any],
    action: str,
    reason: str | None = None,
) -> dict[str, Any]:
    data = await gql(
        ACT,
        {
            "input": {
                "bookingId": booking["id"],
                "action": action,
                "expectedVersion": booking["version"],
                "reason": reason,
            }
        },
        token=token,
    )
    payload: dict[str, Any] = data["performBookingAction"]
    return payload


async def must(
    gql: GraphQLClient, token: str, booking: dict[str, Any], action: str, **kw: Any
) -> dict[str, Any]:
    payload = await act(gql, token, booking, action, **kw)
    assert payload["errors"] == [], payload["errors"]
    result: dict[str, Any] = payload["booking"]
    return result


async def read(gql: GraphQLClient, token: str, booking_id: str) -> dict[str, Any]:
    data = await gql(
        "query($id: ID!) { booking(id: $id) { " + BOOKING + " } }",
        {"id": booking_id},
        token=token,
    )
    result: dict[str, Any] = data["booking"]
    return result


async def run_sweep(settings: Settings, clock: FakeClock) -> SweepReport:
    """One sweeper pass at the fake clock's time, with its own Stripe client
    built from the app's settings (as `python -m gigsta.jobs sweep` does)."""
    payments = payments_from_settings(settings)
    assert payments is not None
    try:
        return await sweep(clock.now, payments)
    finally:
        await payments.gateway.close()


async def admin_token(gql: GraphQLClient, clock: FakeClock) -> str:
    from gigsta.resolvers.accounts.sign_in import create_admin

    email = f"admin{secrets.token_hex(4)}@example.com"
    result = await create_admin(email=email, password=PASSWORD, now=clock.now)
    assert result.errors == []
    data = await gql(
        """mutation($input: LogInInput!) { logIn(input: $input) { token } }""",
        {"input": {"email": email, "password": PASSWORD}},
    )
    token: str = data["logIn"]["token"]
    return token


async def deliver_to_completion(
    gql: GraphQLClient, p: Parties, booking: dict[str, Any], clock: FakeClock
) -> dict[str, Any]:
    """Accept, start (in the start window) and complete a booking."""
    booking = await must(gql, p.worker_token, booking, "accept")
    start = datetime.fromisoformat(booking["scheduledStart"])
    clock.now = start - timedelta(minutes=30)
    booking = await must(gql, p.worker_token, booking, "start")
    clock.now = start + timedelta(hours=2)
    return await must(gql, p.worker_token, booking, "complete")
