"""The vocabulary of the booking action table: statuses, roles, the facts a
rule reads, its time guards and money policies, and the rule itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal


class BookingStatus(StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    DISPUTED = "disputed"
    CLOSED = "closed"
    REFUNDED = "refunded"
    # Payments: waiting for the customer to finish 3-D Secure; and a card that
    # could not be authorized when the hold was placed later (deferred hold).
    PENDING_PAYMENT = "pending_payment"
    PAYMENT_FAILED = "payment_failed"


class ActorRole(StrEnum):
    """Who acts on a booking: its customer, its worker, an admin, or the system."""

    CUSTOMER = "customer"
    WORKER = "worker"
    ADMIN = "admin"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class BookingFacts:
    """What the rules need to know about a booking (a pure snapshot)."""

    status: BookingStatus
    requested_at: datetime
    scheduled_start: datetime
    completed_at: datetime | None = None
    # The card was saved for a hold that has not been placed yet.
    hold_deferred: bool = False


START_WINDOW = timedelta(hours=2)
EXPIRE_AFTER_REQUEST = timedelta(hours=48)
AUTO_CONFIRM_AFTER_COMPLETION = timedelta(hours=72)
PAYMENT_ACTION_TIMEOUT = timedelta(minutes=30)
# Card holds expire after about 7 days: a booking further out than
# `HOLD_HORIZON` saves the card, and the hold is placed `DEFERRED_HOLD_LEAD`
# before the start (the `authorize` action below).
HOLD_HORIZON = timedelta(days=6)
DEFERRED_HOLD_LEAD = timedelta(hours=48)
# What refusing a timed action too early says, unless the action says more.
NOT_DUE_YET = "This action is not available yet."


class MoneyPolicy(StrEnum):
    """How an action treats the customer's money (see `payments.effects`)."""

    NONE = "none"  # the money stays where it is
    CAPTURE = "capture"  # take the full total
    RELEASE = "release"  # give everything back (release a hold, or refund)
    CUSTOMER_CANCEL = "customer_cancel"  # free, or the late-cancellation fee
    HOLD = "hold"  # place the deferred hold on the saved card


# The booking times a time guard can count from. The store maps each one to
# its stored field, so the sweeper's database filter follows from the table.
TimeField = Literal["requested_at", "scheduled_start", "completed_at"]


@dataclass(frozen=True, slots=True)
class After:
    """A time guard term: `offset` after one of the booking's times."""

    field: TimeField
    offset: timedelta

    def at(self, facts: BookingFacts) -> datetime | None:
        base: datetime | None = getattr(facts, self.field)
        return None if base is None else base + self.offset


@dataclass(frozen=True, slots=True)
class ActionRule:
    name: str
    button_label: str
    note: str
    from_statuses: frozenset[BookingStatus]
    # None: the booking stays in the status it is in (a payment step).
    to_status: BookingStatus | None
    roles: frozenset[ActorRole]
    is_critical: bool = False
    requires_reason: bool = False
    # What the action does to the money (`payments.effects` works out amounts).
    money: MoneyPolicy = MoneyPolicy.NONE
    # The time guard: the action may be taken from the earliest of these
    # moments on (a term whose time the booking lacks does not count; with
    # terms but none that count, never). No terms: no time guard.
    due: tuple[After, ...] = ()
    too_early_message: str = NOT_DUE_YET
    # System actions taken when something happens (a Stripe webhook, a failed
    # deferred hold) rather than when a time falls due: the sweeper skips them.
    on_event: bool = False
    # Only while a deferred card hold waits to be placed.
    needs_deferred_hold: bool = False

    @property
    def is_system(self) -> bool:
        return self.roles == frozenset({ActorRole.SYSTEM})
