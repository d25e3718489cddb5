"""Booking messages: who may write, how long, and when contact details are
masked (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from gigsta.domain.bookings.actions import ActorRole, BookingStatus
from gigsta.domain.contact_masking import mask_contact_details
from gigsta.domain.core import ErrorCode, UserError, too_long

MAX_MESSAGE_LENGTH = 2000
# Per user, across bookings: enough for a conversation, not for a flood.
MESSAGES_PER_WINDOW = 20
MESSAGE_WINDOW = timedelta(minutes=1)

# Statuses in which the booking's parties (and admins) may write.
OPEN_FOR_MESSAGES: frozenset[BookingStatus] = frozenset(
    {
        BookingStatus.REQUESTED,
        BookingStatus.ACCEPTED,
        BookingStatus.IN_PROGRESS,
        BookingStatus.COMPLETED,
        BookingStatus.DISPUTED,
    }
)
# Before the worker accepts: contact details are masked for both sides.
BEFORE_ACCEPTANCE: frozenset[BookingStatus] = frozenset(
    {BookingStatus.PENDING_PAYMENT, BookingStatus.REQUESTED}
)
# Who keeps a read marker (an admin reads without being a party).
PARTIES: frozenset[ActorRole] = frozenset({ActorRole.CUSTOMER, ActorRole.WORKER})


@dataclass(frozen=True, slots=True)
class MessageText:
    """A body ready to store: trimmed, and masked when it had to be."""

    body: str
    masked: bool


def message_text(body: str, status: BookingStatus) -> MessageText | UserError:
    """The body to store for a message sent while the booking is in `status`,
    or why it cannot be sent: empty once trimmed, or too long."""
    trimmed = body.strip()
    if not trimmed:
        return UserError("body", ErrorCode.INVALID, "Write a message.")
    if len(trimmed) > MAX_MESSAGE_LENGTH:
        return too_long("body", MAX_MESSAGE_LENGTH)
    if status not in BEFORE_ACCEPTANCE:
        return MessageText(trimmed, masked=False)
    masked = mask_contact_details(trimmed)
    return MessageText(masked, masked=masked != trimmed)


def sending_refusal(role: ActorRole, status: BookingStatus) -> UserError | None:
    """Why `role` may not write on a booking in `status` now, or None."""
    if role is ActorRole.SYSTEM:
        return UserError(None, ErrorCode.NOT_ALLOWED, "Only people write messages.")
    if status not in OPEN_FOR_MESSAGES:
        return UserError(
            "bookingId",
            ErrorCode.INVALID_TRANSITION,
            f"Messages are closed on a {status.value.replace('_', ' ')} booking.",
        )
    return None
