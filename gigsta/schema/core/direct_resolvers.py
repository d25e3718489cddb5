"""Resolvers the executor calls directly, for the fields every object has.

Strawberry wraps each field's resolver for generality: a `doc_field` (no
resolver) costs two calls before its value is read, and a Relay `Node.id`
goes through the whole resolver path (argument parsing, an `Info`, the
field-extension chain, a `GlobalID` object) for two attribute reads. These
two kinds are most of the fields of a page, so once the schema is built
their GraphQL fields get resolvers that compute the same value directly (as
do the plain attribute fields, such as a price's or an action's). The schema
itself (types, descriptions, SDL) is untouched; a field with a permission,
an extension or its own `resolve_id` keeps Strawberry's path.

A scalar or enum field resolved directly also gets its `info` made once, not
for every value (`ExecutionContext`): its resolver reads nothing from it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeGuard

from graphql import GraphQLNonNull, GraphQLObjectType, is_leaf_type
from strawberry import relay
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from gigsta.schema.core.fields import DocumentField, resolver_of
from gigsta.schema.core.nodes import DocumentNode

if TYPE_CHECKING:
    from collections.abc import Callable

    from graphql import FieldNode, GraphQLField, GraphQLResolveInfo, GraphQLSchema
    from graphql.pyutils import Path

_DEFINITION = GraphQLCoreConverter.DEFINITION_BACKREF
_LEAF_INFO = "gigsta.leaf_info"


@dataclass(frozen=True, slots=True)
class LeafInfo:
    """The `info` of a scalar or enum field with a direct resolver, made once
    per field: the resolver reads nothing from it, and completing a leaf value
    reads only these two (to name the field in a non-null error)."""

    parent_type: GraphQLObjectType
    field_name: str


class ExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's, giving the fields that have one their `LeafInfo`."""

    def build_resolve_info(
        self,
        field_def: GraphQLField,
        field_nodes: list[FieldNode],
        parent_type: GraphQLObjectType,
        path: Path,
    ) -> GraphQLResolveInfo[Any]:
        leaf: GraphQLResolveInfo[Any] | None = field_def.extensions.get(_LEAF_INFO)
        if leaf is not None:
            return leaf
        return super().build_resolve_info(field_def, field_nodes, parent_type, path)


def install(schema: GraphQLSchema) -> None:
    """Give the schema's document fields, plain attributes and node ids their
    direct resolvers."""
    for graphql_type in schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType):
            continue
        origin = getattr(graphql_type.extensions.get(_DEFINITION), "origin", None)
        for name, field in graphql_type.fields.items():
            definition = field.extensions.get(_DEFINITION)
            if _is_basic(field):
                if isinstance(definition, DocumentField):
                    field.resolve = resolver_of(definition)
                elif _reads_attribute(definition):
                    field.resolve = _attribute(definition.python_name)
                else:
                    continue
                if _is_leaf(field):
                    field.extensions[_LEAF_INFO] = LeafInfo(graphql_type, name)
            elif name == "id" and _has_plain_id(origin) and field.resolve:
                field.resolve = _node_id(graphql_type.name, origin, field)


def _is_basic(field: GraphQLField) -> bool:
    """Strawberry resolves the field on its path for fields without resolver,
    permission, extension or exception handler: only the value is read."""
    return bool(getattr(field.resolve, "_is_default", False))


def _is_leaf(field: GraphQLField) -> bool:
    """A scalar or enum (not a list of them): completing its value reads
    nothing else of `info`."""
    kind = field.type
    if isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    return is_leaf_type(kind)


def _reads_attribute(definition: object) -> TypeGuard[StrawberryField]:
    """A field whose value is its object's attribute of the same name."""
    return (
        type(definition) is StrawberryField and definition.default_resolver is getattr
    )


def _attribute(python_name: str) -> Callable[..., Any]:
    def resolve(source: Any, _info: GraphQLResolveInfo[Any]) -> Any:
        return getattr(source, python_name)

    return resolve


def _has_plain_id(origin: object) -> TypeGuard[type[DocumentNode[Any]]]:
    """A `DocumentNode` type whose global id is the one `relay.Node` makes of
    its name and `resolve_id` (the document's id)."""
    return (
        isinstance(origin, type)
        and issubclass(origin, DocumentNode)
        and origin.resolve_id.__func__ is DocumentNode.resolve_id.__func__  # type: ignore[attr-defined]
        and origin.resolve_typename.__func__  # type: ignore[attr-defined]
        is relay.Node.resolve_typename.__func__  # type: ignore[attr-defined]
    )


def _node_id(
    type_name: str, origin: type[DocumentNode[Any]], field: GraphQLField
) -> Callable[..., Any]:
    """`relay.Node.id` for objects of `origin` (`type_name:<document id>` in
    base64, as `GlobalID` prints it); anything else takes the usual path."""
    general = field.resolve
    assert general is not None
    prefix = f"{type_name}:"

    def resolve(source: Any, info: GraphQLResolveInfo[Any], **kwargs: Any) -> Any:
        if type(source) is not origin or kwargs:
            return general(source, info, **kwargs)
        node_id = f"{prefix}{source.doc.id}"
        return base64.b64encode(node_id.encode()).decode()

    return resolve
