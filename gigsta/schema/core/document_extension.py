"""The schema extension that applies `DocumentLimits` to every request.

The size is checked before parsing, the token budget while parsing, the rest
before validation; parsing and validation run in a worker thread, off the
event loop, and leave no reference cycle behind.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from graphql import GraphQLError, GraphQLSyntaxError, Lexer, Source, Token
from graphql.language.parser import Parser
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from gigsta.schema.core.context import Context
from gigsta.schema.core.document_cache import DocumentCache
from gigsta.schema.core.document_limits import (
    TOO_LARGE,
    DocumentLimits,
    DocumentTooExpensiveError,
    MaxCostExceededError,
    check_document,
    check_source,
)
from gigsta.schema.core.paged_lists import PagedLists

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from graphql import ASTValidationRule, DocumentNode, GraphQLSchema

T = TypeVar("T")


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
    # Shared by every request of the process (see `document_cache`).
    cache = DocumentCache()

    async def on_parse(self) -> AsyncIterator[None]:
        context = self.execution_context
        query = context.query
        if query is not None and context.graphql_document is None:
            known = self.cache.parsed(context.schema._schema, query)
            if known is not None:
                context.graphql_document = known
                yield
                return
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
            variables = context.variables
            lists = PagedLists(schema, variables if isinstance(variables, dict) else {})
            query = context.query or ""
            # Set before strawberry's own validation step, which then skips.
            operation = context.operation_name
            if self.cache.is_valid(schema, query, rules):
                # Valid once, valid again: only the limits that depend on the
                # variables are left, a walk too short to leave the loop for.
                errors, costs = self._check(document, lists, operation)
            else:
                errors, costs = await _off_loop(
                    partial(
                        self._check_and_validate,
                        schema,
                        document,
                        rules,
                        lists,
                        operation,
                    )
                )
                if not errors and query:
                    self.cache.keep(schema, query, document, rules)
            context.pre_execution_errors = errors
            _record_cost(context.context, costs, operation)
        yield

    def _check(
        self, document: DocumentNode, lists: PagedLists, operation: str | None
    ) -> tuple[list[GraphQLError], dict[str | None, int]]:
        """The limits' refusal, if any, and each operation's cost."""
        try:
            costs = check_document(document, self.limits, lists)
        except DocumentTooExpensiveError as refused:
            # Without its traceback: the frames in it hold the document, and
            # the frame that caught it holds the error, a cycle that would
            # keep every refused document alive until a full collection.
            costs = {}
            if isinstance(refused, MaxCostExceededError):
                costs = {operation: refused.cost}
            return [refused.with_traceback(None)], costs
        return [], costs

    def _check_and_validate(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        rules: tuple[type[ASTValidationRule], ...],
        lists: PagedLists,
        operation: str | None,
    ) -> tuple[list[GraphQLError], dict[str | None, int]]:
        errors, costs = self._check(document, lists, operation)
        return errors or validate_document(schema, document, rules), costs


def _record_cost(
    context: object, costs: dict[str | None, int], operation: str | None
) -> None:
    """The executed operation's cost, for `QueryCostExtension`."""
    if not isinstance(context, Context):
        return
    if operation in costs:
        context.query_cost = costs[operation]
