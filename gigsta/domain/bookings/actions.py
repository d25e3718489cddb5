"""The booking state machine: one table of actions and two pure functions.

`ACTION_TABLE` is put together from a few small tables keyed by action name:
`_MOVES` (the state machine, one row an action) and `_WORDS` for every action,
then `_NEEDS_REASON`, `_CRITICAL`, `_TIME_GUARDS` and `_ON_EVENT` for the
actions they concern. Adding an action means a row in `_MOVES` and `_WORDS`
(and in the others that apply, a row in its test, and whom it tells in
`gigsta.domain.notifications.rules`: the README's recipe); the API's
`availableActions`, `performBookingAction` and the sweeper follow from the
table.

Two separate questions are asked of every request, each with its own error:
"may this role ever take this action?" (`NOT_ALLOWED`) and "is it legal from
this booking's status at this time?" (`INVALID_TRANSITION`). Rules do not know
about users: background jobs act with the `SYSTEM` role.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType

from gigsta.domain.bookings.limits import MAX_ACTION_NAME_LENGTH, MAX_REASON_LENGTH
from gigsta.domain.bookings.rules import (
    AUTO_CONFIRM_AFTER_COMPLETION,
    DEFERRED_HOLD_LEAD,
    EXPIRE_AFTER_REQUEST,
    HOLD_HORIZON,
    NOT_DUE_YET,
    PAYMENT_ACTION_TIMEOUT,
    START_WINDOW,
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
M = MoneyPolicy
# Before the job starts: a request the worker has not answered yet, or accepted.
_BEFORE_START = frozenset({S.REQUESTED, S.ACCEPTED})

# The state machine, one row an action (in the order buttons are offered): the
# statuses it may be taken from, the status it leads to (None: the booking stays
# where it is, a payment step), who takes it, and what it does to the money
# (`gigsta.domain.payments.effects` works out amounts).
_MOVES: dict[str, tuple[Set[BookingStatus], BookingStatus | None, ActorRole, M]] = {
    "accept": ({S.REQUESTED}, S.ACCEPTED, R.WORKER, M.NONE),
    "decline": ({S.REQUESTED}, S.DECLINED, R.WORKER, M.RELEASE),
    "cancel": (_BEFORE_START, S.CANCELLED, R.CUSTOMER, M.CUSTOMER_CANCEL),
    "withdraw": ({S.ACCEPTED}, S.CANCELLED, R.WORKER, M.RELEASE),
    "start": ({S.ACCEPTED}, S.IN_PROGRESS, R.WORKER, M.NONE),
    "complete": ({S.IN_PROGRESS}, S.COMPLETED, R.WORKER, M.NONE),
    "confirm": ({S.COMPLETED}, S.CLOSED, R.CUSTOMER, M.CAPTURE),
    "dispute": ({S.COMPLETED}, S.DISPUTED, R.CUSTOMER, M.NONE),
    "resolve_for_worker": ({S.DISPUTED}, S.CLOSED, R.ADMIN, M.CAPTURE),
    "resolve_for_customer": ({S.DISPUTED}, S.REFUNDED, R.ADMIN, M.RELEASE),
    "admin_cancel": (_BEFORE_START | {S.IN_PROGRESS}, S.CANCELLED, R.ADMIN, M.RELEASE),
    "expire": ({S.REQUESTED}, S.EXPIRED, R.SYSTEM, M.RELEASE),
    "auto_confirm": ({S.COMPLETED}, S.CLOSED, R.SYSTEM, M.CAPTURE),
    # Payments: the hold's own life.
    "payment_authorized": ({S.PENDING_PAYMENT}, S.REQUESTED, R.SYSTEM, M.NONE),
    "expire_unpaid": ({S.PENDING_PAYMENT}, S.EXPIRED, R.SYSTEM, M.RELEASE),
    "authorization_failed": (
        {S.PENDING_PAYMENT} | _BEFORE_START,
        S.PAYMENT_FAILED,
        R.SYSTEM,
        M.NONE,
    ),
    "authorize": (_BEFORE_START, None, R.SYSTEM, M.HOLD),
}

# What a person sees: the button, and the note the booking's history keeps.
_WORDS: dict[str, tuple[str, str]] = {
    "accept": ("Accept booking", "The worker accepted the booking."),
    "decline": ("Decline booking", "The worker declined the booking."),
    "cancel": ("Cancel booking", "The customer cancelled the booking."),
    "withdraw": ("Withdraw from booking", "The worker withdrew from the booking."),
    "start": ("Start job", "The worker started the job."),
    "complete": ("Mark job complete", "The worker marked the job complete."),
    "confirm": ("Confirm job done", "The customer confirmed the job was done."),
    "dispute": ("Report a problem", "The customer disputed the job."),
    "resolve_for_worker": (
        "Resolve for worker",
        "An admin resolved the dispute in the worker's favour.",
    ),
    "resolve_for_customer": (
        "Resolve for customer (refund)",
        "An admin resolved the dispute in the customer's favour.",
    ),
    "admin_cancel": ("Cancel booking (admin)", "An admin cancelled the booking."),
    "expire": (
        "Expire request",
        "The request expired before the worker answered.",
    ),
    "auto_confirm": (
        "Confirm automatically",
        "The job was confirmed automatically 72 hours after completion.",
    ),
    "payment_authorized": (
        "Card authorized",
        "The customer completed card authentication; the hold is in place.",
    ),
    "expire_unpaid": (
        "Expire unpaid request",
        "Card authentication was not completed within 30 minutes.",
    ),
    "authorization_failed": (
        "Card authorization failed",
        "The card could not be authorized for this booking.",
    ),
    "authorize": (
        "Place card hold",
        "The card hold was placed 48 hours before the start.",
    ),
}

# Critical actions ask the person to confirm; most of them also ask why.
_NEEDS_REASON = frozenset(
    {
        "decline",
        "withdraw",
        "dispute",
        "resolve_for_worker",
        "resolve_for_customer",
        "admin_cancel",
    }
)
_CRITICAL = _NEEDS_REASON | {"cancel"}

# Timed actions: the moments from which each may be taken (see `After`), and
# what to say to a request made before then.
_TIME_GUARDS: dict[str, tuple[tuple[After, ...], str]] = {
    "start": (
        (After("scheduled_start", -START_WINDOW),),
        "The job can be started from 2 hours before its start.",
    ),
    "expire": (
        (
            After("requested_at", EXPIRE_AFTER_REQUEST),
            After("scheduled_start", timedelta(0)),
        ),
        "The request has not expired yet.",
    ),
    "auto_confirm": (
        (After("completed_at", AUTO_CONFIRM_AFTER_COMPLETION),),
        "Automatic confirmation is not due yet.",
    ),
    "expire_unpaid": (
        (After("requested_at", PAYMENT_ACTION_TIMEOUT),),
        "The customer still has time to authenticate the card.",
    ),
    "authorize": (
        (After("scheduled_start", -DEFERRED_HOLD_LEAD),),
        "The card hold is placed 48 hours before the start.",
    ),
}

# System actions taken when something happens (a Stripe webhook, a failed
# deferred hold) rather than when a time falls due.
_ON_EVENT = frozenset({"payment_authorized", "authorization_failed"})


def _rule(name: str) -> ActionRule:
    """One action's rule, put together from its row in each table above."""
    from_statuses, to_status, role, money = _MOVES[name]
    button_label, note = _WORDS[name]
    due, too_early_message = _TIME_GUARDS.get(name, ((), NOT_DUE_YET))
    return ActionRule(
        name=name,
        button_label=button_label,
        note=note,
        from_statuses=frozenset(from_statuses),
        to_status=to_status,
        roles=frozenset({role}),
        is_critical=name in _CRITICAL,
        requires_reason=name in _NEEDS_REASON,
        money=money,
        due=due,
        too_early_message=too_early_message,
        on_event=name in _ON_EVENT,
        # Placing the deferred hold: only while one waits to be placed.
        needs_deferred_hold=money is M.HOLD,
    )


_NAMED = set(_WORDS) | _CRITICAL | set(_TIME_GUARDS) | _ON_EVENT
if set(_MOVES) != _NAMED:
    raise ValueError(f"Action tables disagree: {sorted(_NAMED ^ set(_MOVES))}")

ACTION_TABLE: tuple[ActionRule, ...] = tuple(_rule(name) for name in _MOVES)

# The statuses a booking never leaves: no action is taken from them.
TERMINAL_STATUSES: frozenset[BookingStatus] = frozenset(BookingStatus).difference(
    *(rule.from_statuses for rule in ACTION_TABLE)
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
