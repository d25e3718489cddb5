"""The executor: graphql-core's, with the values of fields that have a
direct resolver (`gigsta.schema.core.direct_resolvers`) completed in its loop
over an object's fields (`ExecutionContext.execute_fields`).

A scalar or enum field resolved directly (a document field, a plain
attribute, a node's id, or a synchronous resolver that reads no `info`, such
as `Price.total`) has its `info` made once, not for every value, and its
value read and coerced in place, with no `Path`, resolve-info or completion
dispatch per value (`LeafInfo`). A value that would be an error (null where
it may not be, a value the type cannot coerce, a resolver that raises) takes
graphql-core's own path, which reads it again and reports it as it always
has.

An object field, or a list of objects, whose resolver is direct and
synchronous (`Edge.node`, `Connection.edges`, `Booking.price`,
`Booking.worker` once its worker is loaded, `Booking.availableActions`) is
completed in that loop too (`InPlace`): its value is checked as
`complete_value` would (null, an error, not of the type: graphql-core's path
again), then its own fields are executed at once; an awaitable value is
completed by graphql-core when it is there. Errors below it are handled as
`execute_field` handles them, at the same paths. Such a resolver's `info` is
made once per place in the query: its path is the first value's (no resolver
of ours reads `info.path`; errors carry their own).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graphql import GraphQLObjectType, GraphQLResolveInfoHelpers, Undefined
from graphql.execution.executor import to_nodes
from graphql.pyutils import Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from graphql import (
        FieldNode,
        GraphQLField,
        GraphQLOutputType,
        GraphQLResolveInfo,
    )
    from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
    from graphql.pyutils import AwaitableOrValue

# where a field keeps its `LeafInfo` or `InPlace` (its `extensions`)
LEAF_INFO = "gigsta.leaf_info"
IN_PLACE = "gigsta.in_place"


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


@dataclass(frozen=True, slots=True)
class InPlace:
    """An object field (or a list of objects) with a direct resolver, whose
    value the executor completes in its loop over the parent's fields."""

    field: GraphQLField
    object_type: GraphQLObjectType
    # the type of each object completed: the field's, or its list's items'
    value_type: GraphQLOutputType
    is_list: bool
    nullable: bool
    items_nullable: bool


class ExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's, giving the fields that have one their `LeafInfo` and
    completing their values in place."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the `info` of each field completed in place, by its field group
        self._shared_infos: dict[int, GraphQLResolveInfo[Any]] = {}
        # graphql-core's helpers hold the executor's own bound methods, so
        # every executor, and all it refers to (the request's context, its
        # loaders and their documents), was garbage only the collector could
        # free; these reach the executor through a weak reference instead.
        self.async_helpers = GraphQLResolveInfoHelpers(
            gather=_gather, track=_tracker(weakref.ref(self))
        )

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        """graphql-core's loop over an object's fields (same order, same
        concurrency), with the fields of direct resolvers completed in place.
        Field middleware would wrap every resolver, so with it the loop is
        graphql-core's own."""
        if self.middleware_manager is not None:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        pending: list[str] = []
        fields = parent_type.fields
        in_place = position_context is None  # no @defer around these fields
        try:
            for response_name, details in grouped_field_set.items():
                node = details[0].node
                field = fields.get(node.name.value)
                extensions = field.extensions if field is not None else {}
                leaf = extensions.get(LEAF_INFO)
                if leaf is not None and not node.arguments:
                    value = _in_place(leaf, source_value)
                    if value is not Undefined:
                        results[response_name] = value
                        continue
                composite = extensions.get(IN_PLACE) if in_place else None
                field_path = Path(path, response_name, parent_type.name)
                result: Any = Undefined
                if composite is not None and not (node.arguments or node.directives):
                    # (a directive there may be @stream)
                    result = self.complete_in_place(
                        composite, parent_type, source_value, details, field_path
                    )
                if result is Undefined:
                    result = self.execute_field(
                        parent_type, source_value, details, field_path, position_context
                    )
                if result is not Undefined:
                    results[response_name] = result
                    if self.is_awaitable(result):
                        pending.append(response_name)
        except Exception:
            if pending:
                self.settle_in_background([results[name] for name in pending])
            raise
        return _settled(results, pending) if pending else results

    def complete_in_place(
        self,
        composite: InPlace,
        parent_type: GraphQLObjectType,
        source: Any,
        details: FieldDetailsList,
        field_path: Path,
    ) -> Any:
        """`execute_field` for an object field (or a list of objects) with a
        direct resolver at `field_path` (its response name's: the alias, if
        any), without its dispatch: the value's fields executed at once.
        `Undefined` where the value would be an error or is not plainly of
        the type (graphql-core's path then reports it, resolving the field
        again)."""
        info = self._shared_infos.get(id(details))
        if info is None:
            nodes = to_nodes(details)
            info = super().build_resolve_info(
                composite.field, nodes, parent_type, field_path
            )
            self._shared_infos[id(details)] = info
        assert composite.field.resolve is not None
        try:
            value = composite.field.resolve(source, info)
        except Exception:  # noqa: BLE001 - reported by graphql-core's path
            return Undefined
        if self.is_awaitable(value):  # completed when it is there
            return self.complete_awaitable_value(
                composite.field.type, details, info, field_path, value, None
            )
        items = self._plain_objects(composite, value, info)
        if items is None:
            return None if value is None and composite.nullable else Undefined
        grouped, defer_usages, _ = self.collect_subfields(
            composite.object_type, details
        )
        if defer_usages:
            return Undefined
        if not composite.is_list:
            return self._object_value(composite, value, grouped, details, field_path)
        return self._list_value(composite, items, grouped, details, field_path)

    def _plain_objects(
        self, composite: InPlace, value: Any, info: GraphQLResolveInfo[Any]
    ) -> list[Any] | None:
        """The objects of a field's value (it, or its items), or None when
        completing it would be an error or is not plain: null where it may not
        be, an error, a list that is not a list or tuple, an object not of the
        type."""
        if value is None or isinstance(value, Exception):
            return None
        if composite.is_list and not isinstance(value, list | tuple):
            return None
        items = list(value) if composite.is_list else [value]
        is_type_of = composite.object_type.is_type_of
        for item in items:
            if item is None:
                if not composite.items_nullable:
                    return None
            elif is_type_of and is_type_of(item, info) is not True:
                return None
        return items

    def _object_value(
        self,
        composite: InPlace,
        value: Any,
        grouped: GroupedFieldSet,
        details: FieldDetailsList,
        path: Path,
    ) -> Any:
        """The completed object `value` at `path`, as `complete_value` would
        give it (an error in it handled as `execute_field` handles one)."""
        value_type = composite.value_type
        try:
            completed = self.execute_fields(
                composite.object_type, value, path, grouped, None
            )
        except Exception as error:  # noqa: BLE001 - as `execute_field` does
            self.handle_field_error(error, value_type, details, path)
            return None
        if not self.is_awaitable(completed):
            return completed

        async def await_completed() -> Any:
            try:
                return await completed
            except Exception as error:  # noqa: BLE001 - as `execute_field` does
                self.handle_field_error(error, value_type, details, path)
                return None

        return await_completed()

    def _list_value(
        self,
        composite: InPlace,
        items: list[Any],
        grouped: GroupedFieldSet,
        details: FieldDetailsList,
        path: Path,
    ) -> Any:
        """The completed list of objects `items` at `path`, as
        `complete_list_value` would give it."""
        list_type = composite.field.type
        completed: list[Any] = []
        awaiting: list[int] = []
        try:
            for index, item in enumerate(items):
                if item is None:
                    completed.append(None)
                    continue
                item_path = path.add_key(index, None)
                value = self._object_value(composite, item, grouped, details, item_path)
                if self.is_awaitable(value):
                    awaiting.append(index)
                completed.append(value)
        except Exception as error:  # noqa: BLE001 - as `complete_list_value` does
            if awaiting:
                self.settle_in_background([completed[i] for i in awaiting])
            self.handle_field_error(error, list_type, details, path)
            return None
        if not awaiting:
            return completed

        async def await_items() -> list[Any] | None:
            try:
                awaited = await gather_with_cancel(*(completed[i] for i in awaiting))
            except Exception as error:  # noqa: BLE001 - as `execute_field` does
                self.handle_field_error(error, list_type, details, path)
                return None
            for index, value in zip(awaiting, awaited, strict=True):
                completed[index] = value
            return completed

        return await_items()

    def build_resolve_info(
        self,
        field_def: GraphQLField,
        field_nodes: list[FieldNode],
        parent_type: GraphQLObjectType,
        path: Path,
    ) -> GraphQLResolveInfo[Any]:
        leaf: GraphQLResolveInfo[Any] | None = field_def.extensions.get(LEAF_INFO)
        if leaf is not None:
            return leaf
        return super().build_resolve_info(field_def, field_nodes, parent_type, path)


def _gather(values: Sequence[Awaitable[Any]]) -> Awaitable[list[Any]]:
    """`info.async_helpers.gather`, as graphql-core's executor gathers."""
    return gather_with_cancel(*values)


def _tracker(
    executor: weakref.ref[ExecutionContext],
) -> Callable[[Sequence[Any]], None]:
    """`info.async_helpers.track` of the executor, while it exists (it does
    for as long as its operation runs)."""

    def track(values: Sequence[Any]) -> None:
        found = executor()
        if found is not None:
            found.track_async_work(values)

    return track


async def _settled(results: dict[str, Any], pending: list[str]) -> dict[str, Any]:
    """`results` once the values of its `pending` fields are there (gathered
    as graphql-core gathers them)."""
    if len(pending) == 1:
        results[pending[0]] = await results[pending[0]]
    else:
        awaited = await gather_with_cancel(*(results[n] for n in pending))
        results.update(zip(pending, awaited, strict=True))
    return results


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
