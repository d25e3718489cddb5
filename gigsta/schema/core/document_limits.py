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
   the document, the depth, the number of fields and the number of aliases of
   every operation as if all its fragments were expanded.

A refused document never reaches validation or execution; the client gets
HTTP 400 and one error whose `extensions.code` says which bound it hit
(`QUERY_TOO_LARGE`, `QUERY_TOO_DEEP`, `QUERY_TOO_COMPLEX`, `TOO_MANY_ALIASES`).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSyntaxError,
    InlineFragmentNode,
    Lexer,
    OperationDefinitionNode,
    Source,
    Token,
)
from graphql.language.parser import Parser
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator

    from graphql import ASTValidationRule, DocumentNode, GraphQLSchema, SelectionSetNode

T = TypeVar("T")


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


TOO_LARGE = "QUERY_TOO_LARGE"

# Counts are clamped here, so a doubling document's 2^N stays a small number.
_SATURATED = 1 << 40


@dataclass(frozen=True)
class _Summary:
    depth: int = 0
    fields: int = 0
    aliases: int = 0


class DocumentTooExpensiveError(GraphQLError):
    """A document refused by a bound; `code` becomes `extensions.code`."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, extensions={"code": code})
        self.code = code


def check_source(query: str, limits: DocumentLimits) -> None:
    """The bound that needs no parsing: the document's size in bytes."""
    if len(query) > limits.max_bytes or len(query.encode()) > limits.max_bytes:
        raise DocumentTooExpensiveError(
            f"The document is larger than {limits.max_bytes} bytes.",
            TOO_LARGE,
        )


def check_document(document: DocumentNode, limits: DocumentLimits) -> None:
    """Raise `DocumentTooExpensiveError` if any operation exceeds a bound."""
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
    summaries = _fragment_summaries(fragments, spreads_of, limits)
    total_fields = 0
    for operation in operations:
        summary = _summarise(operation.selection_set, summaries, limits)
        _check_summary(summary, limits)
        total_fields += summary.fields
    if total_fields > limits.max_fields:
        raise _too_many_fields(limits)


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


def _summarise(
    selection_set: SelectionSetNode,
    fragments: dict[str, _Summary],
    limits: DocumentLimits,
) -> _Summary:
    """Depth, fields and aliases of `selection_set`, its named fragments taken
    from their (already computed) summaries. A spread of an unknown or cyclic
    fragment counts as nothing: validation reports it."""
    depth = fields = aliases = 0
    # (selection set, its nesting level, inside an introspection field)
    stack: list[tuple[SelectionSetNode, int, bool]] = [(selection_set, 0, False)]
    while stack:
        current, level, introspection = stack.pop()
        for selection in current.selections:
            if isinstance(selection, FieldNode):
                fields += 1
                aliases += selection.alias is not None
                inside = introspection or selection.name.value in {
                    "__schema",
                    "__type",
                }
                if not inside:
                    depth = max(depth, level + 1)
                # Deeper than the bound is refused anyway: stop descending.
                if selection.selection_set is not None and depth <= limits.max_depth:
                    stack.append((selection.selection_set, level + 1, inside))
            elif isinstance(selection, InlineFragmentNode):
                stack.append((selection.selection_set, level, introspection))
            elif isinstance(selection, FragmentSpreadNode):
                found = fragments.get(selection.name.value)
                if found is not None:
                    if not introspection:
                        depth = max(depth, level + found.depth)
                    fields = min(fields + found.fields, _SATURATED)
                    aliases = min(aliases + found.aliases, _SATURATED)
    return _Summary(depth=depth, fields=fields, aliases=aliases)


def _fragment_summaries(
    fragments: dict[str, FragmentDefinitionNode],
    spreads_of: dict[str, list[str]],
    limits: DocumentLimits,
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
                done[name] = _summarise(fragments[name].selection_set, done, limits)
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


def parse_acyclic(query: str, max_tokens: int) -> DocumentNode:
    """`graphql.parse`, leaving no reference cycle behind.

    The lexer chains every token to the one before and after it. That chain
    is a cycle, so a document (or the tokens of one that failed to parse) is
    not freed when its request ends but waits for the collector, and a burst
    of large documents makes one full collection stop the process for
    hundreds of milliseconds. Nothing after parsing follows the chain (a
    node's location keeps its own first and last token and the source), so
    it is cut, whether parsing succeeded or not."""
    source = Source(query)
    lexer = Lexer(source)
    try:
        try:
            return Parser(source, max_tokens=max_tokens, lexer=lexer).parse_document()
        except RecursionError:
            pass  # graphql-core's signal for nesting beyond its parser's bound
        # Raised outside the handler, as `graphql.parse` does, so the error
        # does not keep the recursion's frames alive as its context.
        raise GraphQLSyntaxError(
            source, lexer.token.start, "Document is nested too deeply. Parsing aborted."
        )
    finally:
        _unlink(lexer.token)


def _unlink(token: Token) -> None:
    following = token.next
    current: Token | None = token
    while current is not None:
        before = current.prev
        current.prev = current.next = None
        current = before
    while following is not None:
        after = following.next
        following.prev = following.next = None
        following = after


# Parsing and validating a document within the limits still costs up to tens
# of milliseconds of pure Python. Done in these threads, the event loop gets
# the interpreter back at every switch interval (5 ms) instead of waiting for
# the whole document: a burst of heavy documents no longer stalls /healthz.
# One thread: a second adds no throughput under the one interpreter lock, it
# only makes the event loop wait behind two threads instead of one (/healthz
# p99 under bursts of 1,200-field documents: 43-48 ms with one, 71-72 with
# two, `python -m bench.query_guard` on a loaded machine).
_WORKERS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="graphql-document")


async def _off_loop(work: Callable[[], T]) -> T:
    return await asyncio.get_running_loop().run_in_executor(_WORKERS, work)


class DocumentLimitsExtension(SchemaExtension):
    """Applies `DocumentLimits`: the size before parsing, the token budget
    while parsing, the rest before validation; parsing and validation run
    off the event loop."""

    limits = DocumentLimits()

    async def on_parse(self) -> AsyncIterator[None]:
        context = self.execution_context
        query = context.query
        if query is not None and context.graphql_document is None:
            check_source(query, self.limits)
            try:
                # Counts comments too, so a comment-padded document is bounded.
                context.graphql_document = await _off_loop(
                    partial(parse_acyclic, query, self.limits.max_tokens)
                )
            except GraphQLError as error:
                # The parser's own bounds (tokens, nesting) end their message
                # with "Parsing aborted."; they get a too-large document's code.
                if error.message.endswith("Parsing aborted."):
                    error.extensions = {**(error.extensions or {}), "code": TOO_LARGE}
                # Without the parser's frames, which hold what it had built:
                # the error ends up in a cycle with the execution context.
                raise error.with_traceback(None) from None
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            rules = tuple(context.validation_rules)
            schema = context.schema._schema
            # Set before strawberry's own validation step, which then skips.
            context.pre_execution_errors = await _off_loop(
                partial(self._check_and_validate, schema, document, rules)
            )
        yield

    def _check_and_validate(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        rules: tuple[type[ASTValidationRule], ...],
    ) -> list[GraphQLError]:
        try:
            check_document(document, self.limits)
        except DocumentTooExpensiveError as refused:
            # Without its traceback: the frames in it hold the document, and
            # the frame that caught it holds the error, a cycle that would
            # keep every refused document alive until a full collection.
            return [refused.with_traceback(None)]
        return validate_document(schema, document, rules)
