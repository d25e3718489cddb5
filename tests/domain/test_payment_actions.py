"""The payment side of the action table: new statuses, system actions, and
the money each action moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gigsta.domain.bookings.actions import (
    ACTIONS,
    EVENT_ACTIONS,
    SYSTEM_ACTIONS,
    TERMINAL_STATUSES,
    ActorRole,
    BookingFacts,
    BookingStatus,
    Rejection,
    Transition,
    available_actions,
    decide,
    due_at,
)
from gigsta.domain.core import ErrorCode
from gigsta.domain.payments.effects import (
    POLICY_BY_ACTION,
    EffectKind,
    PaymentFacts,
    PaymentStatus,
    Policy,
)
from gigsta.domain.payments.effects import payment_effect as _payment_effect

S = BookingStatus
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
START = NOW + timedelta(days=3)


def facts(status: BookingStatus, **kw) -> BookingFacts:
    return BookingFacts(
        status=status, requested_at=kw.get("requested_at", NOW), scheduled_start=START
    )


def payment(status: PaymentStatus = PaymentStatus.AUTHORIZED, **kw) -> PaymentFacts:
    return PaymentFacts(
        status=status,
        total=9450,
        captured=kw.get("captured", 0),
        refunded=kw.get("refunded", 0),
        late_cancellation_fee=4500,
        late_cancellation_payout=3825,
        worker_payout=7650,
    )


def payment_effect(*args, **kw):
    """The effect for an accepted booking unless a case names another status
    (only the customer's cancellation depends on it)."""
    kw.setdefault("booking_status", S.ACCEPTED)
    return _payment_effect(*args, **kw)


def test_every_action_has_a_payment_policy():
    assert set(POLICY_BY_ACTION) == set(ACTIONS)


def test_policies_follow_the_issue():
    capture = {n for n, p in POLICY_BY_ACTION.items() if p is Policy.CAPTURE}
    release = {n for n, p in POLICY_BY_ACTION.items() if p is Policy.RELEASE}
    assert capture == {"confirm", "auto_confirm", "resolve_for_worker"}
    assert release == {
        "decline",
        "withdraw",
        "expire",
        "admin_cancel",
        "resolve_for_customer",
        "expire_unpaid",
    }
    assert POLICY_BY_ACTION["cancel"] is Policy.CUSTOMER_CANCEL


def test_payment_statuses_and_system_actions():
    assert S.PAYMENT_FAILED in TERMINAL_STATUSES
    assert S.PENDING_PAYMENT not in TERMINAL_STATUSES
    swept = {r.name for r in SYSTEM_ACTIONS}
    on_event = {r.name for r in EVENT_ACTIONS}
    assert "expire_unpaid" in swept
    assert on_event == {"payment_authorized", "authorization_failed"}
    assert not swept & on_event
    for rule in EVENT_ACTIONS:
        assert rule.is_system and not rule.due
    # Every swept action has a time guard (it would otherwise fire at once).
    for rule in SYSTEM_ACTIONS:
        assert rule.due, rule.name


def test_pending_payment_moves_to_requested_when_authorized():
    decision = decide(
        facts(S.PENDING_PAYMENT), "payment_authorized", ActorRole.SYSTEM, NOW
    )
    assert isinstance(decision, Transition)
    assert decision.event.to_status is S.REQUESTED
    for role in (ActorRole.CUSTOMER, ActorRole.WORKER, ActorRole.ADMIN):
        rejected = decide(facts(S.PENDING_PAYMENT), "payment_authorized", role, NOW)
        assert isinstance(rejected, Rejection)
        assert rejected.code is ErrorCode.NOT_ALLOWED


def test_nobody_can_act_on_a_pending_payment_booking():
    for role in ActorRole:
        assert available_actions(facts(S.PENDING_PAYMENT), role, NOW) == []


def test_unpaid_request_expires_after_30_minutes():
    f = facts(S.PENDING_PAYMENT)
    assert due_at(ACTIONS["expire_unpaid"], f) == NOW + timedelta(minutes=30)
    early = decide(f, "expire_unpaid", ActorRole.SYSTEM, NOW + timedelta(minutes=29))
    assert isinstance(early, Rejection)
    assert early.code is ErrorCode.INVALID_TRANSITION
    due = decide(f, "expire_unpaid", ActorRole.SYSTEM, NOW + timedelta(minutes=30))
    assert isinstance(due, Transition)
    assert due.event.to_status is S.EXPIRED


@pytest.mark.parametrize("status", [S.PENDING_PAYMENT, S.REQUESTED, S.ACCEPTED])
def test_authorization_failure_ends_the_booking(status):
    decision = decide(facts(status), "authorization_failed", ActorRole.SYSTEM, NOW)
    assert isinstance(decision, Transition)
    assert decision.event.to_status is S.PAYMENT_FAILED


@pytest.mark.parametrize("status", [S.IN_PROGRESS, S.COMPLETED, S.CLOSED])
def test_authorization_failure_is_not_legal_once_work_started(status):
    decision = decide(facts(status), "authorization_failed", ActorRole.SYSTEM, NOW)
    assert isinstance(decision, Rejection)


@pytest.mark.parametrize("action", ["confirm", "auto_confirm", "resolve_for_worker"])
def test_capturing_actions_capture_the_total_and_owe_the_payout(action):
    effect = payment_effect(action, payment(), scheduled_start=START, now=NOW)
    assert effect.kind is EffectKind.CAPTURE
    assert (effect.capture_amount, effect.worker_payout) == (9450, 7650)


@pytest.mark.parametrize(
    "action",
    ["decline", "withdraw", "expire", "admin_cancel", "resolve_for_customer"],
)
def test_releasing_actions_release_a_hold(action):
    effect = payment_effect(action, payment(), scheduled_start=START, now=NOW)
    assert effect.kind is EffectKind.RELEASE
    assert effect.worker_payout == 0


def test_releasing_after_capture_refunds_in_full():
    captured = payment(PaymentStatus.CAPTURED, captured=9450)
    effect = payment_effect(
        "resolve_for_customer", captured, scheduled_start=START, now=NOW
    )
    assert effect.kind is EffectKind.REFUND
    assert effect.refunded_total == 9450


def test_expire_unpaid_releases_the_pending_intent():
    pending = payment(PaymentStatus.REQUIRES_ACTION)
    effect = payment_effect("expire_unpaid", pending, scheduled_start=START, now=NOW)
    assert effect.kind is EffectKind.RELEASE


def test_customer_cancel_is_free_before_the_24_hour_mark():
    effect = payment_effect(
        "cancel", payment(), scheduled_start=START, now=START - timedelta(hours=25)
    )
    assert effect.kind is EffectKind.RELEASE


def test_late_customer_cancel_captures_the_fee():
    effect = payment_effect(
        "cancel", payment(), scheduled_start=START, now=START - timedelta(hours=23)
    )
    assert effect.kind is EffectKind.CAPTURE
    assert (effect.capture_amount, effect.worker_payout) == (4500, 3825)


@pytest.mark.parametrize("status", [PaymentStatus.RELEASED, PaymentStatus.FAILED])
def test_nothing_to_move_without_a_live_hold(status):
    for action in ACTIONS:
        effect = payment_effect(action, payment(status), scheduled_start=START, now=NOW)
        assert effect.kind is EffectKind.NONE, action


def test_a_deferred_hold_never_placed_is_charged_when_money_is_due():
    deferred = payment(PaymentStatus.DEFERRED)
    for action in ACTIONS:
        effect = payment_effect(action, deferred, scheduled_start=START, now=NOW)
        if POLICY_BY_ACTION[action] is Policy.CAPTURE:
            assert effect.kind is EffectKind.CHARGE_SAVED_CARD, action
            assert (effect.capture_amount, effect.worker_payout) == (9450, 7650)
        elif action == "cancel":  # free at NOW (three days ahead)
            assert effect.kind is EffectKind.NONE
        elif action == "authorize":  # the hold itself, 48 h before the start
            assert effect.kind is EffectKind.HOLD
        else:
            assert effect.kind is EffectKind.NONE, action
    late = payment_effect(
        "cancel", deferred, scheduled_start=START, now=START - timedelta(hours=2)
    )
    assert (late.kind, late.capture_amount) == (EffectKind.CHARGE_SAVED_CARD, 4500)


def test_already_captured_is_not_captured_again_but_the_worker_is_owed():
    captured = payment(PaymentStatus.CAPTURED, captured=9450)
    effect = payment_effect("confirm", captured, scheduled_start=START, now=NOW)
    assert effect.kind is EffectKind.NONE
    assert effect.worker_payout == 7650
    late = payment(PaymentStatus.CAPTURED, captured=4500)
    effect = payment_effect(
        "cancel", late, scheduled_start=START, now=START - timedelta(hours=1)
    )
    assert (effect.kind, effect.worker_payout) == (EffectKind.NONE, 3825)
    # A capture of another amount is not this action's: nothing is owed by it.
    effect = payment_effect("confirm", late, scheduled_start=START, now=NOW)
    assert (effect.kind, effect.worker_payout) == (EffectKind.NONE, 0)


def test_bookings_without_payment_move_no_money():
    for action in ACTIONS:
        effect = payment_effect(action, None, scheduled_start=START, now=NOW)
        assert effect.kind is EffectKind.NONE


def test_unknown_action_is_a_bug():
    with pytest.raises(KeyError):
        payment_effect("teleport", payment(), scheduled_start=START, now=NOW)


@pytest.mark.parametrize("hours_before", [23, 2, 0])
def test_cancelling_a_request_not_yet_accepted_is_free_even_late(hours_before):
    effect = payment_effect(
        "cancel",
        payment(),
        scheduled_start=START,
        now=START - timedelta(hours=hours_before),
        booking_status=S.REQUESTED,
    )
    assert (effect.kind, effect.capture_amount) == (EffectKind.RELEASE, 0)
    assert effect.fee_waived
