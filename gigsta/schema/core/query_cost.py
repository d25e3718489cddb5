"""Query cost: computed before execution, refused above a maximum, charged to
the caller's leaky bucket and reported in `extensions.cost`, as Shopify does.

The static cost is measured in the same linear pass as the document limits
(`document_limits.py`, with `paged_lists.py` for page sizes and variables):
each field costs 1 for each object it is selected on, so a paged list
(`first`/`last`, or the default page of 20) multiplies everything under it,
and nested lists multiply; each root field of a mutation costs
`MUTATION_COST` instead of 1. `workers(first: 10) { edges { node { id } } }`
costs 1 + 10 x (1 + 1 + 1) = 31.

An API key and a signed-in account each have a bucket (`query_buckets.py`);
anonymous callers have none (they see little: workers and the catalogue).
The bucket is charged the requested cost; `actualQueryCost` reports what the
answer held (each field of each object returned), for information.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from graphql import FieldNode, OperationType
from strawberry.extensions import SchemaExtension

from gigsta.domain.partners import LeakyBucket
from gigsta.resolvers.core import query_buckets
from gigsta.schema.core.errors import CodedGraphQLError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from graphql import OperationDefinitionNode

    from gigsta.schema.core.context import Context

MUTATION_COST = 10
# Each caller's bucket: full, it admits one operation of the most one may
# cost (`DocumentLimits.max_cost`, 10,000); by default it refills in 10 s
# (`GIGSTA_QUERY_COST_RESTORE_RATE`, 1,000 a second).
BUCKET_SIZE = 10_000
MAX_COST_EXCEEDED = "MAX_COST_EXCEEDED"
THROTTLED = "THROTTLED"


def mutation_surcharge(operation: OperationDefinitionNode) -> int:
    """What a mutation's root fields cost beyond 1 each."""
    if operation.operation is not OperationType.MUTATION:
        return 0
    roots = sum(isinstance(s, FieldNode) for s in operation.selection_set.selections)
    return roots * (MUTATION_COST - 1)


def answered_cost(data: object) -> int:
    """Each field of each object in an answer (iterative: answers nest)."""
    total = 0
    stack = [data]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            total += len(current)
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return total


def bucket_id(context: Context) -> str | None:
    """Whose bucket a request draws on: its API key's, else its account's."""
    viewer = context.viewer
    if viewer is None:
        return None
    if viewer.partner is not None:
        return f"key:{viewer.partner.key_id}"
    return f"user:{viewer.user_id}"


class QueryCostError(CodedGraphQLError):
    def __init__(self, message: str, code: str, **extensions: Any) -> None:
        super().__init__(message, code)
        self.extensions = {**(self.extensions or {}), **extensions}


class QueryCostExtension(SchemaExtension):
    """Charges an operation's cost to the caller's bucket, refusing it when
    the bucket does not hold it (`THROTTLED`, HTTP 429 with `Retry-After`),
    and reports the cost in `extensions.cost`. Runs after the document
    limits, which measured the cost (and refused it over the maximum,
    `MAX_COST_EXCEEDED`), and after validation."""

    def __init__(self, *, execution_context: Any = None) -> None:
        super().__init__(execution_context=execution_context)
        self._requested: int | None = None
        self._available: int | None = None
        self._bucket = LeakyBucket(BUCKET_SIZE, 1_000)

    async def on_validate(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context: Context | None = getattr(execution, "context", None)
        cost = getattr(context, "query_cost", None)
        if context is not None and cost is not None:
            self._requested = cost
            self._bucket = LeakyBucket(
                BUCKET_SIZE, context.runtime.settings.query_cost_restore_rate
            )
            owner = bucket_id(context)
            now = context.now.timestamp()
            if execution.pre_execution_errors:  # over the maximum: not charged
                if owner is not None:
                    self._available = await query_buckets.level(
                        owner, self._bucket, now=now
                    )
            elif owner is not None:
                refusal = await self._charge(context, owner, cost, now)
                if refusal is not None:
                    execution.pre_execution_errors = [refusal]
        yield

    async def _charge(
        self, context: Context, owner: str, cost: int, now: float
    ) -> QueryCostError | None:
        charged = await query_buckets.charge(owner, cost, self._bucket, now=now)
        self._available = charged.available
        if charged.allowed:
            return None
        seconds = max(1, math.ceil(charged.retry_after))
        context.response.headers["Retry-After"] = str(seconds)
        return QueryCostError(
            f"Throttled: the operation costs {cost} points and {charged.available} "
            f"are available, restored at {self._bucket.restore_rate} a second. "
            f"Try again in {seconds} s.",
            THROTTLED,
            cost=cost,
            retryAfter=seconds,
        )

    def get_results(self) -> dict[str, Any]:
        if self._requested is None:
            return {}
        result = self.execution_context.result
        data = getattr(result, "data", None)
        actual = 0
        if isinstance(data, dict):
            actual = answered_cost(data) + _answered_surcharge(
                self.execution_context, data
            )
        throttle = None
        if self._available is not None:
            throttle = {
                "maximumAvailable": self._bucket.capacity,
                "currentlyAvailable": self._available,
                "restoreRate": self._bucket.restore_rate,
            }
        return {
            "cost": {
                "requestedQueryCost": self._requested,
                "actualQueryCost": actual,
                "throttleStatus": throttle,
            }
        }


def _answered_surcharge(execution: Any, data: dict[str, Any]) -> int:
    """A mutation's root fields answered cost `MUTATION_COST` each."""
    try:
        operation_type = execution.operation_type
    except RuntimeError:  # no document: nothing ran
        return 0
    if operation_type.value != OperationType.MUTATION.value:
        return 0
    return len(data) * (MUTATION_COST - 1)
