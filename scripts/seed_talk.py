"""Demo messages and reviews on the demo bookings, made through the same use
cases as the API (so masking, reveal and events apply). Idempotent: a booking
that has messages, or a review by a side, is left alone."""

from __future__ import annotations

from datetime import datetime, timedelta

from beanie import PydanticObjectId

from gigsta.documents import Booking, BookingMessage, Customer, Review, User, Worker
from gigsta.domain.accounts import Role, Viewer
from gigsta.resolvers.messages import send_message
from gigsta.resolvers.reviews import submit_review

# (booking description, [(who, minutes ago, body)]): who is customer, worker
# or admin. The first booking is still requested: its numbers are masked.
MESSAGES = [
    (
        "End-of-tenancy clean, 2-bedroom flat.",
        [
            ("customer", 50, "Hi Mere, could you do the oven too? 021 555 0123"),
            (
                "worker",
                40,
                "Happy to, it adds about an hour. Email me: mere@example.nz",
            ),
        ],
    ),
    (
        "Fortnightly clean, kitchen and bathroom.",
        [
            ("worker", 30, "See you Tuesday. I'll text from 027 123 4567."),
            ("customer", 20, "Great, the key is under the mat."),
        ],
    ),
    (
        "Carpet shampoo.",
        [("admin", 10, "We are looking into this dispute and will reply today.")],
    ),
]
# (booking description, [(who, rating, text)])
REVIEWS = [
    (
        "Spring clean.",
        [
            ("customer", 5, "Spotless, on time and lovely to deal with."),
            ("worker", 5, "Clear instructions and easy access. Thanks Aroha!"),
        ],
    ),
    # Only the customer has reviewed: hidden from Mere until she reviews too.
    ("Hedge trim.", [("customer", 4, "Neat job; left a few clippings.")]),
]


async def _viewer(email: str) -> Viewer:
    user = await User.find_one(User.email == email)
    assert user is not None
    profile: Customer | Worker | None = None
    if user.role is Role.CUSTOMER:
        profile = await Customer.find_one(Customer.user_id == user.id)
    elif user.role is Role.WORKER:
        profile = await Worker.find_one(Worker.user_id == user.id)
    return Viewer(str(user.id), user.role, str(profile.id) if profile else None)


async def _messages(
    bookings: dict[str, Booking], viewers: dict[str, Viewer], now: datetime
) -> int:
    written = 0
    for description, lines in MESSAGES:
        booking = bookings.get(description)
        if booking is None or await BookingMessage.find_one({"booking_id": booking.id}):
            continue
        for who, ago, body in lines:
            sent = await send_message(
                viewers[who],
                booking_id=str(booking.id),
                body=body,
                now=now - timedelta(minutes=ago),
            )
            written += sent.message is not None
    return written


async def _reviews(
    bookings: dict[str, Booking], viewers: dict[str, Viewer], now: datetime
) -> int:
    written = 0
    for description, reviews in REVIEWS:
        booking = bookings.get(description)
        if booking is None:
            continue
        for who, rating, text in reviews:
            if await Review.find_one({"booking_id": booking.id, "author_role": who}):
                continue
            result = await submit_review(
                viewers[who],
                booking_id=str(booking.id),
                rating=rating,
                text=text,
                now=now,
            )
            written += result.review is not None
    return written


async def seed_talk(now: datetime, emails: dict[str, str]) -> int:
    """Messages and reviews between the demo customer (`emails["customer"]`)
    and worker, and from the admin; how many were written."""
    viewers = {who: await _viewer(email) for who, email in emails.items()}
    customer_id = PydanticObjectId(viewers["customer"].profile_id)
    mine = await Booking.find({"customer_id": customer_id}).to_list()
    bookings = {b.description: b for b in mine}
    return await _messages(bookings, viewers, now) + await _reviews(
        bookings, viewers, now
    )
