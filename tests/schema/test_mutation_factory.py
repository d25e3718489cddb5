"""`schema.core.mutations`: a handler becomes a root mutation field whose
argument is described, and a wrong input id refuses it with its own payload,
before the handler goes on."""

from __future__ import annotations

import strawberry
from bson import ObjectId

from gigsta.schema.core.context import Info
from gigsta.schema.core.errors import UserError, errors_field
from gigsta.schema.core.mutations import input_id, mutation
from tests.ids import global_id


@strawberry.input(description="What to echo.")
class EchoInput:
    booking_id: strawberry.ID = strawberry.field(description="A `Booking.id`.")


@strawberry.type(description="The result of `echo`.")
class EchoPayload:
    local_id: str | None = strawberry.field(default=None, description="Echoed.")
    errors: list[UserError] = errors_field("Why not")


reached: list[str] = []


@strawberry.type
class Query:
    @strawberry.field(description="Unused.")
    def ok(self) -> bool:
        return True


@strawberry.type
class Mutation:
    @mutation("Echo the document id in a booking's id.", "The booking.")
    async def echo(self, info: Info, input: EchoInput) -> EchoPayload:
        local = str(input_id(input.booking_id, "Booking", "bookingId"))
        reached.append(local)
        return EchoPayload(local_id=local, errors=[])

    @mutation("Take no argument.")
    async def nothing(self, info: Info) -> EchoPayload:
        return EchoPayload(local_id="none", errors=[])


schema = strawberry.Schema(query=Query, mutation=Mutation)
ECHO = "mutation($i: EchoInput!) { echo(input: $i) { localId errors { field code } } }"


def test_the_argument_and_the_field_are_described() -> None:
    printed = str(schema)
    assert '"""Echo the document id in a booking\'s id."""\n  echo(' in printed
    assert '"""The booking."""\n    input: EchoInput!\n  ): EchoPayload!' in printed
    assert "nothing: EchoPayload!" in printed


async def test_a_right_id_reaches_the_handler() -> None:
    oid = ObjectId()
    result = await schema.execute(
        ECHO, variable_values={"i": {"bookingId": global_id("Booking", oid)}}
    )
    assert result.errors is None
    assert result.data == {"echo": {"localId": str(oid), "errors": []}}
    nothing = await schema.execute("mutation { nothing { localId } }")
    assert nothing.data == {"nothing": {"localId": "none"}}


async def test_a_wrong_id_refuses_with_the_handlers_payload() -> None:
    reached.clear()
    result = await schema.execute(
        ECHO, variable_values={"i": {"bookingId": global_id("Worker", ObjectId())}}
    )
    assert result.errors is None
    assert result.data == {
        "echo": {"localId": None, "errors": [{"field": "bookingId", "code": "INVALID"}]}
    }
    assert reached == []
