"""What every mutation payload shares: the field showing what the mutation
made or changed (null when it was refused), and the input field taking an id
(a wrong one refuses the mutation: see `schema.core.mutations`).

A payload type declares its own fields, in the order the schema shows them;
every field but `errors` has a default, so a refusal sets `errors` alone."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import strawberry

if TYPE_CHECKING:
    from collections.abc import Callable

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


def id_input(type_name: str) -> Any:
    """A mutation input's field taking the id of a `type_name`; any other
    value is refused by `input_id` (INVALID)."""
    return strawberry.field(
        description=f"The `{type_name}.id` (INVALID when it is not a "
        f"{type_name.lower()}'s id)."
    )
