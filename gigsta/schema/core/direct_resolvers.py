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

Fields resolved directly get what the executor needs to complete their
values in its own loop (`gigsta.schema.core.executor`): a scalar's or enum's
`LeafInfo`, an object's or a list of objects' `InPlace`.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any, TypeGuard, cast

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    get_nullable_type,
    is_leaf_type,
)
from strawberry import relay
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types import Info
from strawberry.types.field import StrawberryField

from gigsta.schema.core.executor import IN_PLACE, LEAF_INFO, InPlace, LeafInfo
from gigsta.schema.core.fields import DocumentField, resolver_of
from gigsta.schema.core.nodes import DocumentNode

if TYPE_CHECKING:
    from collections.abc import Callable

    from graphql import (
        GraphQLField,
        GraphQLResolveInfo,
        GraphQLSchema,
    )

_DEFINITION = GraphQLCoreConverter.DEFINITION_BACKREF


def install(schema: GraphQLSchema, info_class: type[Info] = Info) -> None:
    """Give the schema's document fields, plain attributes, node ids and
    resolvers without arguments their direct resolvers. The schema has no
    exception handlers (Strawberry would wrap each resolver in them)."""
    for graphql_type in schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType):
            continue
        origin = getattr(graphql_type.extensions.get(_DEFINITION), "origin", None)
        for name, field in graphql_type.fields.items():
            _install_field(graphql_type, origin, name, field, info_class)


def _install_field(
    graphql_type: GraphQLObjectType,
    origin: object,
    name: str,
    field: GraphQLField,
    info_class: type[Info],
) -> None:
    """The field's direct resolver, if it may have one, and what the executor
    needs to complete its value in place (`LeafInfo` or `InPlace`)."""
    definition = field.extensions.get(_DEFINITION)
    leaf_in_place = True
    if _is_basic(field):
        if isinstance(definition, DocumentField):
            field.resolve = resolver_of(definition)
        elif _reads_attribute(definition):
            field.resolve = _attribute(definition.python_name)
        else:
            return
    elif name == "id" and _has_plain_id(origin) and field.resolve:
        own = _own_node_id(graphql_type.name, origin)
        field.resolve = _node_id(own, field)
        field.extensions[LEAF_INFO] = _leaf_info(graphql_type, name, field, own)
        return
    elif _plain_resolver(definition) and not field.args:
        field.resolve = _call_resolver(definition, info_class)
        if _is_async(definition):
            return
        # a leaf whose resolver asks for no `info` (a `LeafInfo` stands in)
        leaf_in_place = _asks_no_info(definition)
    else:
        return
    if not _is_leaf(field):
        _mark_in_place(field)
    elif leaf_in_place:
        field.extensions[LEAF_INFO] = _leaf_info(graphql_type, name, field)


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


def _mark_in_place(field: GraphQLField) -> None:
    """Give an object field, or a list of objects, its `InPlace` (not a list
    of lists, an interface or a union)."""
    nullable = not isinstance(field.type, GraphQLNonNull)
    kind = get_nullable_type(field.type)
    if isinstance(kind, GraphQLObjectType):
        field.extensions[IN_PLACE] = InPlace(
            field, kind, field.type, False, nullable, items_nullable=nullable
        )
    elif isinstance(kind, GraphQLList):
        item = kind.of_type
        named = get_nullable_type(item)
        if isinstance(named, GraphQLObjectType):
            items_nullable = not isinstance(item, GraphQLNonNull)
            field.extensions[IN_PLACE] = InPlace(
                field, named, item, True, nullable, items_nullable
            )


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


def _is_async(definition: StrawberryField) -> bool:
    """A coroutine or async generator function's field."""
    resolver = definition.base_resolver
    return resolver is not None and resolver.is_async


def _asks_no_info(definition: StrawberryField) -> bool:
    resolver = definition.base_resolver
    return resolver is not None and resolver.info_parameter is None


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
    if as_self and not as_source:  # a method: the common case, called plainly
        return _method_call(call, info_name, definition, info_class)

    def resolve(source: Any, info: GraphQLResolveInfo[Any]) -> Any:
        kwargs: dict[str, Any] = dict.fromkeys(as_source, source)
        if info_name is not None:
            kwargs[info_name] = info_class(_raw_info=info, _field=definition)
        return call(source, **kwargs) if as_self else call(**kwargs)

    return resolve


def _method_call(
    call: Callable[..., Any],
    info_name: str | None,
    definition: StrawberryField,
    info_class: type[Info],
) -> Callable[..., Any]:
    """`_call_resolver` for a method taking only `self`, or `self` and an
    `Info`: no keyword dictionary built for each call."""
    if info_name is None:

        def resolve(source: Any, _info: GraphQLResolveInfo[Any]) -> Any:
            return call(source)

        return resolve

    def resolve_with_info(source: Any, info: GraphQLResolveInfo[Any]) -> Any:
        strawberry_info = info_class(_raw_info=info, _field=definition)
        return call(source, **{info_name: strawberry_info})

    return resolve_with_info


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
