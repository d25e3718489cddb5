"""The one change stream of this server instance, fanned out to its subscribers.

Every instance watches the inserts into `events` (`DomainEvent`, written in
the same transaction as the change it describes) through a single change
stream, and hands each event to the local subscriptions that asked for it.
So an event written through any instance reaches the subscribers of every
instance, and the database serves one stream per instance, not one per
client.

Each subscription has a bounded queue. The hub never waits for a
subscriber: one whose queue is full is dropped (it ends with an error that
tells the client to resubscribe from its last cursor), so one slow client
cannot hold up the others. When the stream fails, the hub reopens it with
`start_after` the last resume token it handed out, so the instance misses
nothing; if the database no longer has that position, every subscription is
dropped, for the same reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from pymongo.errors import OperationFailure, PyMongoError

from gigsta.documents.bookings import Booking
from gigsta.documents.events import DomainEvent
from gigsta.resolvers.core.stopping import stop
from gigsta.resolvers.live.cursors import encode_event_cursor

if TYPE_CHECKING:
    from pymongo.asynchronous.change_stream import AsyncChangeStream
    from pymongo.asynchronous.collection import AsyncCollection

log = logging.getLogger("gigsta.live")

# Events one subscription may have waiting; a client further behind than
# this is dropped and resumes from its cursor.
QUEUE_SIZE = 256
# How long a getMore waits for new events before the stream asks again.
MAX_AWAIT_MS = 500
RETRY_SECONDS = (0.1, 0.5, 1.0, 2.0, 5.0)
INSERTS_ONLY = [{"$match": {"operationType": "insert"}}]


@dataclass(eq=False)
class LiveEvent:
    """One event as the stream delivered it: `cursor` resumes after it.

    One object is handed to every local subscriber of the event, so the
    booking it names is read once for all of them (`booking`), not once per
    subscriber."""

    cursor: str
    event: DomainEvent
    _booking: asyncio.Future[Booking | None] | None = field(
        default=None, init=False, repr=False
    )

    async def booking(self) -> Booking | None:
        """The event's booking as read after the event (None: deleted)."""
        if self._booking is None:
            self._booking = asyncio.ensure_future(Booking.get(self.event.booking_id))
        # Shielded: one subscriber going away does not cancel the others' read.
        return await asyncio.shield(self._booking)


class SubscriberDroppedError(Exception):
    """The subscription fell behind (or the hub lost its place): resubscribe
    with the last cursor received."""


@dataclass(eq=False)
class Subscription:
    """A local subscriber: the events `wants` accepts, in stream order."""

    wants: Callable[[DomainEvent], bool]
    # None in the queue wakes a reader up to find the subscription dropped.
    queue: asyncio.Queue[LiveEvent | None] = field(
        default_factory=lambda: asyncio.Queue(QUEUE_SIZE)
    )
    dropped: bool = False

    async def next(self, wait_seconds: float | None) -> LiveEvent | None:
        """The next event; None when `wait_seconds` pass first. A dropped
        subscription raises `SubscriberDroppedError` once its queue is empty."""
        if self.dropped and self.queue.empty():
            raise SubscriberDroppedError
        try:
            async with asyncio.timeout(wait_seconds):
                live = await self.queue.get()
        except TimeoutError:
            return None
        if live is None:
            raise SubscriberDroppedError
        return live

    def drop(self) -> None:
        self.dropped = True
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(None)


class EventHub:
    """Runs the instance's change stream (`run`) and its subscriptions."""

    def __init__(self, collection: AsyncCollection[dict[str, Any]]) -> None:
        self._collection = collection
        self._subscriptions: set[Subscription] = set()
        self._token: Mapping[str, Any] | None = None
        self._failures = 0  # in a row, for the wait before reopening
        self.opened = asyncio.Event()

    @property
    def position(self) -> Mapping[str, Any] | None:
        """The resume token of the last event handed out (or of the stream's
        position when it last had nothing new)."""
        return self._token

    @property
    def subscribers(self) -> int:
        return len(self._subscriptions)

    def subscribe(self, wants: Callable[[DomainEvent], bool]) -> Subscription:
        subscription = Subscription(wants)
        self._subscriptions.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscriptions.discard(subscription)

    async def run(self) -> None:
        """Watch `events` until cancelled, reopening after any failure."""
        while True:
            reason = await self._watch()
            if reason is None:
                continue  # the stream ended cleanly (invalidated): reopen now
            delay = RETRY_SECONDS[min(self._failures, len(RETRY_SECONDS) - 1)]
            self._failures += 1
            log.warning("change stream failed (%s); reopening in %gs", reason, delay)
            await asyncio.sleep(delay)

    async def _watch(self) -> str | None:
        """Follow the stream until it ends (None) or fails (why)."""
        try:
            async with await self._open() as stream:
                self.opened.set()
                self._failures = 0  # failing again starts with a short wait
                await self._follow(stream)
        except PyMongoError as exc:
            if self._token is not None and _history_lost(exc):
                log.exception("change stream position lost; dropping subscribers")
                self._token = None
                self._drop_all()
            return str(exc)
        # Not a database error: a bug, logged; the hub itself must keep going.
        except Exception as exc:
            log.exception("change stream handling failed")
            return type(exc).__name__
        return None

    async def _open(self) -> AsyncChangeStream[dict[str, Any]]:
        return await self._collection.watch(
            INSERTS_ONLY, start_after=self._token, max_await_time_ms=MAX_AWAIT_MS
        )

    async def _follow(self, stream: AsyncChangeStream[dict[str, Any]]) -> None:
        # Start from where the stream is now, so a failure before the first
        # event still resumes here rather than at whatever is then current.
        self._token = stream.resume_token or self._token
        while stream.alive:
            change = await stream.try_next()
            if change is None:
                self._token = stream.resume_token or self._token
                continue
            if change["operationType"] != "insert":
                # The collection was dropped or renamed (`invalidate`): the
                # stream ends, and reopens after it.
                self._token = change["_id"]
                return
            try:
                event = DomainEvent.model_validate(change["fullDocument"])
            except ValidationError:
                log.exception("skipping an event that is not a DomainEvent")
            else:
                self.publish(LiveEvent(encode_event_cursor(change["_id"]), event))
            self._token = change["_id"]

    def publish(self, live: LiveEvent) -> None:
        """Hand `live` to every subscription that wants it, dropping the full."""
        for subscription in list(self._subscriptions):
            if subscription.dropped or not subscription.wants(live.event):
                continue
            try:
                subscription.queue.put_nowait(live)
            except asyncio.QueueFull:
                log.info("dropping a subscriber %d events behind", QUEUE_SIZE)
                self._drop(subscription)

    def _drop(self, subscription: Subscription) -> None:
        subscription.drop()
        self._subscriptions.discard(subscription)

    def _drop_all(self) -> None:
        for subscription in list(self._subscriptions):
            self._drop(subscription)


# CappedPositionLost, ChangeStreamFatalError, ChangeStreamHistoryLost.
_HISTORY_LOST_CODES = {136, 280, 286}


def _history_lost(exc: PyMongoError) -> bool:
    """The database no longer has the stream's position (the oplog moved on)."""
    return isinstance(exc, OperationFailure) and exc.code in _HISTORY_LOST_CODES


@contextlib.asynccontextmanager
async def running_hub(
    collection: AsyncCollection[dict[str, Any]], *, open_timeout: float
) -> AsyncIterator[EventHub]:
    """The hub, its stream open (or still trying after `open_timeout`), until
    the block ends."""
    hub = EventHub(collection)
    task = asyncio.create_task(hub.run(), name="live-events")
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(hub.opened.wait(), open_timeout)
    try:
        yield hub
    finally:
        await stop(task)
