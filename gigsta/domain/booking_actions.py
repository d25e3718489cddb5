"""The booking state machine: one table of actions and two pure functions.

Adding an action means adding one `ActionRule` to `ACTION_TABLE` (and a row to
its test); the API's `availableActions`, `performBookingAction` and the sweeper
follow from the table.

Two separate questions are asked of every request, each with its own error:
"may this role ever take this action?" (`NOT_ALLOWED`) and "is it legal from
this booking's status at this time?" (`INVALID_TRANSITION`). Rules do not know
about users: background jobs act with the `SYSTEM` role.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from gigsta.domain.errors import ErrorCode


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


TERMINAL_STATUSES: frozenset[BookingStatus] = frozenset(
    {
        BookingStatus.DECLINED,
        BookingStatus.EXPIRED,
        BookingStatus.CANCELLED,
        BookingStatus.CLOSED,
        BookingStatus.REFUNDED,
        BookingStatus.PAYMENT_FAILED,
    }
)


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


# A time guard returns the earliest moment an action may be taken, or None when
# it cannot be timed (for example `auto_confirm` on a booking never completed).
EarliestAt = Callable[[BookingFacts], datetime | None]

START_WINDOW = timedelta(hours=2)
EXPIRE_AFTER_REQUEST = timedelta(hours=48)
AUTO_CONFIRM_AFTER_COMPLETION = timedelta(hours=72)
PAYMENT_ACTION_TIMEOUT = timedelta(minutes=30)


def _start_window_opens(facts: BookingFacts) -> datetime:
    return facts.scheduled_start - START_WINDOW


def _request_expires(facts: BookingFacts) -> datetime:
    return min(facts.requested_at + EXPIRE_AFTER_REQUEST, facts.scheduled_start)


def _payment_action_times_out(facts: BookingFacts) -> datetime:
    return facts.requested_at + PAYMENT_ACTION_TIMEOUT


def _auto_confirm_due(facts: BookingFacts) -> datetime | None:
    if facts.completed_at is None:
        return None
    return facts.completed_at + AUTO_CONFIRM_AFTER_COMPLETION


@dataclass(frozen=True, slots=True)
class ActionRule:
    name: str
    button_label: str
    note: str
    from_statuses: frozenset[BookingStatus]
    to_status: BookingStatus
    roles: frozenset[ActorRole]
    is_critical: bool = False
    requires_reason: bool = False
    earliest_at: EarliestAt | None = None
    too_early_message: str = "This action is not available yet."
    # System actions taken when something happens (a Stripe webhook, a failed
    # deferred hold) rather than when a time falls due: the sweeper skips them.
    on_event: bool = False

    @property
    def is_system(self) -> bool:
        return self.roles == frozenset({ActorRole.SYSTEM})


S = BookingStatus
R = ActorRole

ACTION_TABLE: tuple[ActionRule, ...] = (
    ActionRule(
        name="accept",
        button_label="Accept booking",
        note="The worker accepted the booking.",
        from_statuses=frozenset({S.REQUESTED}),
        to_status=S.ACCEPTED,
        roles=frozenset({R.WORKER}),
    ),
    ActionRule(
        name="decline",
        button_label="Decline booking",
        note="The worker declined the booking.",
        from_statuses=frozenset({S.REQUESTED}),
        to_status=S.DECLINED,
        roles=frozenset({R.WORKER}),
        is_critical=True,
        requires_reason=True,
    ),
    ActionRule(
        name="cancel",
        button_label="Cancel booking",
        note="The customer cancelled the booking.",
        from_statuses=frozenset({S.REQUESTED, S.ACCEPTED}),
        to_status=S.CANCELLED,
        roles=frozenset({R.CUSTOMER}),
        is_critical=True,
    ),
    ActionRule(
        name="withdraw",
        button_label="Withdraw from booking",
        note="The worker withdrew from the booking.",
        from_statuses=frozenset({S.ACCEPTED}),
        to_status=S.CANCELLED,
        roles=frozenset({R.WORKER}),
        is_critical=True,
        requires_reason=True,
    ),
    ActionRule(
        name="start",
        button_label="Start job",
        note="The worker started the job.",
        from_statuses=frozenset({S.ACCEPTED}),
        to_status=S.IN_PROGRESS,
        roles=frozenset({R.WORKER}),
        earliest_at=_start_window_opens,
        too_early_message="The job can be started from 2 hours before its start.",
    ),
    ActionRule(
        name="complete",
        button_label="Mark job complete",
        note="The worker marked the job complete.",
        from_statuses=frozenset({S.IN_PROGRESS}),
        to_status=S.COMPLETED,
        roles=frozenset({R.WORKER}),
    ),
    ActionRule(
        name="confirm",
        button_label="Confirm job done",
        note="The customer confirmed the job was done.",
        from_statuses=frozenset({S.COMPLETED}),
        to_status=S.CLOSED,
        roles=frozenset({R.CUSTOMER}),
    ),
    ActionRule(
        name="dispute",
        button_label="Report a problem",
        note="The customer disputed the job.",
        from_statuses=frozenset({S.COMPLETED}),
        to_status=S.DISPUTED,
        roles=frozenset({R.CUSTOMER}),
        is_critical=True,
        requires_reason=True,
    ),
    ActionRule(
        name="resolve_for_worker",
        button_label="Resolve for worker",
        note="An admin resolved the dispute in the worker's favour.",
        from_statuses=frozenset({S.DISPUTED}),
        to_status=S.CLOSED,
        roles=frozenset({R.ADMIN}),
        is_critical=True,
        requires_reason=True,
    ),
    ActionRule(
        name="resolve_for_customer",
        button_label="Resolve for customer (refund)",
        note="An admin resolved the dispute in the customer's favour.",
        from_statuses=frozenset({S.DISPUTED}),
        to_status=S.REFUNDED,
        roles=frozenset({R.ADMIN}),
        is_critical=True,
        requires_reason=True,
    ),
    ActionRule(
        name="admin_cancel",
        button_label="Cancel booking (admin)",
        note="An admin cancelled the booking.",
        from_statuses=frozenset({S.REQUESTED, S.ACCEPTED, S.IN_PROGRESS}),
        to_status=S.CANCELLED,
        roles=frozenset({R.ADMIN}),
        is_critical=True,
        requires_reason=True,
    ),
    ActionRule(
        name="expire",
        button_label="Expire request",
        note="The request expired before the worker answered.",
        from_statuses=frozenset({S.REQUESTED}),
        to_status=S.EXPIRED,
        roles=frozenset({R.SYSTEM}),
        earliest_at=_request_expires,
        too_early_message="The request has not expired yet.",
    ),
    ActionRule(
        name="auto_confirm",
        button_label="Confirm automatically",
        note="The job was confirmed automatically 72 hours after completion.",
        from_statuses=frozenset({S.COMPLETED}),
        to_status=S.CLOSED,
        roles=frozenset({R.SYSTEM}),
        earliest_at=_auto_confirm_due,
        too_early_message="Automatic confirmation is not due yet.",
    ),
    # Payments. The money each action moves is decided by
    # `gigsta.domain.payment_effects.payment_effect`, keyed by these same names.
    ActionRule(
        name="payment_authorized",
        button_label="Card authorized",
        note="The customer completed card authentication; the hold is in place.",
        from_statuses=frozenset({S.PENDING_PAYMENT}),
        to_status=S.REQUESTED,
        roles=frozenset({R.SYSTEM}),
        on_event=True,
    ),
    ActionRule(
        name="expire_unpaid",
        button_label="Expire unpaid request",
        note="Card authentication was not completed within 30 minutes.",
        from_statuses=frozenset({S.PENDING_PAYMENT}),
        to_status=S.EXPIRED,
        roles=frozenset({R.SYSTEM}),
        earliest_at=_payment_action_times_out,
        too_early_message="The customer still has time to authenticate the card.",
    ),
    ActionRule(
        name="authorization_failed",
        button_label="Card authorization failed",
        note="The card could not be authorized for this booking.",
        from_statuses=frozenset({S.PENDING_PAYMENT, S.REQUESTED, S.ACCEPTED}),
        to_status=S.PAYMENT_FAILED,
        roles=frozenset({R.SYSTEM}),
        on_event=True,
    ),
)

ACTIONS: Mapping[str, ActionRule] = MappingProxyType(
    {rule.name: rule for rule in ACTION_TABLE}
)
# The system actions that fall due with time: the sweeper's work list.
SYSTEM_ACTIONS: tuple[ActionRule, ...] = tuple(
    r for r in ACTION_TABLE if r.is_system and not r.on_event
)
# The system actions taken when Stripe reports something (webhook, sweeper).
EVENT_ACTIONS: tuple[ActionRule, ...] = tuple(r for r in ACTION_TABLE if r.on_event)


@dataclass(frozen=True, slots=True)
class BookingEventData:
    """One history entry, written together with the status change."""

    action: str
    from_status: BookingStatus
    to_status: BookingStatus
    actor_role: ActorRole
    actor_id: str | None
    note: str
    reason: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class Transition:
    rule: ActionRule
    from_status: BookingStatus
    to_status: BookingStatus
    event: BookingEventData


@dataclass(frozen=True, slots=True)
class Rejection:
    code: ErrorCode
    message: str
    field: str | None = None


def _is_timely(rule: ActionRule, facts: BookingFacts, now: datetime) -> bool:
    if rule.earliest_at is None:
        return True
    earliest = rule.earliest_at(facts)
    return earliest is not None and now >= earliest


def available_actions(
    facts: BookingFacts, role: ActorRole, now: datetime
) -> list[ActionRule]:
    """The actions `role` may take on the booking now, in table order.

    System actions never appear: nobody presses them.
    """
    if facts.status in TERMINAL_STATUSES:
        return []
    return [
        rule
        for rule in ACTION_TABLE
        if not rule.is_system
        and role in rule.roles
        and facts.status in rule.from_statuses
        and _is_timely(rule, facts, now)
    ]


def decide(
    facts: BookingFacts,
    action: str,
    role: ActorRole,
    now: datetime,
    *,
    actor_id: str | None = None,
    reason: str | None = None,
) -> Transition | Rejection:
    """Decide a requested transition: the new status and its event, or why not."""
    rule = ACTIONS.get(action)
    if rule is None:
        return Rejection(
            ErrorCode.UNKNOWN_ACTION, f"Unknown action {action!r}.", field="action"
        )
    if role not in rule.roles:
        return Rejection(
            ErrorCode.NOT_ALLOWED,
            f"A {role.value} may not {rule.name.replace('_', ' ')} a booking.",
            field="action",
        )
    if facts.status not in rule.from_statuses:
        return Rejection(
            ErrorCode.INVALID_TRANSITION,
            f"Cannot {rule.name.replace('_', ' ')} a booking that is "
            f"{facts.status.value.replace('_', ' ')}.",
            field="action",
        )
    if not _is_timely(rule, facts, now):
        return Rejection(
            ErrorCode.INVALID_TRANSITION, rule.too_early_message, field="action"
        )
    cleaned_reason = (reason or "").strip() or None
    if rule.requires_reason and cleaned_reason is None:
        return Rejection(
            ErrorCode.REASON_REQUIRED,
            "Please give a reason for this action.",
            field="reason",
        )
    event = BookingEventData(
        action=rule.name,
        from_status=facts.status,
        to_status=rule.to_status,
        actor_role=role,
        actor_id=actor_id,
        note=rule.note,
        reason=cleaned_reason,
        at=now,
    )
    return Transition(rule, facts.status, rule.to_status, event)


def due_at(rule: ActionRule, facts: BookingFacts) -> datetime | None:
    """When a timed action becomes possible (used by the sweeper and tests)."""
    return None if rule.earliest_at is None else rule.earliest_at(facts)
