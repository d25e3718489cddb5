"""The instance's change stream (`EventHub`): a slow subscriber is dropped
without holding up the others, and a stream cut off from the database
reopens after its last event, missing nothing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from beanie import PydanticObjectId
from pymongo import AsyncMongoClient

from gigsta.documents.events import DomainEvent, EventType, OutboxState
from gigsta.domain.bookings.actions import ActorRole
from gigsta.resolvers.live.hub import (
    QUEUE_SIZE,
    EventHub,
    LiveEvent,
    SubscriberDroppedError,
    running_hub,
)

AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def event(booking_id: PydanticObjectId, n: int) -> DomainEvent:
    return DomainEvent(
        type=EventType.BOOKING_STATUS_CHANGED,
        booking_id=booking_id,
        customer_id=PydanticObjectId(),
        worker_id=PydanticObjectId(),
        booking_version=n,
        actor_role=ActorRole.SYSTEM,
        at=AT,
        outbox=OutboxState(next_attempt_at=AT),
    )


async def test_a_slow_subscriber_is_dropped_and_the_others_keep_up(runtime):
    hub = runtime.live
    booking_id = PydanticObjectId()
    ours = lambda e: e.booking_id == booking_id  # noqa: E731 - a filter
    fast, slow = hub.subscribe(ours), hub.subscribe(ours)
    try:
        for n in range(QUEUE_SIZE + 1):
            hub.publish(LiveEvent(cursor=str(n), event=event(booking_id, n)))
            got = await fast.next(1)
            assert got is not None
            assert got.cursor == str(n)
        # The slow one still gets what it had queued, then learns it is out.
        queued = [await slow.next(1) for _ in range(QUEUE_SIZE)]
        assert [e.cursor for e in queued if e] == [str(n) for n in range(QUEUE_SIZE)]
        with pytest.raises(SubscriberDroppedError):
            await slow.next(1)
        assert slow.dropped
        assert not fast.dropped
    finally:
        hub.unsubscribe(fast)
        hub.unsubscribe(slow)


class CuttableProxy:
    """A TCP proxy to the database that can cut every connection and refuse
    new ones until restored, as a network partition would."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        writers, self._writers = self._writers, set()
        for writer in writers:
            writer.close()
        for writer in writers:
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()
        await self._server.wait_closed()

    async def _serve(self, reader: Any, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        self._writers |= {writer, up_writer}

        async def pipe(src: Any, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


@contextlib.asynccontextmanager
async def hub_through(proxy: CuttableProxy, db_name: str) -> AsyncIterator[EventHub]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        f"mongodb://127.0.0.1:{proxy.port}/?directConnection=true",
        tz_aware=True,
        serverSelectionTimeoutMS=500,
    )
    try:
        async with running_hub(client[db_name]["events"], open_timeout=10) as hub:
            yield hub
    finally:
        await client.close()


class StreamFailures(logging.Handler):
    """Set once the hub logs that its stream failed."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("change stream failed"):
            self.seen.set()


async def test_the_stream_reopens_after_its_last_event_and_misses_nothing(
    app, settings
):
    host, port = (
        settings.mongodb_uri.removeprefix("mongodb://").split("/")[0].split(":")
    )
    proxy = CuttableProxy(host, int(port))
    await proxy.start()
    booking_id = PydanticObjectId()
    async with contextlib.AsyncExitStack() as stack:
        # The hub and its client stop first, while they can still reach the
        # database: a client cut off mid-connect would leave a socket behind.
        stack.push_async_callback(proxy.cut)
        hub = await stack.enter_async_context(hub_through(proxy, settings.mongodb_db))
        subscription = hub.subscribe(lambda e: e.booking_id == booking_id)
        await event(booking_id, 1).insert()
        first = await subscription.next(10)
        assert first is not None
        assert first.event.booking_version == 1

        failed = StreamFailures()
        logging.getLogger("gigsta.live").addHandler(failed)
        stack.callback(logging.getLogger("gigsta.live").removeHandler, failed)
        await proxy.cut()
        # Written while this instance cannot see the database.
        await event(booking_id, 2).insert()
        await event(booking_id, 3).insert()
        await asyncio.wait_for(failed.seen.wait(), 20)
        await proxy.start()  # the same port again

        got = [await subscription.next(20) for _ in range(2)]
        await event(booking_id, 4).insert()
        last = await subscription.next(20)
    assert [g.event.booking_version for g in got if g] == [2, 3]
    assert last is not None
    assert last.event.booking_version == 4  # nothing twice


async def test_an_event_the_hub_cannot_read_is_skipped_not_fatal(runtime, raw_db):
    hub = runtime.live
    booking_id = PydanticObjectId()
    subscription = hub.subscribe(lambda e: e.booking_id == booking_id)
    try:
        await raw_db.events.insert_one({"type": "booking.unheard_of", "at": AT})
        await event(booking_id, 7).insert()
        got = await subscription.next(20)
    finally:
        hub.unsubscribe(subscription)
    assert got is not None
    assert got.event.booking_version == 7


async def test_subscribers_of_one_event_share_one_read_of_its_booking(
    runtime, raw_db, clock, command_counter
):
    """Each subscriber re-checks what it may see on the booking as it is now;
    the booking is read once per event, not once per subscriber."""
    from tests.documents.factories import new_booking

    booking = new_booking(clock.now)
    await booking.insert()
    assert booking.id is not None
    hub = runtime.live
    ours = lambda e: e.booking_id == booking.id  # noqa: E731 - a filter
    subscribers = [hub.subscribe(ours) for _ in range(5)]
    try:
        hub.publish(LiveEvent(cursor="1", event=event(booking.id, 1)))
        received = [await s.next(1) for s in subscribers]
        command_counter.reset()
        read = await asyncio.gather(*(r.booking() for r in received if r))
        assert [b.id for b in read if b] == [booking.id] * 5
        assert command_counter.commands == ["find"]
    finally:
        for s in subscribers:
            hub.unsubscribe(s)
