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
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any, TypeGuard

from graphql import GraphQLObjectType
from strawberry import relay
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from gigsta.schema.core.fields import DocumentField, resolver_of
from gigsta.schema.core.nodes import DocumentNode

if TYPE_CHECKING:
    from collections.abc import Callable

    from graphql import GraphQLField, GraphQLResolveInfo, GraphQLSchema

_DEFINITION = GraphQLCoreConverter.DEFINITION_BACKREF


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
            elif name == "id" and _has_plain_id(origin) and field.resolve:
                field.resolve = _node_id(graphql_type.name, origin, field)


def _is_basic(field: GraphQLField) -> bool:
    """Strawberry resolves the field on its path for fields without resolver,
    permission, extension or exception handler: only the value is read."""
    return bool(getattr(field.resolve, "_is_default", False))


def _reads_attribute(definition: object) -> TypeGuard[StrawberryField]:
    """A field whose value is its object's attribute of the same name."""
    return (
        type(definition) is StrawberryField and definition.default_resolver is getattr
    )


def _attribute(python_name: str) -> Callable[..., Any]:
    def resolve(source: Any, _info: GraphQLResolveInfo[Any]) -> Any:
        return getattr(source, python_name)

    return resolve


def _has_plain_id(origin: object) -> TypeGuard[type[DocumentNode]]:
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
    type_name: str, origin: type[DocumentNode], field: GraphQLField
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
