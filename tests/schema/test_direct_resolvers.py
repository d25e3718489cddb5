"""Fields completed in place (`gigsta.schema.core.direct_resolvers`) answer
exactly what Strawberry's own executor answers, errors included, and skip the
executor's per-field work."""

from __future__ import annotations

import base64
import gc
import re
import weakref
from enum import Enum
from typing import Any

import pytest
import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gigsta.schema import GigstaSchema
from gigsta.schema.core.executor import ExecutionContext
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
    # the good rows' leaves are completed in place, and so is the list of
    # items (a synchronous resolver); only the async resolver field, and the
    # two rows whose values are errors, take graphql-core's path
    assert sorted(set(CountingContext.executed)) == [
        "Item.later",
        "Item.name",
        "Item.size",
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
    # only the failing field (reported on graphql-core's path): the list is
    # completed in place too
    assert sorted(set(CountingContext.executed)) == ["Thing.bad"]
    assert CountingContext.executed.count("Thing.bad") == 3


@strawberry.type(description="A leaf object of the nesting test schema.")
class Part:
    label: str | None = strawberry.field(description="A name that may be missing.")

    @strawberry.field(description="The label, which may not be missing.")
    def strict(self) -> str:
        if self.label is None:
            raise ValueError("no label")
        return self.label

    @strawberry.field(description="The label, later.")
    async def later(self) -> str | None:
        return self.label


@strawberry.type(description="An object holding objects.")
class Box:
    name: str = strawberry.field(description="Its name.")
    parts: list[Part] = strawberry.field(description="Parts, never null.")
    loose: list[Part | None] | None = strawberry.field(description="Parts or nulls.")
    main: Part | None = strawberry.field(description="The main part, if any.")

    @strawberry.field(description="The first part, which must be there.")
    def first(self) -> Part:
        return self.parts[0] if self.parts else None  # type: ignore[return-value]

    @strawberry.field(description="The main part, once it has been looked up.")
    def soon(self) -> Part | None:
        async def look_up() -> Part | None:
            return self.main

        return look_up()  # type: ignore[return-value]

    @strawberry.field(description="The parts again, in a list that may be null.")
    def maybe(self) -> list[Part] | None:
        return self.parts

    @strawberry.field(description="Parts, wrongly given as a string.")
    def letters(self) -> list[Part]:
        return self.name  # type: ignore[return-value]

    @strawberry.field(description="Not a part at all, which is an error.")
    def wrong(self) -> Thing | None:
        return Part(label="not a thing")  # type: ignore[return-value]


BOXES = [
    Box(name="full", parts=[Part(label="a")], loose=[Part(label="b")], main=None),
    Box(
        name="nulls",
        parts=[Part(label=None)],
        loose=[None, Part(label=None)],
        main=Part(label=None),
    ),
    Box(name="empty", parts=[], loose=None, main=Part(label="m")),
]


@strawberry.type(description="The nesting test schema's root.")
class BoxQuery:
    @strawberry.field(description="The boxes.")
    def boxes(self) -> list[Box | None]:
        return BOXES

    @strawberry.field(description="A box with a hole where a part must be.")
    def holed(self) -> list[Box | None]:
        return [Box(name="holed", parts=[None], loose=None, main=None)]  # type: ignore[list-item]


NESTED = [
    "{ boxes { name parts { label later } main { label } loose { label } } }",
    "{ boxes { name parts { strict } } }",  # a non-null error empties the box
    "{ boxes { name main { strict later } } }",  # nullable main: null, error
    "{ boxes { name loose { strict } } }",  # a nullable item: null, with its error
    "{ boxes { name first { label } } }",  # null where it may not be
    "{ boxes { name wrong { id } } }",  # a value not of the field's type
    "{ holed { name parts { label } } }",  # a null item where it may not be
    "{ boxes { name soon { label strict } } }",  # a value awaited first
    "{ boxes { name letters { label } } }",  # a string where a list must be
    "{ boxes { name maybe { strict } } }",  # a non-null item's error: list null
    "{ boxes { name m: main { s: strict } } }",  # errors at the aliases' paths
]


@pytest.mark.parametrize("query", NESTED)
async def test_objects_completed_in_place_answer_as_strawberry_s_own(query):
    ours = GigstaSchema(query=BoxQuery, types=[Thing])
    plain = GigstaSchema(
        query=BoxQuery,
        types=[Thing],
        execution_context_class=StrawberryGraphQLCoreExecutionContext,
    )
    expected = _answer(await plain.execute(query))
    assert _answer(await ours.execute(query)) == expected
    if query != NESTED[0]:
        assert expected[1], "each query has an error to compare"


async def test_object_fields_of_direct_resolvers_are_completed_in_place():
    CountingContext.executed = []
    schema = GigstaSchema(query=BoxQuery, execution_context_class=CountingContext)
    result = await schema.execute(NESTED[0])
    assert result.errors is None
    assert result.data is not None
    assert result.data["boxes"][0]["parts"] == [{"label": "a", "later": "a"}]
    # only the async resolvers take graphql-core's per-field path
    assert sorted(set(CountingContext.executed)) == ["Part.later"]


def test_no_resolver_reads_the_path_of_its_info(project_root):
    """A resolver completed in place shares one `info` per place in the
    query, whose path is the first value's: none may read it."""
    read = re.compile(r"info\.path\b(?!`)")  # not where a docstring names it
    readers = [
        path.name
        for path in (project_root / "gigsta").rglob("*.py")
        if read.search(path.read_text())
    ]
    assert readers == []


async def test_an_executor_is_freed_without_the_collector():
    """Nothing of an answered operation (its context, loaders, documents)
    waits for a garbage collection: the executor is in no reference cycle.
    (An error's traceback still refers to the frames it passed through.)"""
    made: list[weakref.ref[ExecutionContext]] = []

    class Watched(ExecutionContext):
        def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            super().__init__(*args, **kwargs)
            made.append(weakref.ref(self))

    schema = GigstaSchema(query=BoxQuery, execution_context_class=Watched)
    gc.disable()
    try:
        result = await schema.execute(NESTED[0])
        assert result.errors is None
        assert result.data is not None
        assert len(made) == 1
        assert made[0]() is None
    finally:
        gc.enable()
