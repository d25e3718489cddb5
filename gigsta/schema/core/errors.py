"""`UserError`: an expected failure, as data in every mutation's payload."""

from __future__ import annotations

import strawberry

from gigsta.domain.core import UserError as UserErrorData


@strawberry.type(description="An expected failure the client can act on.")
class UserError:
    field: str | None = strawberry.field(
        description="The input field at fault (camelCase), or null for the whole input."
    )
    code: str = strawberry.field(
        description="Stable machine-readable code, e.g. EMAIL_TAKEN, NOT_FOUND."
    )
    message: str = strawberry.field(description="Human-readable explanation.")

    @classmethod
    def from_data(cls, error: UserErrorData) -> UserError:
        return cls(field=error.field, code=error.code.value, message=error.message)


def user_errors(errors: list[UserErrorData]) -> list[UserError]:
    return [UserError.from_data(e) for e in errors]
