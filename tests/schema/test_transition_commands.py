"""A transition costs the same few MongoDB commands: two writes, no findAndModify.

SecantusDB answers `findAndModify` by scanning the collection (its cost grows
with the number of bookings), so the store writes with `update` and reads the
result back by `_id`."""

from __future__ import annotations

from tests.schema.test_bookings import cast, request  # noqa: F401 - fixture

ACT = """
mutation Act($input: PerformBookingActionInput!) {
  performBookingAction(input: $input) {
    booking { status version } errors { code }
  }
}"""
# The caller's account and the booking; then, in one transaction, the
# conditional update, the booking read back by `_id`, and its event. (The
# query-cost bucket's commands are counted apart: see `CommandCounter`.)
ACCEPT_COMMANDS = [
    "find",
    "find",
    "update",
    "find",
    "insert",
    "commitTransaction",
]


async def _act(gql, party, booking, action: str) -> dict:
    variables = {
        "input": {
            "bookingId": booking["id"],
            "action": action,
            "expectedVersion": booking["version"],
        }
    }
    data = await gql(ACT, variables, token=party.token)
    return data["performBookingAction"]


async def test_accept_is_two_writes_in_one_transaction(
    gql,
    cast,  # noqa: F811 - the fixture
    clock,
    command_counter,
):
    booking = await request(gql, cast, clock)
    command_counter.reset()
    result = await _act(gql, cast.worker, booking, "accept")
    assert result == {"booking": {"status": "ACCEPTED", "version": 2}, "errors": []}
    assert command_counter.commands == ACCEPT_COMMANDS, command_counter.commands


async def test_stale_version_writes_nothing(
    gql,
    cast,  # noqa: F811 - the fixture
    clock,
    command_counter,
):
    booking = await request(gql, cast, clock)
    assert (await _act(gql, cast.worker, booking, "accept"))["errors"] == []
    command_counter.reset()
    late = await _act(gql, cast.customer, booking, "cancel")
    assert [e["code"] for e in late["errors"]] == ["VERSION_CONFLICT"]
    # the account and the booking: nothing written
    assert command_counter.commands == ["find", "find"]
