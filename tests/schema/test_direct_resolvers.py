"""Fields completed in place (`gigsta.schema.core.direct_resolvers`) answer
exactly what Strawberry's own executor answers, errors included, and skip the
executor's per-field work."""

from __future__ import annotations

import base64
from enum import Enum
from typing import Any

import pytest
import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gigsta.schema import GigstaSchema
from gigsta.schema.core.direct_resolvers import ExecutionContext
from gigsta.schema.core.nodes import DocumentNode


@strawberry.enum(description="A colour.")
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


class Row:
    """What a field reads: its attributes, right or wrong."""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)

    @property
    def broken(self) -> str:
        raise RuntimeError("cannot read this")


@strawberry.type(description="An item.")
class Item:
    name: str
    size: int
    colour: Colour
    note: str | None
    broken: str | None

    @strawberry.field(description="Resolved on its own, asynchronously.")
    async def later(self) -> str:
        return f"later {self.name}"

    @strawberry.field(description="Reads the object as `root` and the info.")
    def seen(self, root: Row, info: strawberry.Info) -> str:
        return f"{root.name} as {info.field_name} on {info.path.prev.key}"

    @strawberry.field(description="A resolver that fails.")
    def fails(self) -> str | None:
        raise ValueError(f"no value for {self.name}")


GOOD = {"name": "a", "size": 1, "colour": Colour.RED, "note": None}
ROWS: list[dict[str, Any]] = [
    GOOD,
    {**GOOD, "name": "b", "note": "noted", "colour": Colour.BLUE},
    {**GOOD, "name": None},  # null where it may not be
    {**GOOD, "size": "large"},  # a value the type cannot coerce
]


@strawberry.type(description="The test schema's root.")
class Query:
    @strawberry.field(description="The items, one of each kind of value.")
    def items(self) -> list[Item | None]:
        return [Row(**row) for row in ROWS]  # type: ignore[misc]


QUERY = "{ items { later name size colour note alias: name } }"


def _answer(result: Any) -> tuple[Any, list[tuple[str, Any, Any]]]:
    errors = [
        (e.message, e.path, [(loc.line, loc.column) for loc in e.locations or []])
        for e in result.errors or []
    ]
    return result.data, sorted(errors, key=str)


@pytest.mark.parametrize(
    "query",
    [
        QUERY,
        "{ items { broken name } }",
        "{ items { ... on Item { size note } } }",
        "{ items { seen fails later } }",
    ],
)
async def test_answers_and_errors_are_strawberry_s_own(query):
    # the same schema, completed by Strawberry's own executor
    plain = GigstaSchema(
        query=Query, execution_context_class=StrawberryGraphQLCoreExecutionContext
    )
    ours = GigstaSchema(query=Query)
    expected = _answer(await plain.execute(query))
    assert expected[1], "each query has an error to compare"
    assert _answer(await ours.execute(query)) == expected
    # the keys come in the order they were asked for
    data = (await ours.execute(query)).data
    first = (await plain.execute(query)).data
    assert [list(item or {}) for item in data["items"]] == [
        list(item or {}) for item in first["items"]
    ]


class CountingContext(ExecutionContext):
    executed: list[str] = []  # noqa: RUF012 - the test reads it

    def execute_field(self, parent_type, source, details, path, position):  # type: ignore[no-untyped-def]
        self.executed.append(f"{parent_type.name}.{details[0].node.name.value}")
        return super().execute_field(parent_type, source, details, path, position)


async def test_leaf_values_are_completed_without_the_per_field_path():
    CountingContext.executed = []
    schema = GigstaSchema(query=Query, execution_context_class=CountingContext)
    result = await schema.execute("{ items { name size colour note later } }")
    # the good rows' leaves are completed in place; only the resolver field,
    # and the two rows whose values are errors, take graphql-core's path
    assert sorted(set(CountingContext.executed)) == [
        "Item.later",
        "Item.name",
        "Item.size",
        "Query.items",
    ]
    assert CountingContext.executed.count("Item.name") == 1  # the null one
    assert CountingContext.executed.count("Item.size") == 1  # the "large" one
    assert result.data is not None
    assert result.data["items"][:2] == [
        {"name": "a", "size": 1, "colour": "RED", "note": None, "later": "later a"},
        {"name": "b", "size": 1, "colour": "BLUE", "note": "noted", "later": "later b"},
    ]


async def test_resolvers_without_arguments_are_called_directly(monkeypatch):
    """Strawberry's resolver wrapper (argument conversion, extension chain)
    is not run for resolvers that have no arguments, permission or extension."""
    from strawberry.types.fields.resolver import StrawberryResolver

    wrapped = []
    call = StrawberryResolver.__call__

    def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        wrapped.append(self.name)
        return call(self, *args, **kwargs)

    monkeypatch.setattr(StrawberryResolver, "__call__", counted)
    result = await GigstaSchema(query=Query).execute("{ items { seen later } }")
    assert result.data is not None
    assert result.data["items"][0] == {"seen": "a as seen on 0", "later": "later a"}
    assert wrapped == []


class ThingDoc:
    """A stored document, as far as a node reads it."""

    def __init__(self, oid: str) -> None:
        self.id = oid


@strawberry.type(description="A node of the test schema.")
class Thing(DocumentNode[ThingDoc]):  # type: ignore[type-var]
    @strawberry.field(description="A resolver of a scalar that reads no info.")
    def label(self) -> str:
        return f"thing {self.doc.id}"

    @strawberry.field(description="One that fails.")
    def bad(self) -> str | None:
        raise ValueError(f"no value for {self.doc.id}")


@strawberry.type(description="The node test schema's root.")
class NodeQuery:
    @strawberry.field(description="Three things.")
    def things(self) -> list[Thing]:
        return [Thing(doc=ThingDoc(str(n))) for n in range(3)]


async def test_node_ids_and_plain_scalar_resolvers_are_completed_in_place():
    CountingContext.executed = []
    schema = GigstaSchema(query=NodeQuery, execution_context_class=CountingContext)
    plain = GigstaSchema(
        query=NodeQuery, execution_context_class=StrawberryGraphQLCoreExecutionContext
    )
    query = "{ things { id label bad } }"
    result = await schema.execute(query)
    assert _answer(result) == _answer(await plain.execute(query))
    assert result.data is not None
    assert result.data["things"][1]["id"] == base64.b64encode(b"Thing:1").decode()
    assert result.data["things"][1]["label"] == "thing 1"
    # only the list, and the failing field (reported on graphql-core's path)
    assert sorted(set(CountingContext.executed)) == ["NodeQuery.things", "Thing.bad"]
    assert CountingContext.executed.count("Thing.bad") == 3
