"""Bookings keep the time zone of where the job is, over GraphQL and HTTP.

The suite's clock stands at 2026-11-02 09:00 UTC (NZ and NSW on daylight time);
the DST switches tested are those of April, September and October 2027.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import GraphQLClient
from tests.schema.places_helpers import SUGGEST, make_worker

TIMES = """id timeZone scheduledStart scheduledEnd createdAt updatedAt
  history { at } payment { status authorizeAt }"""
REQUEST = f"""mutation($input: RequestBookingInput!) {{
  requestBooking(input: $input) {{
    booking {{ {TIMES} }} errors {{ field code message }} }} }}"""
BOOKING = f"query($id: ID!) {{ booking(id: $id) {{ {TIMES} }} }}"

QUEEN_ST = ("1 queen street auckland central", "NZ", (-36.8437, 174.7669))
MARTIN_PLACE = ("1 martin place sydney", "AU", (-33.8675, 151.21))
ST_GEORGES_TCE = ("100 st georges terrace perth", "AU", (-31.955, 115.859))


@dataclass
class Booker:
    """A customer who books one worker, at one address (or none)."""

    gql: GraphQLClient
    token: str
    worker_id: str
    address: str | None

    async def book(self, start: str, end: str) -> tuple[dict, dict]:
        """The booking as `requestBooking` answered, and as read back later."""
        data = await self.gql(
            REQUEST,
            {
                "input": {
                    "workerId": self.worker_id,
                    "service": "cleaning",
                    "description": "Windows, inside and out.",
                    "scheduledStart": start,
                    "scheduledEnd": end,
                    "addressToken": self.address,
                    "paymentMethodId": "pm_card_visa",
                }
            },
            token=self.token,
        )
        payload = data["requestBooking"]
        assert payload["errors"] == []
        booking_id = payload["booking"]["id"]
        read = await self.gql(BOOKING, {"id": booking_id}, token=self.token)
        return payload["booking"], read["booking"]

    async def two_hours_from(self, start: str) -> dict:
        end = (datetime.fromisoformat(start) + timedelta(hours=2)).isoformat()
        return (await self.book(start, end))[1]


async def booker_at(gql, upstream, place, name: str) -> Booker:
    """A worker based at `place`, and a customer of its country booking them
    there (the address is one of the demo addresses the upstream knows)."""
    query, country, (lat, lon) = place
    _, worker_id = await make_worker(
        gql,
        upstream,
        f"{name}-worker@example.com",
        lat=lat,
        lon=lon,
        radius_km=10,
        country=country,
    )
    customer_token, _ = await gql.sign_up(f"{name}@example.com", country=country)
    data = await gql(SUGGEST, {"q": query, "c": country, "first": 1})
    (suggestion,) = data["addressSuggestions"]
    return Booker(gql, customer_token, worker_id, suggestion["token"])


async def test_auckland_booking_reads_back_the_wall_time_it_was_asked_for(
    gql, addressable_upstream, raw_db
):
    customer = await booker_at(gql, addressable_upstream, QUEEN_ST, "akl")
    answered = await customer.book(
        "2026-12-01T09:00:00+13:00", "2026-12-01T11:30:00+13:00"
    )
    # The answer to the mutation and a later read (from the database) agree.
    for booking in answered:
        assert booking["timeZone"] == "Pacific/Auckland"
        assert booking["scheduledStart"] == "2026-12-01T09:00:00+13:00"
        assert booking["scheduledEnd"] == "2026-12-01T11:30:00+13:00"
        # Requested at the suite's clock, 2026-11-02 09:00 UTC.
        assert booking["createdAt"] == "2026-11-02T22:00:00+13:00"
        assert booking["updatedAt"] == "2026-11-02T22:00:00+13:00"
        assert booking["history"] == [{"at": "2026-11-02T22:00:00+13:00"}]
        # The card hold waits until 48 hours before the start.
        assert booking["payment"] == {
            "status": "DEFERRED",
            "authorizeAt": "2026-11-29T09:00:00+13:00",
        }
    # Stored in UTC.
    stored = await raw_db["bookings"].find_one({})
    assert stored["time_zone"] == "Pacific/Auckland"
    assert stored["scheduled_start"] == datetime(2026, 11, 30, 20, 0, tzinfo=UTC)


async def test_perth_booking_reads_at_perth_offset_whatever_offset_was_sent(
    gql, addressable_upstream
):
    customer = await booker_at(gql, addressable_upstream, ST_GEORGES_TCE, "per")
    # A client in Auckland sends its own offset: the instant is what counts.
    _, booking = await customer.book(
        "2026-12-01T12:00:00+13:00", "2026-12-01T14:00:00+13:00"
    )
    assert booking["timeZone"] == "Australia/Perth"
    assert booking["scheduledStart"] == "2026-12-01T07:00:00+08:00"
    assert booking["scheduledEnd"] == "2026-12-01T09:00:00+08:00"
    assert booking["createdAt"] == "2026-11-02T17:00:00+08:00"


# Times sent in UTC, read back at 10 am local on either side of each switch.
# NZ: daylight time ends at 3 am on Sunday 4 April 2027 and starts at 2 am on
# Sunday 26 September 2027. NSW: it ends on the same Sunday in April and
# starts at 2 am on Sunday 3 October 2027.
NZ_SWITCHES = [
    ("2027-04-02T21:00:00Z", "2027-04-03T10:00:00+13:00"),
    ("2027-04-04T22:00:00Z", "2027-04-05T10:00:00+12:00"),
    ("2027-09-24T22:00:00Z", "2027-09-25T10:00:00+12:00"),
    ("2027-09-26T21:00:00Z", "2027-09-27T10:00:00+13:00"),
]
NSW_SWITCHES = [
    ("2027-04-02T23:00:00Z", "2027-04-03T10:00:00+11:00"),
    ("2027-04-05T00:00:00Z", "2027-04-05T10:00:00+10:00"),
    ("2027-10-02T00:00:00Z", "2027-10-02T10:00:00+10:00"),
    ("2027-10-03T23:00:00Z", "2027-10-04T10:00:00+11:00"),
]


@pytest.mark.parametrize(
    ("place", "zone", "switches"),
    [
        (QUEEN_ST, "Pacific/Auckland", NZ_SWITCHES),
        (MARTIN_PLACE, "Australia/Sydney", NSW_SWITCHES),
    ],
    ids=["NZ", "NSW"],
)
async def test_offsets_change_across_the_daylight_saving_switches(
    gql, addressable_upstream, place, zone, switches
):
    customer = await booker_at(gql, addressable_upstream, place, "dst")
    for sent, shown in switches:
        booking = await customer.two_hours_from(sent)
        assert booking["timeZone"] == zone
        assert booking["scheduledStart"] == shown, sent


async def test_a_booking_across_the_switch_starts_and_ends_at_different_offsets(
    gql, addressable_upstream
):
    """It starts on NZ daylight time and ends on standard time, three hours
    later by the clock on the wall, four hours later in fact."""
    customer = await booker_at(gql, addressable_upstream, QUEEN_ST, "across")
    _, booking = await customer.book("2027-04-03T12:00:00Z", "2027-04-03T16:00:00Z")
    assert (booking["scheduledStart"], booking["scheduledEnd"]) == (
        "2027-04-04T01:00:00+13:00",
        "2027-04-04T04:00:00+12:00",
    )


async def test_without_an_address_the_customers_country_decides(gql):
    for country, zone, offset in (
        ("NZ", "Pacific/Auckland", "+13:00"),
        ("AU", "Australia/Sydney", "+11:00"),
    ):
        worker_token, worker = await gql.sign_up(
            f"w-{country}@example.com", role="WORKER", country=country
        )
        await gql(
            """mutation($i: UpdateWorkerProfileInput!) {
                 updateWorkerProfile(input: $i) { errors { code } } }""",
            {"i": {"services": ["cleaning"], "hourlyRate": 4000}},
            token=worker_token,
        )
        token, _ = await gql.sign_up(f"c-{country}@example.com", country=country)
        customer = Booker(gql, token, worker["worker"]["id"], address=None)
        booking = await customer.two_hours_from("2026-12-01T00:00:00Z")
        assert booking["timeZone"] == zone
        assert booking["scheduledStart"].endswith(offset)
