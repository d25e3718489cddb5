"""Who gets what: the notices each booking event makes, by recipient role.

Essential notices (money moved, or an agreed booking will not go ahead) are
always sent; the others are booking updates a user may turn off
(`NotificationPreferences.booking_updates`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from gigsta.domain.bookings.actions import ActorRole


class Notice(StrEnum):
    """One kind of message to one party. Stable names (stored on deliveries)."""

    NEW_REQUEST = "new_request"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    COMPLETED = "completed"
    DISPUTED = "disputed"
    CANCELLED = "cancelled"
    RECEIPT = "receipt"
    REFUNDED = "refunded"
    PAYMENT_FAILED = "payment_failed"
    PAYOUT_SENT = "payout_sent"
    NEW_MESSAGE = "new_message"


ESSENTIAL_NOTICES: frozenset[Notice] = frozenset(
    {
        Notice.CANCELLED,
        Notice.RECEIPT,
        Notice.REFUNDED,
        Notice.PAYMENT_FAILED,
        Notice.PAYOUT_SENT,
    }
)


@dataclass(frozen=True, slots=True)
class Addressed:
    """A notice for the party of a booking in `role`."""

    notice: Notice
    role: ActorRole

    @property
    def essential(self) -> bool:
        return self.notice in ESSENTIAL_NOTICES


C, W = ActorRole.CUSTOMER, ActorRole.WORKER
_BOTH_CANCELLED = (Addressed(Notice.CANCELLED, C), Addressed(Notice.CANCELLED, W))

# Booking actions (the action table's names) and whom each one tells.
ON_ACTION: Mapping[str, tuple[Addressed, ...]] = MappingProxyType(
    {
        "accept": (Addressed(Notice.ACCEPTED, C),),
        "decline": (Addressed(Notice.DECLINED, C),),
        "expire": (Addressed(Notice.EXPIRED, C),),
        "expire_unpaid": (Addressed(Notice.EXPIRED, C),),
        "cancel": _BOTH_CANCELLED,
        "withdraw": _BOTH_CANCELLED,
        "admin_cancel": _BOTH_CANCELLED,
        "complete": (Addressed(Notice.COMPLETED, C),),
        "dispute": (Addressed(Notice.DISPUTED, W),),
        "confirm": (Addressed(Notice.RECEIPT, C),),
        "auto_confirm": (Addressed(Notice.RECEIPT, C),),
        "resolve_for_worker": (Addressed(Notice.RECEIPT, C),),
        "resolve_for_customer": (Addressed(Notice.REFUNDED, C),),
        "authorization_failed": (Addressed(Notice.PAYMENT_FAILED, C),),
        # After 3-D Secure: only now is the request in front of the worker.
        "payment_authorized": (Addressed(Notice.NEW_REQUEST, W),),
    }
)
# Actions nobody is emailed about: starting a job (both were there) and the
# deferred hold being placed (nothing the customer must do).
SILENT_ACTIONS: frozenset[str] = frozenset({"start", "authorize"})


def notices_for(
    event_type: str, data: Mapping[str, Any], actor_role: ActorRole | None = None
) -> tuple[Addressed, ...]:
    """The notices one domain event makes (`event_type` is its stable name;
    `actor_role` is who made it).

    A payment change reported outside a transition (a webhook, the reconcile
    job) tells nobody: the transitions that move money already do. A message
    tells the other party (both, when an admin writes); a review tells nobody
    (it stays hidden until both are in, so an email could only tease it).
    """
    if event_type == "booking.message_created":
        return tuple(
            Addressed(Notice.NEW_MESSAGE, role)
            for role in (C, W)
            if role is not actor_role
        )
    if event_type == "booking.requested":
        # A request waiting for 3-D Secure reaches the worker once authorized.
        if data.get("status") == "requested":
            return (Addressed(Notice.NEW_REQUEST, W),)
        return ()
    if event_type == "booking.status_changed":
        return ON_ACTION.get(str(data.get("action")), ())
    if event_type == "booking.payout_sent":
        return (Addressed(Notice.PAYOUT_SENT, W),)
    return ()


def wanted(addressed: Addressed, *, booking_updates: bool) -> bool:
    """Whether to send it, given the recipient's choice about booking updates."""
    return addressed.essential or booking_updates
