"""Root mutation fields made from handlers.

A handler is a resolver method, `async def name(self, info: Info, input:
SomeInput) -> SomePayload`; its one argument may have another name, or be left
out. `mutation` makes it a field of the `Mutation` type and gives the argument
its description. Its annotations are read when the module loads, so the types
they name must be imported at run time.

An id that the handler reads with `input_id` and that names no object of the
expected type refuses the mutation before any use case runs: the handler's
payload carries the error (INVALID, on the input field), as Saleor's mutations
turn a validation error into their payload's errors.

Most inputs hold just the arguments of the use case they ask for:
`input_fields` passes them on (their ids decoded), and `perform` calls the use
case with them the way every use case is called, viewer first and `now` last."""

from __future__ import annotations

import inspect
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, get_type_hints

import strawberry
from strawberry.utils.str_converters import to_camel_case

from gigsta.schema.core import nodes
from gigsta.schema.core.context import Info
from gigsta.schema.core.errors import user_errors

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from _typeshed import DataclassInstance
    from beanie import PydanticObjectId

P = TypeVar("P")
R = TypeVar("R")


class WrongIdError(Exception):
    """An input id naming no object of the expected type; `mutation` turns it
    into the payload refusing it. It never leaves a mutation."""

    def __init__(self, field: str, expected: type[Any] | str) -> None:
        super().__init__(field)
        self.error = nodes.wrong_id(field, expected)


def input_id(value: str, expected: type[Any] | str, field: str) -> PydanticObjectId:
    """The document id in a mutation input's global id of type `expected`, in
    the input `field`; anything else refuses the mutation (see `mutation`)."""
    oid = nodes.local_id(value, expected)
    if oid is None:
        raise WrongIdError(field, expected)
    return oid


def input_fields(input: DataclassInstance, **ids: type[Any] | str) -> dict[str, Any]:
    """A mutation input's fields, as keyword arguments of its use case. Each
    field named in `ids` holds a global id of the type given there and is
    passed as the document id it names, as text (None stays None); a wrong
    one refuses the mutation, on the field's GraphQL name (see `input_id`)."""
    fields = asdict(input)
    for name, expected in ids.items():
        if fields[name] is not None:
            oid = input_id(fields[name], expected, to_camel_case(name))
            fields[name] = str(oid)
    return fields


async def perform(
    info: Info,
    use_case: Callable[..., Awaitable[R]],
    input: DataclassInstance,
    /,
    **ids: type[Any] | str,
) -> R:
    """The result of `use_case` for the viewer, now, called with the fields of
    `input` as its arguments (the ids in `ids` decoded: see `input_fields`)."""
    context = info.context
    return await use_case(context.viewer, **input_fields(input, **ids), now=context.now)


def mutation(
    description: str, argument: str | None = None
) -> Callable[[Callable[..., Awaitable[P]]], Any]:
    """The mutation field running the decorated handler, described by
    `description`; `argument` describes the handler's argument after `info`."""

    def field(handler: Callable[..., Awaitable[P]]) -> Any:
        hints = get_type_hints(handler)
        payload = hints.pop("return")
        hints.pop("self", None)
        keyword = inspect.Parameter.KEYWORD_ONLY
        parameters = [
            inspect.Parameter("root", inspect.Parameter.POSITIONAL_OR_KEYWORD),
            inspect.Parameter("info", keyword, annotation=hints.pop("info")),
        ]
        assert len(hints) <= 1, f"{handler.__name__}: one argument at most"
        for name, annotation in hints.items():
            described = strawberry.argument(description=argument)
            parameters.append(
                inspect.Parameter(
                    name, keyword, annotation=Annotated[annotation, described]
                )
            )

        async def resolve(root: None, info: Info, **arguments: Any) -> P:
            try:
                return await handler(root, info, **arguments)
            except WrongIdError as wrong:
                refusal: P = payload(errors=user_errors([wrong.error]))
                return refusal

        # Strawberry reads the arguments and the return type from the signature.
        resolve.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            parameters, return_annotation=payload
        )
        return strawberry.mutation(resolver=resolve, description=description)

    return field
