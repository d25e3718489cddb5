"""Benchmark: what one resolved field costs in the app's schema machinery.

A 1,000 x 9 query (1,000 bookings, 9 scalar fields each), with no database:
the bookings are in memory. It runs

- through the app's own `Booking` type and schema class, with the app's
  schema extensions (`gigsta.schema.schema_extensions`), the way a request
  runs it (`Schema.execute`, document text in, result out; the document
  cache makes every run after the first skip parsing and validation);
- through plain graphql-core: a hand-written `GraphQLSchema` of the same
  shape over dicts, executing an already parsed and validated document;
- `json.dumps` of the same 9,000 values, the floor.

Prints microseconds per resolved field (median of ROUNDS) and the ratio.

    .venv/bin/python -m bench.field_cost
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import strawberry
from beanie import PydanticObjectId
from graphql import (
    GraphQLField,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    execute,
    parse,
    validate,
)

from gigsta.documents.bookings import Booking as BookingDoc
from gigsta.schema import GigstaSchema, schema_extensions
from gigsta.schema.bookings.types import Booking

ROWS = 1_000
FIELDS = (
    "id status version description timeZone scheduledStart scheduledEnd "
    "createdAt updatedAt"
)
QUERY = "{ bookings { " + FIELDS + " } }"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))


def _docs() -> list[BookingDoc]:
    now = datetime(2026, 11, 1, tzinfo=UTC)
    return [
        BookingDoc.model_construct(
            id=PydanticObjectId(),
            customer_id=PydanticObjectId(),
            worker_id=PydanticObjectId(),
            service="cleaning",
            description=f"job {i}",
            scheduled_start=now + timedelta(days=3),
            scheduled_end=now + timedelta(days=3, hours=2),
            status="requested",
            version=2,
            history=[],
            created_at=now,
            updated_at=now,
            time_zone="Pacific/Auckland",
        )
        for i in range(ROWS)
    ]


def app_schema(docs: list[BookingDoc]) -> strawberry.Schema:
    @strawberry.type(description="1,000 bookings in memory.")
    class Query:
        @strawberry.field(description="Every booking.")
        def bookings(self) -> list[Booking]:
            return [Booking(doc=doc) for doc in docs]

    return GigstaSchema(query=Query, extensions=schema_extensions())


def plain_schema(rows: list[dict[str, Any]]) -> GraphQLSchema:
    types = {"version": GraphQLInt}
    booking = GraphQLObjectType(
        "Booking",
        {
            name: GraphQLField(GraphQLNonNull(types.get(name, GraphQLString)))
            for name in FIELDS.split()
        },
    )
    return GraphQLSchema(
        GraphQLObjectType(
            "Query",
            {"bookings": GraphQLField(GraphQLList(booking), resolve=lambda *_: rows)},
        )
    )


def _as_row(doc: BookingDoc) -> dict[str, Any]:
    return {
        "id": str(doc.id),
        "status": doc.status.upper(),
        "version": doc.version,
        "description": doc.description,
        "timeZone": doc.time_zone,
        **{
            name: getattr(doc, attr).isoformat()
            for name, attr in (
                ("scheduledStart", "scheduled_start"),
                ("scheduledEnd", "scheduled_end"),
                ("createdAt", "created_at"),
                ("updatedAt", "updated_at"),
            )
        },
    }


def _per_field(seconds: list[float]) -> float:
    return statistics.median(seconds) / (ROWS * len(FIELDS.split())) * 1e6


def main() -> None:
    docs = _docs()
    rows = [_as_row(doc) for doc in docs]
    app = app_schema(docs)
    context = SimpleNamespace(now=datetime.now(UTC), viewer=None, log_fields={})
    plain = plain_schema(rows)
    document = parse(QUERY)
    assert not validate(plain, document)

    async def through_app() -> None:
        result = await app.execute(QUERY, context_value=context)
        assert result.errors is None, result.errors

    timings: dict[str, list[float]] = {"app": [], "graphql-core": [], "json": []}
    for _ in range(ROUNDS):
        started = time.perf_counter()
        asyncio.run(through_app())
        timings["app"].append(time.perf_counter() - started)
        started = time.perf_counter()
        result = execute(plain, document)
        timings["graphql-core"].append(time.perf_counter() - started)
        assert not result.errors  # type: ignore[union-attr]
        started = time.perf_counter()
        json.dumps(rows)
        timings["json"].append(time.perf_counter() - started)
    base = _per_field(timings["graphql-core"])
    print(f"{'path':<14} {'us per field':>12} {'x graphql-core':>15}")
    for name, seconds in timings.items():
        per_field = _per_field(seconds)
        print(f"{name:<14} {per_field:>12.2f} {per_field / base:>15.2f}")


if __name__ == "__main__":
    main()
