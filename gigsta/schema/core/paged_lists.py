"""How many objects a field selects, read from the schema and the request.

A field with a `first` (or `last`) argument is a paged list: it returns at
most that many objects, or the default page size when the argument is not
given, never more than the largest page. A field with an `ids` list
(`nodes`) returns one object per id given, at most the largest page. Every
other field counts as one object of its type. `DocumentLimits.max_objects`
multiplies these along each path of an operation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graphql import (
    GraphQLInterfaceType,
    GraphQLObjectType,
    IntValueNode,
    ListValueNode,
    OperationType,
    VariableNode,
    get_named_type,
)

from gigsta.resolvers.core.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

if TYPE_CHECKING:
    from collections.abc import Mapping

    from graphql import (
        FieldNode,
        GraphQLField,
        GraphQLNamedType,
        GraphQLSchema,
        NamedTypeNode,
        OperationDefinitionNode,
    )

_PAGE_ARGUMENTS = ("first", "last")
# An argument listing the objects to fetch: as many objects as it has items.
_IDS_ARGUMENT = "ids"


@dataclass(frozen=True)
class PagedLists:
    """The schema's field types, and the request's variables for a `first`
    given as one. Without a schema every field counts as one object."""

    schema: GraphQLSchema | None = None
    variables: Mapping[str, Any] = field(default_factory=dict)

    def root(self, operation: OperationDefinitionNode) -> GraphQLNamedType | None:
        if self.schema is None:
            return None
        return self.schema.get_root_type(OperationType(operation.operation.value))

    def condition(
        self, type_condition: NamedTypeNode | None, parent: GraphQLNamedType | None
    ) -> GraphQLNamedType | None:
        """The type a fragment selects on: its condition, or its parent's."""
        if type_condition is None or self.schema is None:
            return parent
        return self.schema.get_type(type_condition.name.value)

    def field(
        self, parent: GraphQLNamedType | None, node: FieldNode
    ) -> tuple[GraphQLNamedType | None, int | None]:
        """The field's type, and its page size if it is a paged list."""
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return None, None
        definition = parent.fields.get(node.name.value)
        if definition is None:
            return None, None
        return get_named_type(definition.type), self._page(definition, node)

    def _page(self, definition: GraphQLField, node: FieldNode) -> int | None:
        if _IDS_ARGUMENT in definition.args:
            return self._ids(node)
        if not any(name in definition.args for name in _PAGE_ARGUMENTS):
            return None
        for argument in node.arguments or ():
            if argument.name.value not in _PAGE_ARGUMENTS:
                continue
            value = argument.value
            given: object = None
            if isinstance(value, IntValueNode):
                given = int(value.value)
            elif isinstance(value, VariableNode):
                given = self.variables.get(value.name.value)
            if isinstance(given, int) and not isinstance(given, bool):
                return max(0, min(given, MAX_PAGE_SIZE))
        default = next(
            (
                definition.args[name].default_value
                for name in _PAGE_ARGUMENTS
                if name in definition.args
            ),
            None,
        )
        if isinstance(default, int) and not isinstance(default, bool):
            return min(default, MAX_PAGE_SIZE)
        return DEFAULT_PAGE_SIZE

    def _ids(self, node: FieldNode) -> int:
        """How many ids the field is given (a longer list is refused when the
        field runs, so it counts as the largest page)."""
        for argument in node.arguments or ():
            if argument.name.value != _IDS_ARGUMENT:
                continue
            value = argument.value
            if isinstance(value, ListValueNode):
                return min(len(value.values), MAX_PAGE_SIZE)
            if isinstance(value, VariableNode):
                given = self.variables.get(value.name.value)
                if isinstance(given, list):
                    return min(len(given), MAX_PAGE_SIZE)
                # A single value where a list is expected is a list of one.
                return 1
        return MAX_PAGE_SIZE
