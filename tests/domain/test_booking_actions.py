"""The action table, tested exhaustively against the product's spec.

`SPEC` is written out independently of `ACTION_TABLE` (it is the issue's table),
and every status x action x role combination is checked against it. Adding an
action to the table means adding its row here.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from gigsta.domain.bookings.actions import (
    ACTION_TABLE,
    ACTIONS,
    TERMINAL_STATUSES,
    ActorRole,
    BookingFacts,
    BookingStatus,
    Rejection,
    Transition,
    available_actions,
    decide,
)
from gigsta.domain.core import ErrorCode

S = BookingStatus
R = ActorRole

# action: (from statuses, to status (None: stays), roles, critical, reason required)
SPEC: dict[str, tuple[set[S], S | None, set[R], bool, bool]] = {
    "accept": ({S.REQUESTED}, S.ACCEPTED, {R.WORKER}, False, False),
    "decline": ({S.REQUESTED}, S.DECLINED, {R.WORKER}, True, True),
    "cancel": ({S.REQUESTED, S.ACCEPTED}, S.CANCELLED, {R.CUSTOMER}, True, False),
    "withdraw": ({S.ACCEPTED}, S.CANCELLED, {R.WORKER}, True, True),
    "start": ({S.ACCEPTED}, S.IN_PROGRESS, {R.WORKER}, False, False),
    "complete": ({S.IN_PROGRESS}, S.COMPLETED, {R.WORKER}, False, False),
    "confirm": ({S.COMPLETED}, S.CLOSED, {R.CUSTOMER}, False, False),
    "dispute": ({S.COMPLETED}, S.DISPUTED, {R.CUSTOMER}, True, True),
    "resolve_for_worker": ({S.DISPUTED}, S.CLOSED, {R.ADMIN}, True, True),
    "resolve_for_customer": ({S.DISPUTED}, S.REFUNDED, {R.ADMIN}, True, True),
    "admin_cancel": (
        {S.REQUESTED, S.ACCEPTED, S.IN_PROGRESS},
        S.CANCELLED,
        {R.ADMIN},
        True,
        True,
    ),
    "expire": ({S.REQUESTED}, S.EXPIRED, {R.SYSTEM}, False, False),
    "auto_confirm": ({S.COMPLETED}, S.CLOSED, {R.SYSTEM}, False, False),
    # Payments: the webhook confirms a 3-D Secure hold, unpaid requests expire
    # after 30 minutes, and a hold that fails later ends the booking.
    "payment_authorized": ({S.PENDING_PAYMENT}, S.REQUESTED, {R.SYSTEM}, False, False),
    "expire_unpaid": ({S.PENDING_PAYMENT}, S.EXPIRED, {R.SYSTEM}, False, False),
    "authorization_failed": (
        {S.PENDING_PAYMENT, S.REQUESTED, S.ACCEPTED},
        S.PAYMENT_FAILED,
        {R.SYSTEM},
        False,
        False,
    ),
    # A deferred hold is placed 48 h before the start; the status stays.
    "authorize": ({S.REQUESTED, S.ACCEPTED}, None, {R.SYSTEM}, False, False),
}

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
# Every time guard opens at a moment and stays open, so a booking whose times
# all lie a year back has every guard open at NOW, including the guard of an
# action added later.
ALL_GUARDS_OPEN = {
    "requested_at": NOW - timedelta(days=365),
    "scheduled_start": NOW - timedelta(days=365),
    "completed_at": NOW - timedelta(days=365),
    "hold_deferred": True,
}


def facts(status: S, **overrides: object) -> BookingFacts:
    values = {**ALL_GUARDS_OPEN, **overrides}
    return BookingFacts(status=status, **values)  # type: ignore[arg-type]


def test_table_matches_spec_exactly():
    assert set(ACTIONS) == set(SPEC)
    assert len(ACTION_TABLE) == len(ACTIONS), "action names must be unique"
    for rule in ACTION_TABLE:
        from_statuses, to_status, roles, critical, reason = SPEC[rule.name]
        assert set(rule.from_statuses) == from_statuses, rule.name
        assert rule.to_status is to_status, rule.name
        assert set(rule.roles) == roles, rule.name
        assert rule.is_critical is critical, rule.name
        assert rule.requires_reason is reason, rule.name
        assert rule.button_label and rule.note.endswith("."), rule.name
        assert rule.name.isidentifier() and rule.name == rule.name.lower()


def test_terminal_statuses():
    assert {
        S.DECLINED,
        S.EXPIRED,
        S.CANCELLED,
        S.CLOSED,
        S.REFUNDED,
        S.PAYMENT_FAILED,
    } == TERMINAL_STATUSES
    for rule in ACTION_TABLE:
        assert not (rule.from_statuses & TERMINAL_STATUSES), rule.name


@pytest.mark.parametrize(
    ("status", "action", "role"),
    list(itertools.product(S, SPEC, R)),
    ids=lambda v: getattr(v, "value", v),
)
def test_decide_every_status_action_role(status: S, action: str, role: R):
    from_statuses, to_status, roles, _critical, _reason = SPEC[action]
    result = decide(facts(status), action, role, NOW, actor_id="u1", reason="because")
    if role not in roles:
        assert isinstance(result, Rejection)
        assert result.code is ErrorCode.NOT_ALLOWED
    elif status not in from_statuses:
        assert isinstance(result, Rejection)
        assert result.code is ErrorCode.INVALID_TRANSITION
    else:
        assert isinstance(result, Transition)
        assert result.event.from_status is status
        assert result.event.to_status is (to_status or status)
        assert result.event.action == action
        assert result.event.actor_role is role
        assert result.event.reason == "because"
        assert result.event.at == NOW


@pytest.mark.parametrize(
    ("status", "role"), list(itertools.product(S, R)), ids=lambda v: v.value
)
def test_available_actions_every_status_and_role(status: S, role: R):
    names = [rule.name for rule in available_actions(facts(status), role, NOW)]
    expected = [
        name
        for name, (from_statuses, _to, roles, _c, _r) in SPEC.items()
        if status in from_statuses and role in roles and R.SYSTEM not in roles
    ]
    assert names == expected
    if status in TERMINAL_STATUSES:
        assert names == []


@pytest.mark.parametrize("action", [a for a, spec in SPEC.items() if spec[4]])
def test_reason_required(action: str):
    from_statuses, _to, roles, _c, _r = SPEC[action]
    status = sorted(from_statuses)[0]
    role = next(iter(roles))
    for reason in (None, "", "   "):
        result = decide(facts(status), action, role, NOW, reason=reason)
        assert isinstance(result, Rejection)
        assert result.code is ErrorCode.REASON_REQUIRED
        assert result.field == "reason"


def test_reason_is_optional_and_trimmed_where_not_required():
    result = decide(facts(S.REQUESTED), "accept", R.WORKER, NOW, reason="  ok  ")
    assert isinstance(result, Transition)
    assert result.event.reason == "ok"
    result = decide(facts(S.REQUESTED), "accept", R.WORKER, NOW)
    assert isinstance(result, Transition)
    assert result.event.reason is None


def test_unknown_action():
    result = decide(facts(S.REQUESTED), "teleport", R.WORKER, NOW)
    assert isinstance(result, Rejection)
    assert result.code is ErrorCode.UNKNOWN_ACTION


class TestStartWindow:
    def test_opens_two_hours_before_the_start(self):
        start = NOW + timedelta(hours=2)
        opened = facts(S.ACCEPTED, scheduled_start=start)
        assert isinstance(decide(opened, "start", R.WORKER, NOW), Transition)
        assert "start" in [r.name for r in available_actions(opened, R.WORKER, NOW)]

    def test_closed_one_second_earlier(self):
        start = NOW + timedelta(hours=2, seconds=1)
        early = facts(S.ACCEPTED, scheduled_start=start)
        result = decide(early, "start", R.WORKER, NOW)
        assert isinstance(result, Rejection)
        assert result.code is ErrorCode.INVALID_TRANSITION
        assert "2 hours" in result.message
        names = [r.name for r in available_actions(early, R.WORKER, NOW)]
        assert names == ["withdraw"]


class TestExpire:
    def test_due_48_hours_after_the_request(self):
        requested = NOW - timedelta(hours=48)
        due = facts(
            S.REQUESTED, requested_at=requested, scheduled_start=NOW + timedelta(days=5)
        )
        assert isinstance(decide(due, "expire", R.SYSTEM, NOW), Transition)
        not_yet = facts(
            S.REQUESTED,
            requested_at=requested + timedelta(seconds=1),
            scheduled_start=NOW + timedelta(days=5),
        )
        assert isinstance(decide(not_yet, "expire", R.SYSTEM, NOW), Rejection)

    def test_due_at_the_scheduled_start_when_that_comes_first(self):
        recent = NOW - timedelta(hours=1)
        at_start = facts(S.REQUESTED, requested_at=recent, scheduled_start=NOW)
        assert isinstance(decide(at_start, "expire", R.SYSTEM, NOW), Transition)
        before = facts(
            S.REQUESTED, requested_at=recent, scheduled_start=NOW + timedelta(seconds=1)
        )
        assert isinstance(decide(before, "expire", R.SYSTEM, NOW), Rejection)


class TestAutoConfirm:
    def test_due_72_hours_after_completion(self):
        done = facts(S.COMPLETED, completed_at=NOW - timedelta(hours=72))
        assert isinstance(decide(done, "auto_confirm", R.SYSTEM, NOW), Transition)
        recent = facts(S.COMPLETED, completed_at=NOW - timedelta(hours=71, minutes=59))
        result = decide(recent, "auto_confirm", R.SYSTEM, NOW)
        assert isinstance(result, Rejection)
        assert result.code is ErrorCode.INVALID_TRANSITION

    def test_never_due_without_a_completion_time(self):
        result = decide(
            facts(S.COMPLETED, completed_at=None), "auto_confirm", R.SYSTEM, NOW
        )
        assert isinstance(result, Rejection)


class TestAuthorize:
    def test_due_48_hours_before_the_start(self):
        start = NOW + timedelta(hours=48)
        due = facts(S.ACCEPTED, scheduled_start=start)
        result = decide(due, "authorize", R.SYSTEM, NOW)
        assert isinstance(result, Transition)
        assert result.event.to_status is S.ACCEPTED
        early = facts(S.ACCEPTED, scheduled_start=start + timedelta(seconds=1))
        result = decide(early, "authorize", R.SYSTEM, NOW)
        assert isinstance(result, Rejection)
        assert result.code is ErrorCode.INVALID_TRANSITION

    def test_only_while_a_deferred_hold_waits(self):
        held = facts(S.REQUESTED, hold_deferred=False)
        result = decide(held, "authorize", R.SYSTEM, NOW)
        assert isinstance(result, Rejection)
        assert result.code is ErrorCode.INVALID_TRANSITION


def test_system_actions_never_offered_to_anyone():
    for status, role in itertools.product(S, R):
        offered = {r.name for r in available_actions(facts(status), role, NOW)}
        assert not offered & {r.name for r in ACTION_TABLE if r.is_system}
