"""Bounds on one GraphQL document, checked before anything walks it.

graphql-core's validation and any naive cost walk follow every path through
the fragments, and a document of a few hundred bytes can hold 2^N paths
(`F0` spreads `F1` twice, `F1` spreads `F2` twice, ...). So, in this order:

1. before parsing: the document's size in bytes, and a token budget (comments
   included) that the parser enforces as it reads: it stops at the first
   token too many;
2. after parsing, before validation: one pass over the document that
   summarises each fragment once (memoised, in dependency order, with
   explicit stacks rather than recursion) and so measures, in time linear in
   the document, the depth, the number of fields, the number of aliases and
   the number of objects its paged lists could return (`paged_lists.py`) of
   every operation as if all its fragments were expanded.

A refused document never reaches validation or execution; the client gets
HTTP 400 and one error whose `extensions.code` says which bound it hit
(`QUERY_TOO_LARGE`, `QUERY_TOO_DEEP`, `QUERY_TOO_COMPLEX`, `TOO_MANY_ALIASES`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
)

from gigsta.schema.core.errors import CodedGraphQLError
from gigsta.schema.core.query_cost import MAX_COST_EXCEEDED, mutation_surcharge

if TYPE_CHECKING:
    from collections.abc import Iterator

    from graphql import DocumentNode, GraphQLNamedType, SelectionSetNode

    from gigsta.schema.core.paged_lists import PagedLists


@dataclass(frozen=True)
class DocumentLimits:
    """What one document may hold. Legitimate documents (our web app's, the
    GraphiQL introspection query) stay well inside every bound."""

    max_bytes: int = 32 * 1024
    max_tokens: int = 5_000
    # Fields on the longest path, the root field included; the introspection
    # fields (`__schema`, `__type`) do not count, their shape is fixed.
    max_depth: int = 12
    # Field selections with every fragment expanded, and as written: also
    # bounds graphql-core's overlapping-fields check, quadratic in repeats.
    max_fields: int = 500
    # One response name repeated in one selection set: graphql-core compares
    # every pair, so a few hundred repeats of a cheap field cost seconds.
    max_repeated_field: int = 10
    max_aliases: int = 30
    # Fragment spreads written in the document: the same check compares
    # every pair of fragments spread into one selection set.
    max_fragment_spreads: int = 30
    # Objects the operation could return: each paged list (a field with a
    # `first` or `last` argument) counts its page size, and `nodes` its
    # number of ids; nested lists multiply, as
    # GitHub's node limit does. Five aliases of 100 workers with 100 bookings
    # each (50,500) held a process for seconds; an admin's 40 workers with
    # 100 bookings each (4,040) stays under (and is refused by its cost).
    max_objects: int = 5_000
    # The operation's static cost (`query_cost.py`): each field once per
    # object it is selected on. 20 workers x 100 bookings with two fields
    # each (8,081) stays under; five aliases of 2 workers x 95 bookings with
    # their history and parties (9,575) cost the server about 0.15 s of CPU
    # on SecantusDB, and /healthz stays under 50 ms while bursts of them
    # arrive (`python -m bench.partner_load`; see `schema/core/turns.py`).
    max_cost: int = 10_000


TOO_LARGE = "QUERY_TOO_LARGE"

# Counts are clamped here, so a doubling document's 2^N stays a small number.
_SATURATED = 1 << 40


@dataclass(frozen=True)
class _Summary:
    depth: int = 0
    fields: int = 0
    aliases: int = 0
    # Objects of paged lists, for one object of the type the selection is on.
    objects: int = 0
    # Its static cost (`query_cost.py`): each field once per object it is
    # selected on, so a paged list multiplies what it selects.
    cost: int = 0


class DocumentTooExpensiveError(CodedGraphQLError):
    """A document refused by a bound; `code` becomes `extensions.code`."""


class MaxCostExceededError(DocumentTooExpensiveError):
    """An operation over the most one may cost; says what it would cost."""

    def __init__(self, cost: int, limits: DocumentLimits) -> None:
        super().__init__(
            f"The operation would cost {cost} points, more than the "
            f"{limits.max_cost} one operation may cost: ask for smaller pages "
            "or fewer fields.",
            MAX_COST_EXCEEDED,
        )
        self.cost = cost
        self.extensions = {
            **(self.extensions or {}),
            "cost": cost,
            "maximumCost": limits.max_cost,
        }


def check_source(query: str, limits: DocumentLimits) -> None:
    """The bound that needs no parsing: the document's size in bytes."""
    if len(query) > limits.max_bytes or len(query.encode()) > limits.max_bytes:
        raise DocumentTooExpensiveError(
            f"The document is larger than {limits.max_bytes} bytes.",
            TOO_LARGE,
        )


def check_document(
    document: DocumentNode, limits: DocumentLimits, lists: PagedLists
) -> dict[str | None, int]:
    """Raise `DocumentTooExpensiveError` if any operation exceeds a bound;
    else the static cost of each operation, by its name."""
    fragments: dict[str, FragmentDefinitionNode] = {}
    operations: list[OperationDefinitionNode] = []
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            fragments.setdefault(definition.name.value, definition)
        elif isinstance(definition, OperationDefinitionNode):
            operations.append(definition)
    written_fields = written_spreads = repeated = 0
    spreads_of: dict[str, list[str]] = {}
    for definition in (*operations, *fragments.values()):
        names, fields, repeats = _scan(definition.selection_set)
        written_fields += fields
        written_spreads += len(names)
        repeated = max(repeated, repeats)
        if isinstance(definition, FragmentDefinitionNode):
            spreads_of[definition.name.value] = names
    if repeated > limits.max_repeated_field:
        raise DocumentTooExpensiveError(
            f"A selection asks for the same field more than "
            f"{limits.max_repeated_field} times.",
            "QUERY_TOO_COMPLEX",
        )
    if written_spreads > limits.max_fragment_spreads:
        raise DocumentTooExpensiveError(
            f"The document has more than {limits.max_fragment_spreads} "
            "fragment spreads.",
            "QUERY_TOO_COMPLEX",
        )
    if written_fields > limits.max_fields:
        raise _too_many_fields(limits)
    summaries = _fragment_summaries(fragments, spreads_of, limits, lists)
    total_fields = 0
    costs: dict[str | None, int] = {}
    for operation in operations:
        root = lists.root(operation)
        summary = _summarise(operation.selection_set, root, summaries, limits, lists)
        _check_summary(summary, limits)
        total_fields += summary.fields
        name = operation.name.value if operation.name else None
        costs[name] = summary.cost + mutation_surcharge(operation)
        if costs[name] > limits.max_cost:
            raise MaxCostExceededError(costs[name], limits)
    if total_fields > limits.max_fields:
        raise _too_many_fields(limits)
    return costs


def _too_many_fields(limits: DocumentLimits) -> DocumentTooExpensiveError:
    return DocumentTooExpensiveError(
        f"The document selects more than {limits.max_fields} fields "
        "(counting every fragment where it is used).",
        "QUERY_TOO_COMPLEX",
    )


def _check_summary(summary: _Summary, limits: DocumentLimits) -> None:
    if summary.depth > limits.max_depth:
        raise DocumentTooExpensiveError(
            f"The operation is nested deeper than {limits.max_depth} fields.",
            "QUERY_TOO_DEEP",
        )
    if summary.fields > limits.max_fields:
        raise _too_many_fields(limits)
    if summary.aliases > limits.max_aliases:
        raise DocumentTooExpensiveError(
            f"The operation uses more than {limits.max_aliases} aliases "
            "(counting every fragment where it is used).",
            "TOO_MANY_ALIASES",
        )
    if summary.objects > limits.max_objects:
        raise DocumentTooExpensiveError(
            f"The operation could return more than {limits.max_objects} objects "
            "(each list counted at its `first`, or the default page size, "
            "nested lists multiplied); ask for smaller pages.",
            "QUERY_TOO_COMPLEX",
        )


def _selections(
    selection_set: SelectionSetNode,
) -> Iterator[tuple[FieldNode | FragmentSpreadNode | InlineFragmentNode, int]]:
    """Every selection under `selection_set` (not into named fragments), with
    its field nesting level; iterative, so no document can exhaust the stack."""
    stack: list[tuple[SelectionSetNode, int]] = [(selection_set, 0)]
    while stack:
        current, level = stack.pop()
        for selection in current.selections:
            if isinstance(selection, FieldNode):
                yield selection, level
                if selection.selection_set is not None:
                    stack.append((selection.selection_set, level + 1))
            elif isinstance(selection, InlineFragmentNode):
                yield selection, level
                stack.append((selection.selection_set, level))
            elif isinstance(selection, FragmentSpreadNode):
                yield selection, level


def _scan(selection_set: SelectionSetNode) -> tuple[list[str], int, int]:
    """The fragment spreads written under `selection_set`, the fields written
    there, and the most times one response name repeats in one selection set
    (its inline fragments included): what the overlapping-fields check
    compares pairwise."""
    names: list[str] = []
    fields = repeated = 0
    for selection, _ in _selections(selection_set):
        if isinstance(selection, FragmentSpreadNode):
            names.append(selection.name.value)
        elif isinstance(selection, FieldNode):
            fields += 1
            if selection.selection_set is not None:
                repeated = max(repeated, _most_repeated(selection.selection_set))
    return names, fields, max(repeated, _most_repeated(selection_set))


def _most_repeated(selection_set: SelectionSetNode) -> int:
    counts: Counter[str] = Counter()
    stack = [selection_set]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FieldNode):
                counts[(selection.alias or selection.name).value] += 1
            elif isinstance(selection, InlineFragmentNode):
                stack.append(selection.selection_set)
    return max(counts.values(), default=0)


# The introspection roots: what is selected under them is not counted in depth.
_INTROSPECTION = frozenset({"__schema", "__type"})


def _summarise(
    selection_set: SelectionSetNode,
    on: GraphQLNamedType | None,
    fragments: dict[str, _Summary],
    limits: DocumentLimits,
    lists: PagedLists,
) -> _Summary:
    """Depth, fields, aliases and objects of `selection_set` (selected on type
    `on`), its named fragments taken from their (already computed) summaries.
    A spread of an unknown or cyclic fragment counts as nothing: validation
    reports it."""
    depth = fields = aliases = objects = cost = 0
    # (selection set, its type, nesting level, objects of that type per one
    # of `on`, inside an introspection field)
    stack: list[tuple[SelectionSetNode, GraphQLNamedType | None, int, int, bool]] = [
        (selection_set, on, 0, 1, False)
    ]
    while stack:
        current, parent, level, each, introspection = stack.pop()
        for selection in current.selections:
            if isinstance(selection, FieldNode):
                fields += 1
                aliases += selection.alias is not None
                cost = min(cost + each, _SATURATED)
                inside = introspection or selection.name.value in _INTROSPECTION
                if not inside:
                    depth = max(depth, level + 1)
                field_type, page = lists.field(parent, selection)
                if page is not None:
                    objects = min(objects + each * page, _SATURATED)
                # Deeper than the bound is refused anyway: stop descending.
                if selection.selection_set is not None and depth <= limits.max_depth:
                    stack.append(
                        (
                            selection.selection_set,
                            field_type,
                            level + 1,
                            min(each * (page or 1), _SATURATED),
                            inside,
                        )
                    )
            elif isinstance(selection, InlineFragmentNode):
                condition = lists.condition(selection.type_condition, parent)
                stack.append(
                    (selection.selection_set, condition, level, each, introspection)
                )
            elif isinstance(selection, FragmentSpreadNode):
                found = fragments.get(selection.name.value)
                if found is not None:
                    if not introspection:
                        depth = max(depth, level + found.depth)
                    fields = min(fields + found.fields, _SATURATED)
                    aliases = min(aliases + found.aliases, _SATURATED)
                    objects = min(objects + each * found.objects, _SATURATED)
                    cost = min(cost + each * found.cost, _SATURATED)
    return _Summary(
        depth=depth, fields=fields, aliases=aliases, objects=objects, cost=cost
    )


def _fragment_summaries(
    fragments: dict[str, FragmentDefinitionNode],
    spreads_of: dict[str, list[str]],
    limits: DocumentLimits,
    lists: PagedLists,
) -> dict[str, _Summary]:
    """Each fragment summarised once, after the fragments it spreads
    (a depth-first post-order on an explicit stack; cycles are cut)."""
    done: dict[str, _Summary] = {}
    visiting: set[str] = set()
    for root in fragments:
        stack: list[tuple[str, bool]] = [(root, False)]
        while stack:
            name, ready = stack.pop()
            if ready:
                visiting.discard(name)
                fragment = fragments[name]
                on = lists.condition(fragment.type_condition, None)
                done[name] = _summarise(fragment.selection_set, on, done, limits, lists)
                continue
            if name in done or name in visiting:
                continue
            visiting.add(name)
            stack.append((name, True))
            stack.extend(
                (dependency, False)
                for dependency in spreads_of[name]
                if dependency in fragments
                and dependency not in done
                and dependency not in visiting
            )
    return done
