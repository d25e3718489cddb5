"""What every mutation payload shares: the field showing what the mutation
made or changed (null when it was refused), the payload of a refusal, and the
refusal of an input id that names no object of the expected type (with the
input field that says so).

A payload type declares its own fields, in the order the schema shows them;
every field but `errors` has a default, so a refusal sets `errors` alone."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import strawberry

from gigsta.schema.core import nodes
from gigsta.schema.core.errors import user_errors

if TYPE_CHECKING:
    from collections.abc import Callable

    from gigsta.domain.core import UserError as UserErrorData

P = TypeVar("P")
N = TypeVar("N")


def result_field(what: str) -> Any:
    """A payload's field showing what the mutation made or changed; `what`
    says what it holds (e.g. "The profile as saved"). Null, its default,
    when `errors` is not empty."""
    return strawberry.field(
        default=None, description=f"{what}; null when `errors` is not empty."
    )


def shown(node: Callable[..., N], doc: object | None) -> N | None:
    """The GraphQL object `node` showing `doc`, or None without a document."""
    return None if doc is None else node(doc=doc)


def refused(payload: Callable[..., P], errors: list[UserErrorData]) -> P:
    """The payload of a mutation refused for `errors`: every other field keeps
    its default."""
    return payload(errors=user_errors(errors))


def wrong_id(payload: Callable[..., P], field: str, expected: type[Any] | str) -> P:
    """The payload refusing an input `field` that is not the id of an
    `expected`."""
    return refused(payload, [nodes.wrong_id(field, expected)])


def id_input(type_name: str) -> Any:
    """A mutation input's field taking the id of a `type_name`; any other
    value is refused by `wrong_id` (INVALID)."""
    return strawberry.field(
        description=f"The `{type_name}.id` (INVALID when it is not a "
        f"{type_name.lower()}'s id)."
    )
