"""API keys' scopes: one table, checked for every field of every request.

The matrix runs every operation below with a key of each scope (and one with
all of them) through the app, and compares what was refused with the table.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from gigsta.schema.partners.scopes import ROOT_SCOPES
from tests.ids import global_id
from tests.schema.partners_helpers import make_key, make_partner
from tests.schema.test_bookings import cast  # noqa: F401 - fixture

ALL = ["WORKERS_READ", "BOOKINGS_READ", "BOOKINGS_WRITE", "WEBHOOKS_MANAGE"]
SCOPE_SETS = [[scope] for scope in ALL] + [ALL]
BOGUS_BOOKING = global_id("Booking", "0" * 24)

# (operation, document, scope it needs: a name, None for any key, CLOSED for
# none).
CLOSED = "CLOSED"
OPERATIONS: list[tuple[str, str, str | None]] = [
    ("services", "{ services { key } }", None),
    ("viewer", "{ viewer { id } }", None),
    ("workers", "{ workers(first: 2) { edges { node { id name } } } }", "WORKERS_READ"),
    ("worker", "query($w: ID!) { worker(id: $w) { name } }", "WORKERS_READ"),
    ("bookings", "{ bookings(first: 2) { edges { node { id } } } }", "BOOKINGS_READ"),
    (
        "node as a booking",
        f'{{ node(id: "{BOGUS_BOOKING}") {{ ... on Booking {{ status }} }} }}',
        "BOOKINGS_READ",
    ),
    (
        "bookings nested in viewer",
        "{ viewer { customer { bookings(first: 1) { edges { node { id } } } } } }",
        "BOOKINGS_READ",
    ),
    (
        "requestBooking",
        """mutation($w: ID!) { requestBooking(input: {workerId: $w, service: "nope",
           description: "x", scheduledStart: "2027-01-15T09:00:00+13:00",
           scheduledEnd: "2027-01-15T12:00:00+13:00"}) { errors { code } } }""",
        "BOOKINGS_WRITE",
    ),
    (
        "performBookingAction",
        f"""mutation {{ performBookingAction(input: {{bookingId: "{BOGUS_BOOKING}",
           action: "cancel", expectedVersion: 1}}) {{ errors {{ code }} }} }}""",
        "BOOKINGS_WRITE",
    ),
    ("logOutEverywhere", "mutation { logOutEverywhere { errors { code } } }", CLOSED),
    (
        "createPartner",
        'mutation { createPartner(input: {name: "x", country: NZ}) '
        "{ errors { code } } }",
        CLOSED,
    ),
    ("customer", f'{{ customer(id: "{BOGUS_BOOKING}") {{ name }} }}', CLOSED),
    (
        "sendBookingMessage",
        f"""mutation {{ sendBookingMessage(input: {{bookingId: "{BOGUS_BOOKING}",
           body: "Hello"}}) {{ errors {{ code }} }} }}""",
        "BOOKINGS_WRITE",
    ),
    (
        "node as a review",
        f'{{ node(id: "{global_id("Review", "0" * 24)}") '
        "{ ... on Review { rating } } }",
        "WORKERS_READ",
    ),
    ("webhookEndpoints", "{ webhookEndpoints { id url } }", "WEBHOOKS_MANAGE"),
    (
        "createWebhookEndpoint",
        'mutation { createWebhookEndpoint(input: {url: "https://x.invalid/h", '
        "eventTypes: [BOOKING_REQUESTED]}) { errors { code } } }",
        "WEBHOOKS_MANAGE",
    ),
    (
        "enableWebhookEndpoint",
        f"""mutation {{ enableWebhookEndpoint(input: {{id: "{BOGUS_BOOKING}"}})
           {{ errors {{ code }} }} }}""",
        "WEBHOOKS_MANAGE",
    ),
    (
        "updatePartner",
        f"""mutation {{ updatePartner(input: {{id: "{BOGUS_BOOKING}", name: "x"}})
           {{ errors {{ code }} }} }}""",
        CLOSED,
    ),
    (
        "redeliverWebhook",
        f"""mutation {{ redeliverWebhook(input: {{deliveryId: "{BOGUS_BOOKING}"}})
           {{ errors {{ code }} }} }}""",
        "WEBHOOKS_MANAGE",
    ),
    (
        "setWeeklySchedule",
        'mutation { setWeeklySchedule(input: {timeZone: "Pacific/Auckland", '
        "intervals: []}) { errors { code } } }",
        CLOSED,
    ),
]


async def test_every_operation_against_every_scope(gql, cast):  # noqa: F811
    partner = await make_partner(gql, cast.admin.token)
    keys = {
        tuple(scopes): (await make_key(gql, cast.admin.token, partner, scopes))["key"]
        for scopes in SCOPE_SETS
    }
    wrong: list[str] = []
    for scopes, key in keys.items():
        for name, document, needed in OPERATIONS:
            allowed = needed is None or (needed != CLOSED and needed in scopes)
            response = await gql.raw(document, {"w": cast.worker.profile_id}, key)
            codes = [
                e.get("extensions", {}).get("code")
                for e in response.json().get("errors", [])
            ]
            refused = response.status_code == 403 and codes == ["INSUFFICIENT_SCOPE"]
            if allowed == refused or (allowed and response.status_code != 200):
                status = response.status_code
                wrong.append(f"{name} with {list(scopes)}: {status} {codes}")
    assert wrong == []


async def test_a_person_s_token_is_not_limited_by_scopes(gql, cast):  # noqa: F811
    response = await gql.raw(OPERATIONS[9][1], token=cast.customer.token)
    assert response.status_code == 200
    assert response.json()["data"]["logOutEverywhere"]["errors"] == []


async def test_the_refusal_names_the_field_and_scope(gql, cast):  # noqa: F811
    partner = await make_partner(gql, cast.admin.token)
    key = (await make_key(gql, cast.admin.token, partner, ["WORKERS_READ"]))["key"]
    response = await gql.raw(OPERATIONS[4][1], token=key)
    error = response.json()["errors"][0]
    assert response.status_code == 403
    assert error["extensions"]["field"] == "Query.bookings"
    assert error["extensions"]["requiredScope"] == "bookings:read"


def test_every_root_field_is_in_the_table_or_closed_to_keys():
    """A new root field must be placed: in the table, or named here as closed."""
    from gigsta.schema import build_schema

    closed = {
        "Query.customer",
        "Mutation.signUp",
        "Mutation.logIn",
        "Mutation.logOutEverywhere",
        "Mutation.updateWorkerProfile",
        "Mutation.createUpload",
        "Mutation.completeUpload",
        "Mutation.deleteAttachment",
        "Mutation.startPayoutOnboarding",
        "Mutation.createPartner",
        "Mutation.updatePartner",
        "Mutation.createApiKey",
        "Mutation.revokeApiKey",
        # A worker's own schedule, an account's own settings, moderation.
        "Mutation.setWeeklySchedule",
        "Mutation.addAvailabilityException",
        "Mutation.removeAvailabilityException",
        "Mutation.updateNotificationPreferences",
        "Mutation.hideReview",
    }
    schema = build_schema()._schema
    roots = {
        f"{root.name}.{name}"
        for root in (schema.query_type, schema.mutation_type)
        if root is not None
        for name in root.fields
    }
    assert roots == set(ROOT_SCOPES) | closed


@pytest.mark.parametrize("change", ["revoke", "expire"], ids=["revoked", "expired"])
async def test_a_dead_key_is_unauthenticated_at_once(gql, cast, clock, change):  # noqa: F811
    from tests.schema.partners_helpers import REVOKE_KEY

    partner = await make_partner(gql, cast.admin.token)
    expires = (clock.now + timedelta(hours=1)).isoformat()
    made = await make_key(gql, cast.admin.token, partner, ["WORKERS_READ"], expires)
    assert (await gql.raw("{ viewer { id } }", token=made["key"])).status_code == 200
    if change == "revoke":
        revoke = {"i": {"id": made["apiKey"]["id"]}}
        data = await gql(REVOKE_KEY, revoke, cast.admin.token)
        assert data["revokeApiKey"]["errors"] == []
    else:
        clock.advance(timedelta(hours=1))
    response = await gql.raw("{ viewer { id } }", token=made["key"])
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
