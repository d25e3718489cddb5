"""Parsed and validated documents, kept for the next request with the same text.

Clients send the same few documents over and over (the web app's operations,
a partner's queries, persisted queries). Parsing and validating one again costs
0.5-3 ms of pure Python per request, so a document that parsed and passed
validation is kept, keyed by its text and the schema it was validated against
(a schema built anew, as each test's app is, starts with no entries of its
own). Only successes are kept: a document that failed gets the same errors
from the full work again, so a cached entry never hides a refusal.

Strawberry's `ParserCache` and `ValidationCache` would do this too, but they
parse on the event loop without our token budget, and key validation on the
parsed document (hashing the whole tree on every request); this one is used by
`DocumentLimitsExtension`, after its limits, and costs one dict look-up.

Bounded by entries and by the characters of the documents kept, least
recently used first out, so clients sending many distinct documents cannot
grow the process.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from threading import Lock
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graphql import ASTValidationRule, DocumentNode, GraphQLSchema

MAX_ENTRIES = 1_000
MAX_CHARACTERS = 4_000_000


@dataclass
class _Entry:
    # Held, so the id in the key cannot be reused by another schema while
    # this entry lives.
    schema: GraphQLSchema
    document: DocumentNode
    # The rule sets this document passed (introspection off adds a rule).
    valid_under: set[tuple[type[ASTValidationRule], ...]] = field(default_factory=set)


class DocumentCache:
    """Documents by (schema, text): parsed, and the rule sets they passed."""

    def __init__(
        self, max_entries: int = MAX_ENTRIES, max_characters: int = MAX_CHARACTERS
    ) -> None:
        self.max_entries = max_entries
        self.max_characters = max_characters
        self._entries: OrderedDict[tuple[int, str], _Entry] = OrderedDict()
        self._characters = 0
        # Parsing and validation run in a worker thread; look-ups on the loop.
        self._lock = Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def parsed(self, schema: GraphQLSchema, query: str) -> DocumentNode | None:
        with self._lock:
            entry = self._entries.get((id(schema), query))
            if entry is None:
                return None
            self._entries.move_to_end((id(schema), query))
            return entry.document

    def is_valid(
        self,
        schema: GraphQLSchema,
        query: str,
        rules: tuple[type[ASTValidationRule], ...],
    ) -> bool:
        with self._lock:
            entry = self._entries.get((id(schema), query))
            return entry is not None and rules in entry.valid_under

    def keep(
        self,
        schema: GraphQLSchema,
        query: str,
        document: DocumentNode,
        rules: tuple[type[ASTValidationRule], ...],
    ) -> None:
        """Remember that `query` parsed to `document` and passed `rules`."""
        if len(query) > self.max_characters:
            return
        key = (id(schema), query)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                entry = _Entry(schema=schema, document=document)
                self._entries[key] = entry
                self._characters += len(query)
            entry.valid_under.add(rules)
            self._entries.move_to_end(key)
            while (
                len(self._entries) > self.max_entries
                or self._characters > self.max_characters
            ):
                (_, text), _ = self._entries.popitem(last=False)
                self._characters -= len(text)
