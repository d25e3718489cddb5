"""Reviews over GraphQL/HTTP: one per side after completion, hidden until
both are in or the period ends, ratings, admin hiding, and who sees what."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from gigsta.domain.reviews import REVIEW_PERIOD
from tests.schema.messages_helpers import codes, requested_booking
from tests.schema.payments_helpers import (
    Parties,
    admin_token,
    deliver_to_completion,
    parties,
)

REVIEW = "id rating text authorRole revealed hidden moderation { action reason }"
SUBMIT = f"""
mutation($input: SubmitBookingReviewInput!) {{ submitBookingReview(input: $input) {{
  review {{ {REVIEW} }} errors {{ field code message }} }} }}"""
HIDE = f"""
mutation($input: HideReviewInput!) {{ hideReview(input: $input) {{
  review {{ {REVIEW} }} errors {{ field code message }} }} }}"""
WORKER = """
query($id: ID!) { worker(id: $id) { rating { average count }
  reviews { edges { node { id rating text } } } } }"""
NODE = "query($id: ID!) { node(id: $id) { id ... on Review { rating } } }"
BOOKING_REVIEWS = """
query($id: ID!) { booking(id: $id) { reviews { id authorRole }
  customer { reviews { edges { node { id } } } } } }"""


async def review(gql, token, booking_id, rating=5, text="Great job"):
    data = await gql(
        SUBMIT,
        {"input": {"bookingId": booking_id, "rating": rating, "text": text}},
        token=token,
    )
    return data["submitBookingReview"]


async def reviewed(gql, token, booking_id, rating=5, text="Great job"):
    payload = await review(gql, token, booking_id, rating, text)
    assert payload["errors"] == [], payload["errors"]
    return payload["review"]


@pytest.fixture
async def done(gql, clock):
    """A completed booking between a customer and a worker."""
    p = await parties(gql, clock)
    booking = await requested_booking(gql, p, clock)
    booking = await deliver_to_completion(gql, p, booking, clock)
    assert booking["status"] == "COMPLETED"
    return p, booking


async def test_hidden_until_both_have_reviewed(gql, done):
    p, booking = done
    first = await reviewed(gql, p.customer_token, booking["id"], 4, " Tidy work ")
    assert first["text"] == "Tidy work"
    assert (first["revealed"], first["authorRole"]) == (False, "CUSTOMER")
    # The worker cannot read it yet, nor can anyone else; it does not count.
    seen = await gql(BOOKING_REVIEWS, {"id": booking["id"]}, token=p.worker_token)
    assert seen["booking"]["reviews"] == []
    public = (await gql(WORKER, {"id": p.worker_id}))["worker"]
    assert public == {"rating": {"average": None, "count": 0}, "reviews": {"edges": []}}
    second = await reviewed(gql, p.worker_token, booking["id"], 5, "Lovely")
    assert second["revealed"] is True
    public = (await gql(WORKER, {"id": p.worker_id}))["worker"]
    assert public["rating"] == {"average": 4.0, "count": 1}
    assert [e["node"]["id"] for e in public["reviews"]["edges"]] == [first["id"]]
    seen = await gql(BOOKING_REVIEWS, {"id": booking["id"]}, token=p.worker_token)
    assert [r["authorRole"] for r in seen["booking"]["reviews"]] == [
        "CUSTOMER",
        "WORKER",
    ]


async def test_revealed_when_the_period_ends(gql, clock, done):
    p, booking = done
    await reviewed(gql, p.customer_token, booking["id"], 3)
    clock.advance(REVIEW_PERIOD - timedelta(seconds=1))
    assert (await gql(WORKER, {"id": p.worker_id}))["worker"]["rating"]["count"] == 0
    clock.advance(timedelta(seconds=1))
    worker = (await gql(WORKER, {"id": p.worker_id}))["worker"]
    assert worker["rating"] == {"average": 3.0, "count": 1}
    # And the period is over for the side that did not review.
    late = await review(gql, p.worker_token, booking["id"])
    assert codes(late) == ["REVIEW_NOT_OPEN"]


async def test_one_review_per_side_and_only_after_completion(gql, clock):
    p = await parties(gql, clock)
    booking = await requested_booking(gql, p, clock)
    early = await review(gql, p.customer_token, booking["id"])
    assert codes(early) == ["REVIEW_NOT_OPEN"]
    booking = await deliver_to_completion(gql, p, booking, clock)
    await reviewed(gql, p.customer_token, booking["id"])
    again = await review(gql, p.customer_token, booking["id"], 1, "Changed my mind")
    assert codes(again) == ["ALREADY_REVIEWED"]
    bad = await review(gql, p.worker_token, booking["id"], 6)
    assert [(e["field"], e["code"]) for e in bad["errors"]] == [("rating", "INVALID")]
    admin = await admin_token(gql, clock)
    assert codes(await review(gql, admin, booking["id"])) == ["NOT_ALLOWED"]
    others = await parties(gql, clock)
    assert codes(await review(gql, others.customer_token, booking["id"])) == [
        "NOT_FOUND"
    ]


async def test_concurrent_reviews_both_reveal(gql, done):
    p, booking = done
    first, second = await asyncio.gather(
        review(gql, p.customer_token, booking["id"], 5),
        review(gql, p.worker_token, booking["id"], 4),
    )
    assert first["errors"] == second["errors"] == []
    worker = (await gql(WORKER, {"id": p.worker_id}))["worker"]
    assert worker["rating"] == {"average": 5.0, "count": 1}


async def test_admin_hides_a_review_with_a_reason(gql, clock, done):
    p, booking = done
    admin = await admin_token(gql, clock)
    mine = await reviewed(gql, p.customer_token, booking["id"], 1, "Rude words")
    await reviewed(gql, p.worker_token, booking["id"])
    refused = await gql(
        HIDE, {"input": {"reviewId": mine["id"], "reason": "x"}}, token=p.worker_token
    )
    assert codes(refused["hideReview"]) == ["NOT_ALLOWED"]
    no_reason = await gql(
        HIDE, {"input": {"reviewId": mine["id"], "reason": " "}}, token=admin
    )
    assert codes(no_reason["hideReview"]) == ["REASON_REQUIRED"]
    hidden = await gql(
        HIDE, {"input": {"reviewId": mine["id"], "reason": "Abusive"}}, token=admin
    )
    assert hidden["hideReview"]["errors"] == []
    assert hidden["hideReview"]["review"]["hidden"] is True
    assert hidden["hideReview"]["review"]["moderation"] == [
        {"action": "hide", "reason": "Abusive"}
    ]
    public = (await gql(WORKER, {"id": p.worker_id}))["worker"]
    assert public == {"rating": {"average": None, "count": 0}, "reviews": {"edges": []}}
    as_admin = (await gql(WORKER, {"id": p.worker_id}, token=admin))["worker"]
    assert [e["node"]["id"] for e in as_admin["reviews"]["edges"]] == [mine["id"]]
    # The author still sees it (without the moderation history).
    own = await gql(NODE, {"id": mine["id"]}, token=p.customer_token)
    assert own["node"] == {"id": mine["id"], "rating": 1}


# --- Who sees which review: one row per state, one column per viewer --------

VIEWERS = (
    "anonymous",
    "customer",
    "worker",
    "admin",
    "other_customer",
    "other_worker",
    "deciding_worker",
)
EVERYONE = frozenset(VIEWERS)
# state: (viewers seeing the customer's review of the worker,
#         viewers seeing the worker's review of the customer)
VISIBILITY = {
    "only_customer_reviewed": (frozenset({"customer", "admin"}), frozenset()),
    "both_reviewed": (
        EVERYONE,
        frozenset({"customer", "worker", "admin", "deciding_worker"}),
    ),
    "period_over_one_review": (EVERYONE, frozenset()),
    "worker_review_hidden": (
        frozenset({"customer", "admin"}),
        frozenset({"customer", "worker", "admin", "deciding_worker"}),
    ),
}


async def _tokens(gql, clock, p: Parties) -> dict[str, str | None]:
    others = await parties(gql, clock)
    decider = await parties(gql, clock)
    # The booking's customer asks another worker: that worker decides now.
    asking = Parties(clock, p.customer, decider.worker)
    await requested_booking(gql, asking, clock)
    return {
        "anonymous": None,
        "customer": p.customer_token,
        "worker": p.worker_token,
        "admin": await admin_token(gql, clock),
        "other_customer": others.customer_token,
        "other_worker": others.worker_token,
        "deciding_worker": decider.worker_token,
    }


async def _arrange(gql, clock, p, booking, state) -> tuple[str, str | None]:
    of_worker = await reviewed(gql, p.customer_token, booking["id"])
    of_customer = None
    if state in {"both_reviewed", "worker_review_hidden"}:
        of_customer = (await reviewed(gql, p.worker_token, booking["id"], 2))["id"]
    if state == "period_over_one_review":
        clock.advance(REVIEW_PERIOD)
    if state == "worker_review_hidden":
        admin = await admin_token(gql, clock)
        await gql(
            HIDE,
            {"input": {"reviewId": of_worker["id"], "reason": "Spam"}},
            token=admin,
        )
    return of_worker["id"], of_customer


async def _sees(gql, token, review_id) -> bool:
    if review_id is None:
        return False
    response = await gql.raw(NODE, {"id": review_id}, token=token)
    return response.json()["data"]["node"] is not None


@pytest.mark.parametrize("state", list(VISIBILITY))
async def test_review_visibility_per_role(gql, clock, done, state):
    p, booking = done
    of_worker, of_customer = await _arrange(gql, clock, p, booking, state)
    tokens = await _tokens(gql, clock, p)
    sees_worker_review, sees_customer_review = VISIBILITY[state]
    seen = {
        name: (await _sees(gql, token, of_worker), await _sees(gql, token, of_customer))
        for name, token in tokens.items()
    }
    assert seen == {
        name: (name in sees_worker_review, name in sees_customer_review)
        for name in VIEWERS
    }
    # The worker's list shows revealed, unhidden reviews (admins: all).
    public = sees_worker_review == EVERYONE
    for name, token in tokens.items():
        listed = (await gql(WORKER, {"id": p.worker_id}, token=token))["worker"]
        ids = [e["node"]["id"] for e in listed["reviews"]["edges"]]
        assert (of_worker in ids) is (public or name == "admin"), name


async def test_workers_deciding_see_the_customers_reviews(gql, clock, done):
    p, booking = done
    await reviewed(gql, p.customer_token, booking["id"])
    of_customer = await reviewed(gql, p.worker_token, booking["id"], 2)
    decider = await parties(gql, clock)
    request = await requested_booking(
        gql, Parties(clock, p.customer, decider.worker), clock
    )
    seen = await gql(BOOKING_REVIEWS, {"id": request["id"]}, token=decider.worker_token)
    edges = seen["booking"]["customer"]["reviews"]["edges"]
    assert [e["node"]["id"] for e in edges] == [of_customer["id"]]
    # The worker of the finished booking is not deciding on anything now.
    own = await gql(BOOKING_REVIEWS, {"id": booking["id"]}, token=p.worker_token)
    assert own["booking"]["customer"]["reviews"] is None


async def test_each_review_writes_an_event_without_its_content(gql, done, raw_db):
    p, booking = done
    mine = await reviewed(gql, p.customer_token, booking["id"], 2, "Late and rude")
    again = await review(gql, p.customer_token, booking["id"])
    assert codes(again) == ["ALREADY_REVIEWED"]
    (event,) = (
        await raw_db["events"].find({"type": "booking.review_submitted"}).to_list()
    )
    stored = await raw_db["reviews"].find_one({})
    assert event["booking_id"] == stored["booking_id"]
    assert (event["actor_role"], event["actor_id"]) == (
        "customer",
        p.customer.user_id,
    )
    # The worker hears that a review came in, not what it says: it stays
    # hidden from them until it is revealed.
    assert event["data"] == {"review_id": str(stored["_id"]), "author_role": "customer"}
    assert mine["id"]
