"""The demo data is idempotent and gives each demo role different actions."""

from __future__ import annotations

from gigsta.documents import Booking, User, Worker
from gigsta.domain.bookings.actions import ActorRole, available_actions
from gigsta.runtime import utc_now
from scripts.seed_demo import DEMO_ACCOUNTS, seed_documents


async def test_seed_twice_changes_nothing_the_second_time(
    app, raw_db, settings, capsys
):
    await seed_documents(settings)
    users = await raw_db["users"].count_documents({})
    bookings = await raw_db["bookings"].count_documents({})
    assert users == len(DEMO_ACCOUNTS) + 1  # plus the admin
    assert bookings >= 6
    await seed_documents(settings)
    assert await raw_db["users"].count_documents({}) == users
    assert await raw_db["bookings"].count_documents({}) == bookings
    assert "gigsta-demo-2026" in capsys.readouterr().out

    statuses = {b.status for b in await Booking.find_all().to_list()}
    assert len(statuses) >= 5
    now = utc_now()
    offered = {
        role: {
            rule.name
            for booking in await Booking.find_all().to_list()
            for rule in available_actions(booking.facts(), role, now)
        }
        for role in (ActorRole.CUSTOMER, ActorRole.WORKER, ActorRole.ADMIN)
    }
    assert {"accept", "start", "complete"} <= offered[ActorRole.WORKER]
    assert {"cancel", "confirm", "dispute"} <= offered[ActorRole.CUSTOMER]
    assert {"resolve_for_worker", "admin_cancel"} <= offered[ActorRole.ADMIN]
    assert await User.find_one(User.email == "admin@demo.gigsta.nz")


async def test_open_demo_bookings_carry_real_holds(app, raw_db, settings):
    await seed_documents(settings)
    open_bookings = [
        b
        for b in await Booking.find_all().to_list()
        if b.status.value not in {"closed", "cancelled"}
    ]
    assert open_bookings
    for booking in open_bookings:
        assert booking.price is not None and booking.price.total > 0
        assert booking.payment is not None
        held = (booking.payment.status.value, booking.payment.intent_id is not None)
        assert held in {("authorized", True), ("deferred", False)}


async def test_demo_bookings_carry_messages_and_reviews(app, raw_db, settings):
    await seed_documents(settings)
    messages = await raw_db["booking_messages"].count_documents({})
    reviews = await raw_db["reviews"].count_documents({})
    assert await raw_db["booking_messages"].count_documents({"masked": True}) == 2
    roles = await raw_db["booking_messages"].distinct("sender_role")
    assert sorted(roles) == ["admin", "customer", "worker"]
    # One pair revealed, one review still waiting for the worker's.
    assert reviews == 3
    assert await raw_db["reviews"].count_documents({"revealed_at": None}) == 1
    assert (
        await raw_db["events"].count_documents(
            {"type": {"$in": ["booking.message_created", "booking.review_submitted"]}}
        )
        == messages + reviews
    )
    await seed_documents(settings)
    assert await raw_db["booking_messages"].count_documents({}) == messages
    assert await raw_db["reviews"].count_documents({}) == reviews


async def test_demo_workers_have_a_week_in_their_own_zone(app, raw_db, settings):
    await seed_documents(settings)
    workers = await Worker.find_all().to_list()
    zones = {w.name: w.availability and w.availability.time_zone for w in workers}
    assert zones == {
        "Mere Tipene": "Pacific/Auckland",
        "Sam Patel": "Pacific/Auckland",
        "Chloe Nguyen": "Australia/Sydney",
    }
    chloe = next(w for w in workers if w.name == "Chloe Nguyen")
    assert any(i.end_minute <= i.start_minute for i in chloe.availability.weekly)
