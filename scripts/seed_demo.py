"""Idempotent demo data for `make run`: accounts in NZ and AU, bookings in
several statuses so each demo role sees different `availableActions`, and a
weekly schedule for each demo worker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from beanie import PydanticObjectId

from gigsta.database import connect, init_documents
from gigsta.documents import Booking, Customer, User, Worker
from gigsta.documents.bookings import BookingEvent
from gigsta.documents.places import PlaceAddress
from gigsta.domain.accounts import Country, Role, Viewer, normalize_email
from gigsta.domain.bookings.actions import (
    ACTIONS,
    TERMINAL_STATUSES,
    ActorRole,
    BookingStatus,
)
from gigsta.domain.services import SERVICE_CATALOGUE
from gigsta.domain.time_zones import booking_time_zone
from gigsta.resolvers.accounts.credentials import PasswordHashing
from gigsta.resolvers.accounts.sign_in import TokenConfig, create_admin, sign_up
from gigsta.resolvers.availability import set_weekly_schedule
from gigsta.resolvers.payments.config import Payments, payments_from_settings
from gigsta.resolvers.payments.holds import HoldResult, prepare_request
from gigsta.settings import Settings
from scripts.seed_talk import seed_talk
from scripts.standins.addressable import demo_place

DEMO_PASSWORD = "gigsta-demo-2026"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: Role
    country: Country
    services: tuple[str, ...] = ()
    hourly_rate_cents: int | None = None
    bio: str = ""
    base_address: str | None = None  # a demo address (scripts/standins/addressable)
    service_radius_km: float | None = None


DEMO_ACCOUNTS = (
    DemoAccount("aroha@demo.gigsta.nz", "Aroha Ngata", Role.CUSTOMER, Country.NZ),
    DemoAccount("liam@demo.gigsta.au", "Liam O'Brien", Role.CUSTOMER, Country.AU),
    DemoAccount(
        "mere@demo.gigsta.nz",
        "Mere Tipene",
        Role.WORKER,
        Country.NZ,
        ("cleaning", "gardening"),
        4500,
        "Tidy, reliable, 8 years cleaning homes around Auckland.",
        "100 Ponsonby Road, Ponsonby, Auckland 1011",
        25,
    ),
    DemoAccount(
        "sam@demo.gigsta.nz",
        "Sam Patel",
        Role.WORKER,
        Country.NZ,
        ("moving", "handyman", "furniture_assembly"),
        6000,
        "Van and trailer; flat-pack assembly a speciality.",
        "15 Lambie Drive, Manukau, Auckland 2104",
        40,
    ),
    DemoAccount(
        "chloe@demo.gigsta.au",
        "Chloe Nguyen",
        Role.WORKER,
        Country.AU,
        ("cleaning", "pet_care"),
        5200,
        "Sydney inner west. Dogs, cats and spotless kitchens.",
        "100 King Street, Newtown NSW 2042",
        15,
    ),
)
DEMO_ADMIN_EMAIL = "admin@demo.gigsta.nz"
# Who talks and reviews on the demo bookings.
DEMO_PARTIES = {
    "customer": "aroha@demo.gigsta.nz",
    "worker": "mere@demo.gigsta.nz",
    "admin": DEMO_ADMIN_EMAIL,
}
# Each demo worker's week in their own zone: (weekday, 0 = Monday, start, end).
# Chloe's Friday pet-sitting runs past midnight into Saturday.
DEMO_SCHEDULES: dict[str, tuple[str, list[tuple[int, str, str]]]] = {
    "mere@demo.gigsta.nz": (
        "Pacific/Auckland",
        [*((day, "08:00", "18:00") for day in range(5)), (5, "09:00", "13:00")],
    ),
    "sam@demo.gigsta.nz": (
        "Pacific/Auckland",
        [(day, "07:00", "19:00") for day in range(6)],
    ),
    "chloe@demo.gigsta.au": (
        "Australia/Sydney",
        [*((day, "09:00", "17:00") for day in range(1, 7)), (4, "20:00", "02:00")],
    ),
}


async def _ensure_account(
    account: DemoAccount,
    now: datetime,
    tokens: TokenConfig,
    passwords: PasswordHashing,
) -> None:
    if await User.find_one(User.email == normalize_email(account.email)):
        return
    result = await sign_up(
        email=account.email,
        password=DEMO_PASSWORD,
        name=account.name,
        role=account.role,
        country=account.country,
        now=now,
        tokens=tokens,
        passwords=passwords,
    )
    if result.errors or result.user is None:
        raise RuntimeError(f"could not seed {account.email}: {result.errors}")
    if account.role is Role.WORKER:
        worker = await Worker.find_one(Worker.user_id == result.user.id)
        assert worker is not None
        await worker.set(
            {
                Worker.services: list(account.services),
                Worker.hourly_rate_cents: account.hourly_rate_cents,
                Worker.bio: account.bio,
            }
        )


def _history(
    path: list[str], requested_at: datetime, customer_user: str, worker_user: str
) -> tuple[BookingStatus, list[BookingEvent], datetime | None]:
    events = [
        BookingEvent(
            action="request",
            from_status=BookingStatus.REQUESTED,
            to_status=BookingStatus.REQUESTED,
            actor_role=ActorRole.CUSTOMER,
            actor_id=customer_user,
            note="The customer requested the booking.",
            at=requested_at,
        )
    ]
    status = BookingStatus.REQUESTED
    at = requested_at
    completed_at = None
    for name in path:
        rule = ACTIONS[name]
        at += timedelta(hours=1)
        role = next(iter(rule.roles))
        events.append(
            BookingEvent(
                action=name,
                from_status=status,
                to_status=rule.to_status,
                actor_role=role,
                actor_id=worker_user if role is ActorRole.WORKER else customer_user,
                note=rule.note,
                reason="Demo: the job was not finished."
                if rule.requires_reason
                else None,
                at=at,
            )
        )
        status = rule.to_status
        if status is BookingStatus.COMPLETED:
            completed_at = at
    return status, events, completed_at


async def _ensure_service_areas() -> None:
    """Demo workers get a base near the demo addresses (also on older data)."""
    for account in DEMO_ACCOUNTS:
        if account.base_address is None:
            continue
        user = await User.find_one(User.email == normalize_email(account.email))
        worker = user and await Worker.find_one(Worker.user_id == user.id)
        if worker is not None and worker.base_address is None:
            base = PlaceAddress.from_domain(demo_place(account.base_address))
            await worker.set(
                {
                    Worker.base_address: base.model_dump(),
                    Worker.service_radius_km: account.service_radius_km,
                }
            )


async def _ensure_schedules(now: datetime) -> None:
    """Demo workers get their week once (a worker's own edits are kept)."""
    for email, (zone, week) in DEMO_SCHEDULES.items():
        user = await User.find_one(User.email == normalize_email(email))
        worker = user and await Worker.find_one(Worker.user_id == user.id)
        if user is None or not worker or worker.availability is not None:
            continue
        viewer = Viewer(str(user.id), Role.WORKER, str(worker.id))
        result = await set_weekly_schedule(
            viewer, time_zone=zone, intervals=week, now=now
        )
        if result.errors:
            raise RuntimeError(f"could not seed {email}'s week: {result.errors}")


async def _seed_bookings(now: datetime, payments: Payments | None) -> int:
    customer_user = await User.find_one(User.email == "aroha@demo.gigsta.nz")
    worker_user = await User.find_one(User.email == "mere@demo.gigsta.nz")
    assert customer_user is not None and worker_user is not None
    customer = await Customer.find_one(Customer.user_id == customer_user.id)
    worker = await Worker.find_one(Worker.user_id == worker_user.id)
    assert customer is not None and worker is not None
    if await Booking.find(Booking.customer_id == customer.id).count():
        return 0
    # (path of actions, requested how long ago, starts in, service, description)
    plans = [
        (
            [],
            timedelta(hours=2),
            timedelta(days=3),
            "cleaning",
            "End-of-tenancy clean, 2-bedroom flat.",
        ),
        (
            ["accept"],
            timedelta(days=1),
            timedelta(hours=1),
            "gardening",
            "Weed and mulch the front beds.",
        ),
        (
            ["accept"],
            timedelta(days=1),
            timedelta(days=5),
            "cleaning",
            "Fortnightly clean, kitchen and bathroom.",
        ),
        (
            ["accept", "start"],
            timedelta(days=2),
            timedelta(hours=-1),
            "cleaning",
            "Oven and windows.",
        ),
        (
            ["accept", "start", "complete"],
            timedelta(days=3),
            timedelta(days=-1),
            "gardening",
            "Hedge trim.",
        ),
        (
            ["accept", "start", "complete", "dispute"],
            timedelta(days=6),
            timedelta(days=-4),
            "cleaning",
            "Carpet shampoo.",
        ),
        (
            ["accept", "start", "complete", "confirm"],
            timedelta(days=9),
            timedelta(days=-7),
            "cleaning",
            "Spring clean.",
        ),
        (["cancel"], timedelta(days=4), timedelta(days=2), "gardening", "Lawn mowing."),
    ]
    address = PlaceAddress.from_domain(
        demo_place("45 Mount Eden Road, Mount Eden, Auckland 1024")
    )
    for path, ago, starts_in, service, description in plans:
        requested_at = now - ago
        status, events, completed_at = _history(
            path, requested_at, str(customer_user.id), str(worker_user.id)
        )
        start = now + starts_in
        assert customer.id is not None and worker.id is not None
        booking_id = PydanticObjectId()
        hold = HoldResult()
        if payments is not None and status not in TERMINAL_STATUSES:
            # A real card hold on the (local) Stripe, so confirming, cancelling
            # or disputing a demo booking moves real money. Terminal demo
            # bookings are history only and carry no payment.
            hold = await prepare_request(
                payments,
                booking_id=booking_id,
                customer=customer,
                worker=worker,
                service_name=SERVICE_CATALOGUE[service],
                scheduled_start=start,
                scheduled_end=start + timedelta(hours=3),
                payment_method_id="pm_card_visa",
                now=requested_at,
            )
            if hold.errors:
                raise RuntimeError(f"could not place a demo hold: {hold.errors}")
        await Booking(
            id=booking_id,
            price=hold.price,
            payment=hold.payment,
            customer_id=customer.id,
            worker_id=worker.id,
            service=service,
            description=description,
            scheduled_start=start,
            scheduled_end=start + timedelta(hours=3),
            status=status,
            version=len(events),
            history=events,
            completed_at=completed_at,
            created_at=requested_at,
            updated_at=events[-1].at,
            address=address,
            time_zone=booking_time_zone(address.to_domain(), customer.country),
        ).insert()
    return len(plans)


async def seed(settings: Settings) -> None:
    """Connect, create whatever part of the demo data is missing, print logins."""
    client = connect(settings.require_mongodb_uri())
    try:
        await init_documents(client[settings.mongodb_db])
        await seed_documents(settings)
    finally:
        await client.close()


async def seed_documents(settings: Settings) -> None:
    """Seed through the already-initialised Beanie documents."""
    now = datetime.now(UTC)
    tokens = TokenConfig(secret=settings.require_jwt_secret(), ttl=timedelta(hours=1))
    passwords = PasswordHashing(threads=1, max_waiting=len(DEMO_ACCOUNTS))
    try:
        for account in DEMO_ACCOUNTS:
            await _ensure_account(account, now, tokens, passwords)
    finally:
        passwords.close()
    if not await User.find_one(User.email == DEMO_ADMIN_EMAIL):
        await create_admin(email=DEMO_ADMIN_EMAIL, password=DEMO_PASSWORD, now=now)
    await _ensure_service_areas()
    await _ensure_schedules(now)
    payments = payments_from_settings(settings)
    try:
        created = await _seed_bookings(now, payments)
    finally:
        if payments is not None:
            await payments.gateway.close()
    talk = await seed_talk(now, DEMO_PARTIES)
    print(f"\nDemo accounts (password for all: {DEMO_PASSWORD})")
    for account in DEMO_ACCOUNTS:
        print(f"  {account.role.value:<8} {account.country.value}  {account.email}")
    print(f"  ADMIN    --  {DEMO_ADMIN_EMAIL}")
    if created:
        print(
            f"Seeded {created} demo bookings between aroha@demo.gigsta.nz "
            "and mere@demo.gigsta.nz"
        )
    if talk:
        print(f"Seeded {talk} demo messages and reviews on those bookings")
