"""What a viewer's live subscriptions deliver: the events of their bookings,
each with the booking as it is now, shown only while they may see it.

A feed registers with the instance's hub first and only then catches up on
what the client missed (`after`), through a short-lived change stream read
until it has nothing more. Events that reach both the catch-up and the live
queue are delivered once (by event id), so a client that resubscribes with
its last cursor misses nothing and sees nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pymongo.errors import OperationFailure

from gigsta.database import is_unavailable
from gigsta.documents import Booking
from gigsta.documents.events import DomainEvent
from gigsta.domain.accounts import Role
from gigsta.domain.core import ClientError, ErrorCode
from gigsta.resolvers.accounts.credentials import InvalidTokenError
from gigsta.resolvers.accounts.sessions import authenticate
from gigsta.resolvers.bookings.queries import may_read
from gigsta.resolvers.core.ids import parse_object_id
from gigsta.resolvers.core.pagination import InvalidCursorError
from gigsta.resolvers.live.cursors import decode_event_cursor, encode_event_cursor
from gigsta.resolvers.live.hub import INSERTS_ONLY, LiveEvent, SubscriberDroppedError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable
    from datetime import datetime

    from bson import ObjectId

    from gigsta.domain.accounts import Viewer
    from gigsta.resolvers.live.hub import EventHub, Subscription
    from gigsta.runtime import Clock

# How long the catch-up stream waits for more before it counts as caught up.
CATCH_UP_AWAIT_MS = 50


@dataclass(frozen=True, slots=True)
class LiveBooking:
    """An event and its booking as it is now (which the viewer may see)."""

    live: LiveEvent
    booking: Booking


@dataclass(frozen=True, slots=True)
class Listener:
    """Who listens, and until when their token is good."""

    viewer: Viewer
    expires_at: datetime | None
    clock: Clock
    # The token and the secret it is checked with, to check it again before
    # each event: a revocation (`logOutEverywhere`) counts at once, as it
    # does for requests.
    token: str | None = None
    secret: str = ""

    async def still_signed_in(self) -> None:
        if self.token is None:
            return
        try:
            await authenticate(self.token, secret=self.secret, now=self.clock())
        except InvalidTokenError as exc:
            raise ClientError(
                ErrorCode.UNAUTHENTICATED, f"{exc} Then subscribe again."
            ) from exc


def _expired() -> ClientError:
    return ClientError(
        ErrorCode.UNAUTHENTICATED,
        "The access token has expired. Sign in again and resubscribe.",
    )


async def _events(
    subscription: Subscription, listener: Listener
) -> AsyncIterator[LiveEvent]:
    """The subscription's events until the listener's token expires."""
    while True:
        left = None
        if listener.expires_at is not None:
            left = (listener.expires_at - listener.clock()).total_seconds()
            if left <= 0:
                raise _expired()
        try:
            live = await subscription.next(left)
        except SubscriberDroppedError:
            raise ClientError(
                ErrorCode.SUBSCRIPTION_DROPPED,
                "This subscription fell behind and was ended: subscribe again "
                "with the last cursor received.",
            ) from None
        if live is not None:
            await listener.still_signed_in()
            yield live


async def _visible(listener: Listener, live: LiveEvent) -> Booking | None:
    """The event's booking now, if the listener may see it."""
    booking = await live.booking()
    return (
        booking if booking is not None and may_read(listener.viewer, booking) else None
    )


async def booking_updates(
    hub: EventHub, listener: Listener, booking_id: str
) -> AsyncIterator[Booking]:
    """The booking now, then after each of its events, while the listener may
    see it. Registered before the first read, so no change falls between."""
    oid = parse_object_id(booking_id)
    if oid is None:
        raise _no_such_booking()
    subscription = hub.subscribe(lambda event: event.booking_id == oid)
    try:
        booking = await Booking.get(oid)
        if booking is None or (
            booking.role_of(listener.viewer) is None
            and listener.viewer.role is not Role.ADMIN
        ):
            raise _no_such_booking()
        if may_read(listener.viewer, booking):
            yield booking
        async for live in _events(subscription, listener):
            current = await _visible(listener, live)
            if current is not None:
                yield current
    finally:
        hub.unsubscribe(subscription)


def _no_such_booking() -> ClientError:
    return ClientError(ErrorCode.NOT_FOUND, "There is no such booking to follow.")


async def current_cursor(hub: EventHub) -> str:
    """A cursor for the event log's position now, or a little before: resuming
    from it may repeat an event, never miss one."""
    token = hub.position
    if token is None:
        collection = DomainEvent.get_pymongo_collection()
        async with await collection.watch(INSERTS_ONLY) as stream:
            token = stream.resume_token
    if token is None:
        raise RuntimeError("the change stream gave no resume token")
    return encode_event_cursor(token)


def _party_filter(viewer: Viewer) -> tuple[str, ObjectId | None] | None:
    """The event field naming the viewer's side, with their profile id (None
    for admins, who follow every booking)."""
    if viewer.role is Role.ADMIN:
        return None
    field = "customer_id" if viewer.role is Role.CUSTOMER else "worker_id"
    return field, parse_object_id(viewer.profile_id or "")


def _wants(viewer: Viewer) -> Callable[[DomainEvent], bool]:
    party = _party_filter(viewer)
    if party is None:
        return lambda event: True
    field, oid = party
    return lambda event: oid is not None and getattr(event, field) == oid


async def my_booking_events(
    hub: EventHub, listener: Listener, after: str | None
) -> AsyncIterator[LiveBooking]:
    """Every event of the listener's bookings: those after `after` first,
    then each as it happens."""
    token = decode_event_cursor(after) if after is not None else None
    await listener.still_signed_in()  # the catch-up is sent without waiting
    subscription = hub.subscribe(_wants(listener.viewer))
    try:
        caught_up: set[Any] = set()
        if token is not None:
            async for live in _catch_up(listener.viewer, token):
                caught_up.add(live.event.id)
                if (current := await _visible(listener, live)) is not None:
                    yield LiveBooking(live, current)
        async for live in _events(subscription, listener):
            if live.event.id in caught_up:
                caught_up.discard(live.event.id)
                continue
            if (current := await _visible(listener, live)) is not None:
                yield LiveBooking(live, current)
    finally:
        hub.unsubscribe(subscription)


async def _catch_up(viewer: Viewer, token: dict[str, Any]) -> AsyncIterator[LiveEvent]:
    """The viewer's events after `token`, up to now, in the stream's order."""
    match: dict[str, Any] = {}
    party = _party_filter(viewer)
    if party is not None:
        match = {f"fullDocument.{party[0]}": party[1]}
    collection = DomainEvent.get_pymongo_collection()
    try:
        stream = await collection.watch(
            [*INSERTS_ONLY, {"$match": match}],
            start_after=token,
            max_await_time_ms=CATCH_UP_AWAIT_MS,
        )
    except OperationFailure as exc:
        if is_unavailable(exc):
            raise
        raise InvalidCursorError(
            "The cursor is not valid, or too old to resume from: reload instead."
        ) from exc
    async with stream:
        while (change := await stream.try_next()) is not None:
            yield LiveEvent(
                cursor=encode_event_cursor(change["_id"]),
                event=DomainEvent.model_validate(change["fullDocument"]),
            )
