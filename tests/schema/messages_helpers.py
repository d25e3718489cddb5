"""Shared steps for the message and review tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.conftest import FakeClock, GraphQLClient
from tests.schema.payments_helpers import Parties, request

SEND = """
mutation($input: SendBookingMessageInput!) { sendBookingMessage(input: $input) {
  message { id body masked senderRole senderId createdAt }
  errors { field code message } } }"""

MARK_READ = """
mutation($input: MarkBookingMessagesReadInput!) {
  markBookingMessagesRead(input: $input) {
    booking { id unreadCount } errors { field code message } } }"""

MESSAGES = """
query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  booking(id: $id) { id unreadCount
    messages(first: $first, after: $after, last: $last, before: $before) {
      edges { cursor node { body senderRole masked } }
      pageInfo { hasNextPage hasPreviousPage endCursor startCursor } } } }"""


async def requested_booking(
    gql: GraphQLClient, p: Parties, clock: FakeClock
) -> dict[str, Any]:
    payload = await request(gql, p, "pm_card_visa", clock.now + timedelta(days=2))
    assert payload["errors"] == [], payload["errors"]
    booking: dict[str, Any] = payload["booking"]
    return booking


async def send(
    gql: GraphQLClient, token: str | None, booking_id: str, body: str
) -> dict[str, Any]:
    data = await gql(
        SEND, {"input": {"bookingId": booking_id, "body": body}}, token=token
    )
    payload: dict[str, Any] = data["sendBookingMessage"]
    return payload


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["errors"]]
