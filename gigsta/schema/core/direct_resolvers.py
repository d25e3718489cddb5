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

A field with a resolver of its own but no arguments, permission or extension
(`Booking.price`, `Booking.worker`, `Booking.availableActions`...) gets a
resolver that calls it as Strawberry would (the object as `self`, `root` or
`parent`, a Strawberry `Info` if it asks for one), without converting the
arguments it has none of or running the extension chain it has no links in.

A scalar or enum field resolved directly (a document field, a plain
attribute, a node's id, or a synchronous resolver that reads no `info`, such
as `Price.total`) also gets its `info` made once, not for every value, and is
completed in the executor's loop over an object's fields
(`ExecutionContext.execute_fields`): its value read and coerced in place,
with no `Path`, resolve-info or completion dispatch per value. A value
that would be an error (null where it may not be, a value the type cannot
coerce, a resolver that raises) takes graphql-core's own path, which reads it
again and reports it as it always has.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeGuard, cast

from graphql import (
    GraphQLEnumType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
    get_nullable_type,
    is_leaf_type,
)
from graphql.pyutils import Path, gather_with_cancel
from strawberry import relay
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types import Info
from strawberry.types.field import StrawberryField

from gigsta.schema.core.fields import DocumentField, resolver_of
from gigsta.schema.core.nodes import DocumentNode

if TYPE_CHECKING:
    from collections.abc import Callable

    from graphql import FieldNode, GraphQLField, GraphQLResolveInfo, GraphQLSchema
    from graphql.execution.collect_fields import GroupedFieldSet
    from graphql.pyutils import AwaitableOrValue

_DEFINITION = GraphQLCoreConverter.DEFINITION_BACKREF
_LEAF_INFO = "gigsta.leaf_info"


@dataclass(frozen=True, slots=True)
class LeafInfo:
    """The `info` of a scalar or enum field with a direct resolver, made once
    per field: the resolver reads nothing from it, and completing a leaf value
    reads only these two (to name the field in a non-null error)."""

    parent_type: GraphQLObjectType
    field_name: str
    # what the executor needs to complete a value in place
    resolve: Callable[[Any, Any], Any]
    coerce: Callable[[Any], Any]
    nullable: bool


class ExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's, giving the fields that have one their `LeafInfo` and
    completing their values in place."""

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        """graphql-core's loop over an object's fields (same order, same
        concurrency), with leaf fields of direct resolvers completed in place.
        Field middleware would wrap every resolver, so with it the loop is
        graphql-core's own."""
        if self.middleware_manager is not None:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        pending: list[str] = []
        fields = parent_type.fields
        try:
            for response_name, details in grouped_field_set.items():
                first = details[0]
                node = first.node
                field = fields.get(node.name.value)
                leaf = field.extensions.get(_LEAF_INFO) if field is not None else None
                if leaf is not None and not node.arguments:
                    value = _in_place(leaf, source_value)
                    if value is not Undefined:
                        results[response_name] = value
                        continue
                result = self.execute_field(
                    parent_type,
                    source_value,
                    details,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if self.is_awaitable(result):
                        pending.append(response_name)
        except Exception:
            if pending:
                self.settle_in_background([results[name] for name in pending])
            raise
        if not pending:
            return results

        async def get_results() -> dict[str, Any]:
            if len(pending) == 1:
                results[pending[0]] = await results[pending[0]]
            else:
                awaited = await gather_with_cancel(*(results[n] for n in pending))
                results.update(zip(pending, awaited, strict=True))
            return results

        return get_results()

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


def install(schema: GraphQLSchema, info_class: type[Info] = Info) -> None:
    """Give the schema's document fields, plain attributes, node ids and
    resolvers without arguments their direct resolvers. The schema has no
    exception handlers (Strawberry would wrap each resolver in them)."""
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
                    field.extensions[_LEAF_INFO] = _leaf_info(graphql_type, name, field)
            elif name == "id" and _has_plain_id(origin) and field.resolve:
                own = _own_node_id(graphql_type.name, origin)
                field.resolve = _node_id(own, field)
                field.extensions[_LEAF_INFO] = _leaf_info(
                    graphql_type, name, field, own
                )
            elif _plain_resolver(definition) and not field.args:
                field.resolve = _call_resolver(definition, info_class)
                if _is_leaf(field) and _reads_no_info(definition):
                    field.extensions[_LEAF_INFO] = _leaf_info(graphql_type, name, field)


def _leaf_info(
    parent_type: GraphQLObjectType,
    name: str,
    field: GraphQLField,
    resolve: Callable[[Any, Any], Any] | None = None,
) -> LeafInfo:
    """The field's `LeafInfo`: its value read by `resolve` (its resolver by
    default) and coerced by its type."""
    nullable = not isinstance(field.type, GraphQLNonNull)
    named = get_nullable_type(field.type)
    resolve = resolve or field.resolve
    assert resolve is not None
    assert isinstance(named, GraphQLScalarType | GraphQLEnumType)
    return LeafInfo(parent_type, name, resolve, named.coerce_output_value, nullable)


def _in_place(leaf: LeafInfo, source: Any) -> Any:
    """The field's completed value, or `Undefined` where completing it would
    be an error (graphql-core's path then reports it)."""
    try:
        value = leaf.resolve(source, leaf)
        if value is None:
            return None if leaf.nullable else Undefined
        if isinstance(value, Exception):
            return Undefined
        return leaf.coerce(value)
    except Exception:  # noqa: BLE001 - reported by graphql-core's path
        return Undefined


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


def _plain_resolver(definition: object) -> TypeGuard[StrawberryField]:
    """A field whose value is its resolver's, called with no arguments: no
    permission or extension, not a subscription."""
    return (
        isinstance(definition, StrawberryField)
        and definition.base_resolver is not None
        and callable(definition.base_resolver.wrapped_func)
        and not definition.extensions
        and not definition.arguments
        and not definition.is_subscription
    )


def _reads_no_info(definition: StrawberryField) -> bool:
    """A synchronous resolver that does not ask for `info`: its value can be
    read in place (a `LeafInfo` stands in for the info it never reads)."""
    resolver = definition.base_resolver
    return (
        resolver is not None
        and resolver.info_parameter is None
        and not resolver.is_async  # coroutine or async generator functions
    )


def _call_resolver(
    definition: StrawberryField, info_class: type[Info]
) -> Callable[..., Any]:
    """Strawberry's call of the field's resolver (`get_arguments`, then
    `StrawberryField.get_result`), for a resolver without arguments."""
    resolver = definition.base_resolver
    assert resolver is not None
    call = cast("Callable[..., Any]", resolver.wrapped_func)
    as_self = resolver.self_parameter is not None
    as_source = [
        parameter.name
        for parameter in (resolver.parent_parameter, resolver.root_parameter)
        if parameter is not None
    ]
    info_name = resolver.info_parameter.name if resolver.info_parameter else None

    def resolve(source: Any, info: GraphQLResolveInfo[Any]) -> Any:
        kwargs: dict[str, Any] = dict.fromkeys(as_source, source)
        if info_name is not None:
            kwargs[info_name] = info_class(_raw_info=info, _field=definition)
        return call(source, **kwargs) if as_self else call(**kwargs)

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


class _NotInPlace(Exception):  # noqa: N818 - a signal, not an error
    """The value takes graphql-core's path instead (`_in_place`)."""


def _own_node_id(
    type_name: str, origin: type[DocumentNode[Any]]
) -> Callable[[Any, Any], str]:
    """A node's global id for objects of `origin` (`type_name:<document id>`
    in base64, as `GlobalID` prints it); any other object raises `_NotInPlace`
    (in place it then takes graphql-core's path, and `_node_id` the general
    one)."""
    prefix = f"{type_name}:"

    def resolve(source: Any, _leaf: LeafInfo) -> str:
        if type(source) is not origin:
            raise _NotInPlace
        return base64.b64encode(f"{prefix}{source.doc.id}".encode()).decode()

    return resolve


def _node_id(own: Callable[[Any, Any], str], field: GraphQLField) -> Callable[..., Any]:
    """`relay.Node.id`: `own` for objects of the type's own class (see
    `_own_node_id`); anything else takes the usual path."""
    general = field.resolve
    assert general is not None

    def resolve(source: Any, info: GraphQLResolveInfo[Any], **kwargs: Any) -> Any:
        if not kwargs:
            try:
                return own(source, info)
            except _NotInPlace:
                pass
        return general(source, info, **kwargs)

    return resolve
