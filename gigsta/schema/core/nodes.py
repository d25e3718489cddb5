"""Which GraphQL type shows which document, Relay's global ids, and the
`node`/`nodes` root fields.

Each object type registers itself for its document class. A field can then
return a type defined in a domain above its own (`Worker.bookings` returns
`Booking`) without importing it at run time: the GraphQL graph has cycles, the
module graph does not. `node(id:)` resolves through the same registry, by the
type name inside the id.

A global id is Relay's: the type's name and the document's id, together in
base64 (`strawberry.relay.GlobalID`). Clients must treat it as opaque; we only
accept ids exactly as we made them, naming a registered type.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    ClassVar,
    Generic,
    Self,
    TypeVar,
    cast,
    get_args,
    get_origin,
)

import strawberry
from strawberry import relay
from strawberry.relay.types import GlobalIDValueError

from gigsta.domain.core import ClientError, ErrorCode, UserError
from gigsta.resolvers.core.ids import parse_object_id
from gigsta.schema.core.context import Info
from gigsta.schema.core.dataloaders import BookingByIdLoader, by_id

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from beanie import Document, PydanticObjectId
    from strawberry.dataloader import DataLoader

    from gigsta.documents import Booking
    from gigsta.domain.accounts import Viewer

    InBookingRule = Callable[[Viewer | None, Any, Booking | None], bool]

D = TypeVar("D", bound="Document")

# How many ids one `nodes` may ask for: the largest page of any list.
MAX_NODE_IDS = 100
# Our ids are under 50 characters; a longer one was not made by us.
MAX_ID_LENGTH = 200

_TYPE_OF: dict[type[Any], type[Any]] = {}
_NODES: list[type[DocumentNode[Any]]] = []
_NODE_BY_NAME: dict[str, type[DocumentNode[Any]]] = {}


def node_of(doc: Any) -> Any:
    """The GraphQL object for a document, of the type that shows its class."""
    return _TYPE_OF[type(doc)](doc=doc)


def type_name(cls: type[Any] | str) -> str:
    """The GraphQL name of a Strawberry type (a name is taken as it is: a
    domain may not import the types of the domains above it)."""
    if isinstance(cls, str):
        return cls
    name: str = cls.__strawberry_definition__.name
    return name


def node_named(name: str) -> type[DocumentNode[Any]] | None:
    """The node type of this GraphQL name (known once the schema is built:
    a type is named by its `@strawberry.type`, after its class is made)."""
    if len(_NODE_BY_NAME) < len(_NODES):
        _NODE_BY_NAME.update((type_name(cls), cls) for cls in _NODES)
    return _NODE_BY_NAME.get(name)


def _anyone(viewer: Viewer | None, _: Any) -> bool:
    return True


@dataclasses.dataclass(kw_only=True)
class DocumentNode(relay.Node, Generic[D]):
    """A Relay `Node` showing one stored document of class `D`, its `doc`:
    its global id is made of the type's name and the document's id.

    `class Customer(DocumentNode[CustomerDoc], loader=..., may_see_id=...)`
    declares the type's `doc`, registers the type for `CustomerDoc` (for
    `node_of` and `node(id:)`), and sets how `node(id:)` loads and filters
    its documents (see `visible_nodes`)."""

    # Typed here; Strawberry, which reads the annotations of each type's
    # module, gets `Private[ItsDocument]` from `__init_subclass__`.
    doc: strawberry.Private[D]

    # The request's loader of the type's documents by id (by default, one of
    # its own); a type whose rule needs more than its document overrides
    # `visible_nodes` instead.
    by_id_loader: ClassVar[Callable[[], DataLoader[PydanticObjectId, Any]]]
    # Whether the viewer may see the document of this id, asked before it is
    # loaded, and whether they may see the loaded document (by default: yes).
    may_see_id: ClassVar[Callable[[Viewer | None, PydanticObjectId], bool]]
    may_see: ClassVar[Callable[[Viewer | None, Any], bool]]
    # For a document of a booking (`doc.booking_id`, or none): whether the
    # viewer may see it, by a rule that reads the booking too. The objects of
    # such a type read their times in their booking's zone (UTC without one).
    may_see_in_booking: ClassVar[InBookingRule | None] = None

    def __init_subclass__(
        cls,
        *,
        loader: Callable[[], DataLoader[PydanticObjectId, Any]] | None = None,
        may_see_id: Callable[[Viewer | None, PydanticObjectId], bool] = _anyone,
        may_see: Callable[[Viewer | None, Any], bool] = _anyone,
        may_see_in_booking: InBookingRule | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        # Each type subclasses `DocumentNode[ItsDocument]` itself.
        (document,) = next(
            get_args(base)
            for base in cls.__dict__["__orig_bases__"]
            if get_origin(base) is DocumentNode
        )
        own = inspect.get_annotations(cls)
        private: Any = strawberry.Private
        cls.__annotations__ = {"doc": private[document], **own}
        cls.by_id_loader = loader or by_id(document)
        cls.may_see_id = staticmethod(may_see_id)
        cls.may_see = staticmethod(may_see)
        if may_see_in_booking is not None:
            cls.may_see_in_booking = staticmethod(may_see_in_booking)
        _TYPE_OF[document] = cls
        _NODES.append(cls)

    @classmethod
    def resolve_id(cls, root: Self, *, info: Any) -> str:
        return str(root.doc.id)

    @classmethod
    async def visible_nodes(
        cls, info: Info, ids: Sequence[PydanticObjectId]
    ) -> Sequence[Self | None]:
        """The objects of these ids in order, None for those that do not exist
        or the viewer may not see (the rule of the type's own root field).
        Through the request's DataLoaders: a constant number of queries, and
        only the ids the viewer may see are asked for."""
        viewer = info.context.viewer
        wanted = [oid for oid in ids if cls.may_see_id(viewer, oid)]
        loaded = await info.context.loader(cls.by_id_loader).load_many(wanted)
        docs = {
            oid: doc
            for oid, doc in zip(wanted, loaded, strict=True)
            if doc is not None and cls.may_see(viewer, doc)
        }
        if cls.may_see_in_booking is None:
            shown = {oid: cls(doc=doc) for oid, doc in docs.items()}
        else:
            shown = await cls._shown_in_bookings(info, docs, cls.may_see_in_booking)
        return [shown.get(oid) for oid in ids]

    @classmethod
    async def _shown_in_bookings(
        cls, info: Info, docs: dict[PydanticObjectId, Any], rule: InBookingRule
    ) -> dict[PydanticObjectId, Self]:
        """The documents the rule shows, given their bookings (one query)."""
        booking_ids = [doc.booking_id for doc in docs.values() if doc.booking_id]
        loaded = await info.context.loader(BookingByIdLoader).load_many(booking_ids)
        bookings = {booking.id: booking for booking in loaded if booking is not None}
        shown: dict[PydanticObjectId, Self] = {}
        for oid, doc in docs.items():
            booking = bookings.get(doc.booking_id) if doc.booking_id else None
            if rule(info.context.viewer, doc, booking):
                zone = booking.time_zone if booking is not None else "UTC"
                shown[oid] = cast("Any", cls)(doc=doc, zone=zone)
        return shown


def global_id(cls: type[Any] | str, oid: object) -> strawberry.ID:
    """The global id of the document `oid` shown as `cls`."""
    return strawberry.ID(str(relay.GlobalID(type_name(cls), str(oid))))


def parse_global_id(
    value: str,
) -> tuple[type[DocumentNode[Any]], PydanticObjectId] | None:
    """The node type and document id a global id names, or None when we did
    not make it (malformed, an unknown type, or not in our exact encoding)."""
    if len(value) > MAX_ID_LENGTH:
        return None
    try:
        parsed = relay.GlobalID.from_id(value)
    except GlobalIDValueError:
        return None
    cls = node_named(parsed.type_name)
    oid = parse_object_id(parsed.node_id)
    if cls is None or oid is None or str(parsed) != value:
        return None
    return cls, oid


def local_id(value: str, expected: type[Any] | str) -> PydanticObjectId | None:
    """The document id in a global id of type `expected`, or None."""
    parsed = parse_global_id(value)
    if parsed is None or type_name(parsed[0]) != type_name(expected):
        return None
    return parsed[1]


def expect_id(value: str, expected: type[Any] | str, argument: str) -> str:
    """A query argument's global id of type `expected`, as the document id the
    resolvers take; anything else is `BAD_USER_INPUT`."""
    oid = local_id(value, expected)
    if oid is None:
        raise ClientError(
            ErrorCode.BAD_USER_INPUT, wrong_id(argument, expected).message
        )
    return str(oid)


def wrong_id(field: str, expected: type[Any] | str) -> UserError:
    """A mutation input's id that is not a global id of type `expected`."""
    return UserError(
        field,
        ErrorCode.INVALID,
        f"`{field}` must be the id of a {type_name(expected)}.",
    )


async def resolve_nodes(info: Info, ids: Sequence[str]) -> list[Any | None]:
    """The objects the global ids name, in order; None where the viewer may
    not see one. One batch per type, so any number of ids costs a constant
    number of queries."""
    parsed = [parse_global_id(value) for value in ids]
    if any(p is None for p in parsed):
        raise ClientError(
            ErrorCode.BAD_USER_INPUT,
            "Not an id of this API: pass an `id` exactly as it was returned.",
        )
    wanted: dict[type[DocumentNode[Any]], list[PydanticObjectId]] = {}
    for cls, oid in filter(None, parsed):
        wanted.setdefault(cls, []).append(oid)
    kinds = list(wanted)
    found = await asyncio.gather(*(k.visible_nodes(info, wanted[k]) for k in kinds))
    by_key = {
        (kind, oid): node
        for kind, nodes in zip(kinds, found, strict=True)
        for oid, node in zip(wanted[kind], nodes, strict=True)
    }
    return [by_key[p] for p in parsed if p is not None]


@strawberry.type
class NodesQuery:
    @strawberry.field(
        description=(
            "Any object with an `id`, refetched by that id: what the type's own "
            "query would show the viewer, and null where it would show nothing "
            "(no such object, or one the viewer may not see; anonymous viewers "
            "see only public objects). An id we did not make is BAD_USER_INPUT."
        )
    )
    async def node(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="A `Node.id`, exactly as returned."),
        ],
    ) -> relay.Node | None:
        (found,) = await resolve_nodes(info, [id])
        node: relay.Node | None = found
        return node

    @strawberry.field(
        description=(
            "Several objects by id, in the order asked, each as `node` would "
            f"return it (null where it would be null). At most {MAX_NODE_IDS} "
            "ids (TOO_LONG beyond); an id we did not make is BAD_USER_INPUT."
        )
    )
    async def nodes(
        self,
        info: Info,
        ids: Annotated[
            list[strawberry.ID],
            strawberry.argument(
                description=f"`Node.id` values, exactly as returned; at most "
                f"{MAX_NODE_IDS}."
            ),
        ],
    ) -> list[relay.Node | None]:
        if len(ids) > MAX_NODE_IDS:
            raise ClientError(
                ErrorCode.TOO_LONG, f"Ask for at most {MAX_NODE_IDS} ids at once."
            )
        return await resolve_nodes(info, ids)
