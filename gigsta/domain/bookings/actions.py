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

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType

from gigsta.domain.bookings.limits import MAX_ACTION_NAME_LENGTH, MAX_REASON_LENGTH
from gigsta.domain.bookings.rules import (
    AUTO_CONFIRM_AFTER_COMPLETION,
    DEFERRED_HOLD_LEAD,
    EXPIRE_AFTER_REQUEST,
    HOLD_HORIZON,
    PAYMENT_ACTION_TIMEOUT,
    START_WINDOW,
    TERMINAL_STATUSES,
    ActionRule,
    ActorRole,
    After,
    BookingFacts,
    BookingStatus,
    MoneyPolicy,
    TimeField,
)
from gigsta.domain.core import ErrorCode, too_long

# The vocabulary is re-exported: callers import the table and its terms here.
__all__ = [
    "ACTIONS",
    "ACTION_TABLE",
    "AUTO_CONFIRM_AFTER_COMPLETION",
    "DEFERRED_HOLD_LEAD",
    "EVENT_ACTIONS",
    "EXPIRE_AFTER_REQUEST",
    "HOLD_HORIZON",
    "PAYMENT_ACTION_TIMEOUT",
    "START_WINDOW",
    "SYSTEM_ACTIONS",
    "TERMINAL_STATUSES",
    "ActionRule",
    "ActorRole",
    "After",
    "BookingEventData",
    "BookingFacts",
    "BookingStatus",
    "MoneyPolicy",
    "Rejection",
    "TimeField",
    "Transition",
    "available_actions",
    "decide",
    "due_at",
]


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
        money=MoneyPolicy.RELEASE,
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
        money=MoneyPolicy.CUSTOMER_CANCEL,
        is_critical=True,
    ),
    ActionRule(
        name="withdraw",
        button_label="Withdraw from booking",
        note="The worker withdrew from the booking.",
        from_statuses=frozenset({S.ACCEPTED}),
        to_status=S.CANCELLED,
        roles=frozenset({R.WORKER}),
        money=MoneyPolicy.RELEASE,
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
        due=(After("scheduled_start", -START_WINDOW),),
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
        money=MoneyPolicy.CAPTURE,
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
        money=MoneyPolicy.CAPTURE,
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
        money=MoneyPolicy.RELEASE,
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
        money=MoneyPolicy.RELEASE,
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
        money=MoneyPolicy.RELEASE,
        due=(
            After("requested_at", EXPIRE_AFTER_REQUEST),
            After("scheduled_start", timedelta(0)),
        ),
        too_early_message="The request has not expired yet.",
    ),
    ActionRule(
        name="auto_confirm",
        button_label="Confirm automatically",
        note="The job was confirmed automatically 72 hours after completion.",
        from_statuses=frozenset({S.COMPLETED}),
        to_status=S.CLOSED,
        roles=frozenset({R.SYSTEM}),
        money=MoneyPolicy.CAPTURE,
        due=(After("completed_at", AUTO_CONFIRM_AFTER_COMPLETION),),
        too_early_message="Automatic confirmation is not due yet.",
    ),
    # Payments: the hold's own life. What each action above does to the money
    # is its `money` policy; `gigsta.domain.payments.effects` works out amounts.
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
        money=MoneyPolicy.RELEASE,
        due=(After("requested_at", PAYMENT_ACTION_TIMEOUT),),
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
    ActionRule(
        name="authorize",
        button_label="Place card hold",
        note="The card hold was placed 48 hours before the start.",
        from_statuses=frozenset({S.REQUESTED, S.ACCEPTED}),
        to_status=None,
        roles=frozenset({R.SYSTEM}),
        money=MoneyPolicy.HOLD,
        due=(After("scheduled_start", -DEFERRED_HOLD_LEAD),),
        too_early_message="The card hold is placed 48 hours before the start.",
        needs_deferred_hold=True,
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
# The actions a person may press, in table order (asked for every booking of
# every page, so the system actions are left out once, here).
PRESSABLE_ACTIONS: tuple[ActionRule, ...] = tuple(
    r for r in ACTION_TABLE if not r.is_system
)


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
    """A decided transition: the rule and the history event it writes (which
    names the statuses it moves between)."""

    rule: ActionRule
    event: BookingEventData


@dataclass(frozen=True, slots=True)
class Rejection:
    code: ErrorCode
    message: str
    field: str | None = None


def _is_timely(rule: ActionRule, facts: BookingFacts, now: datetime) -> bool:
    if not rule.due:
        return True
    earliest = due_at(rule, facts)
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
        for rule in PRESSABLE_ACTIONS
        if role in rule.roles
        and facts.status in rule.from_statuses
        and _is_timely(rule, facts, now)
    ]


def _rejection(
    rule: ActionRule, facts: BookingFacts, role: ActorRole, now: datetime
) -> Rejection | None:
    """Why `role` may not take `rule` on this booking now (None: it may)."""
    words = rule.name.replace("_", " ")
    if role not in rule.roles:
        message = f"A {role.value} may not {words} a booking."
        return Rejection(ErrorCode.NOT_ALLOWED, message, field="action")
    if facts.status not in rule.from_statuses:
        status = facts.status.value.replace("_", " ")
        message = f"Cannot {words} a booking that is {status}."
        return Rejection(ErrorCode.INVALID_TRANSITION, message, field="action")
    if not _is_timely(rule, facts, now):
        return Rejection(
            ErrorCode.INVALID_TRANSITION, rule.too_early_message, field="action"
        )
    if rule.needs_deferred_hold and not facts.hold_deferred:
        message = "No card hold is waiting to be placed."
        return Rejection(ErrorCode.INVALID_TRANSITION, message, field="action")
    return None


def decide(
    facts: BookingFacts,
    action: str,
    role: ActorRole,
    now: datetime,
    *,
    actor_id: str | None = None,
    reason: str | None = None,
) -> Transition | Rejection:
    """Decide a requested transition: the new status and its event, or why not.

    "May this role ever take it?" (`NOT_ALLOWED`) is asked before "is it legal
    from this status, at this time?" (`INVALID_TRANSITION`).
    """
    if len(action) > MAX_ACTION_NAME_LENGTH:
        error = too_long("action", MAX_ACTION_NAME_LENGTH)
        return Rejection(error.code, error.message, field=error.field)
    rule = ACTIONS.get(action)
    if rule is None:
        return Rejection(
            ErrorCode.UNKNOWN_ACTION, f"Unknown action {action!r}.", field="action"
        )
    rejection = _rejection(rule, facts, role, now)
    if rejection is not None:
        return rejection
    cleaned_reason = (reason or "").strip() or None
    if cleaned_reason is not None and len(cleaned_reason) > MAX_REASON_LENGTH:
        error = too_long("reason", MAX_REASON_LENGTH)
        return Rejection(error.code, error.message, field=error.field)
    if rule.requires_reason and cleaned_reason is None:
        return Rejection(
            ErrorCode.REASON_REQUIRED,
            "Please give a reason for this action.",
            field="reason",
        )
    event = BookingEventData(
        action=rule.name,
        from_status=facts.status,
        to_status=rule.to_status or facts.status,
        actor_role=role,
        actor_id=actor_id,
        note=rule.note,
        reason=cleaned_reason,
        at=now,
    )
    return Transition(rule, event)


def due_at(rule: ActionRule, facts: BookingFacts) -> datetime | None:
    """When a timed action becomes possible: the earliest of its terms that the
    booking has a time for (None when it has none, or the rule is untimed)."""
    moments = [m for term in rule.due if (m := term.at(facts)) is not None]
    return min(moments, default=None)
