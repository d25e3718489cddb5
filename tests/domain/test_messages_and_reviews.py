"""Message and review rules (pure): body limits, when masking applies, who
may review when, and the review visibility table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gigsta.domain.bookings.actions import ActorRole, BookingStatus
from gigsta.domain.core import ErrorCode, UserError
from gigsta.domain.messages import (
    MAX_MESSAGE_LENGTH,
    OPEN_FOR_MESSAGES,
    MessageText,
    message_text,
    sending_refusal,
)
from gigsta.domain.reviews import (
    REVIEW_PERIOD,
    Relation,
    ReviewFacts,
    hide_errors,
    is_revealed,
    may_see,
    review_input_errors,
    review_refusal,
)

S = BookingStatus
R = ActorRole
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        ("  Hello there \n", S.ACCEPTED, MessageText("Hello there", masked=False)),
        ("Call 021 123 4567", S.REQUESTED, MessageText("Call [phone hidden]", True)),
        (
            "Call 021 123 4567",
            S.PENDING_PAYMENT,
            MessageText("Call [phone hidden]", True),
        ),
        ("Call 021 123 4567", S.ACCEPTED, MessageText("Call 021 123 4567", False)),
        ("Call 021 123 4567", S.IN_PROGRESS, MessageText("Call 021 123 4567", False)),
        ("No contact here", S.REQUESTED, MessageText("No contact here", False)),
        (
            "x" * MAX_MESSAGE_LENGTH,
            S.ACCEPTED,
            MessageText("x" * MAX_MESSAGE_LENGTH, False),
        ),
    ],
)
def test_message_text(body, status, expected):
    assert message_text(body, status) == expected


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("", ErrorCode.INVALID),
        (" \n\t ", ErrorCode.INVALID),
        ("x" * (MAX_MESSAGE_LENGTH + 1), ErrorCode.TOO_LONG),
        # the limit counts the trimmed body
        (" " + "x" * (MAX_MESSAGE_LENGTH + 1) + " ", ErrorCode.TOO_LONG),
    ],
)
def test_message_text_refusals(body, code):
    refused = message_text(body, S.ACCEPTED)
    assert isinstance(refused, UserError)
    assert (refused.field, refused.code) == ("body", code)


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("role", [R.CUSTOMER, R.WORKER, R.ADMIN])
def test_who_may_write_in_which_status(role, status):
    refusal = sending_refusal(role, status)
    if status in OPEN_FOR_MESSAGES:
        assert refusal is None
    else:
        assert refusal is not None and refusal.code is ErrorCode.INVALID_TRANSITION


def test_the_system_never_writes():
    refusal = sending_refusal(R.SYSTEM, S.ACCEPTED)
    assert refusal is not None and refusal.code is ErrorCode.NOT_ALLOWED


@pytest.mark.parametrize(
    ("role", "status", "completed_ago", "code"),
    [
        (R.CUSTOMER, S.COMPLETED, timedelta(hours=1), None),
        (R.WORKER, S.CLOSED, timedelta(days=13, hours=23), None),
        (R.CUSTOMER, S.CLOSED, REVIEW_PERIOD, ErrorCode.REVIEW_NOT_OPEN),
        (R.WORKER, S.COMPLETED, timedelta(days=20), ErrorCode.REVIEW_NOT_OPEN),
        (R.CUSTOMER, S.ACCEPTED, None, ErrorCode.REVIEW_NOT_OPEN),
        (R.CUSTOMER, S.IN_PROGRESS, None, ErrorCode.REVIEW_NOT_OPEN),
        (R.WORKER, S.CANCELLED, None, ErrorCode.REVIEW_NOT_OPEN),
        (R.CUSTOMER, S.DISPUTED, timedelta(hours=1), ErrorCode.REVIEW_NOT_OPEN),
        (R.ADMIN, S.COMPLETED, timedelta(hours=1), ErrorCode.NOT_ALLOWED),
        (R.SYSTEM, S.COMPLETED, timedelta(hours=1), ErrorCode.NOT_ALLOWED),
    ],
)
def test_review_refusal(role, status, completed_ago, code):
    completed_at = None if completed_ago is None else NOW - completed_ago
    refusal = review_refusal(role, status, completed_at, NOW)
    assert (refusal.code if refusal else None) is code


@pytest.mark.parametrize(
    ("rating", "text", "codes"),
    [
        (1, "", []),
        (5, "Great", []),
        (0, "", [ErrorCode.INVALID]),
        (6, "", [ErrorCode.INVALID]),
        (3, "x" * 2001, [ErrorCode.TOO_LONG]),
        (9, "x" * 2001, [ErrorCode.INVALID, ErrorCode.TOO_LONG]),
    ],
)
def test_review_input(rating, text, codes):
    assert [e.code for e in review_input_errors(rating, text)] == codes


def test_hiding_needs_a_reason():
    assert [e.code for e in hide_errors("  ")] == [ErrorCode.REASON_REQUIRED]
    assert [e.code for e in hide_errors("x" * 501)] == [ErrorCode.TOO_LONG]
    assert hide_errors("Abusive") == []


@pytest.mark.parametrize(
    ("revealed_at", "ends_in", "revealed"),
    [
        (None, timedelta(days=1), False),
        (NOW, timedelta(days=1), True),
        (None, timedelta(0), True),  # the period ends at that instant
        (None, -timedelta(seconds=1), True),
    ],
)
def test_reveal(revealed_at, ends_in, revealed):
    assert (
        is_revealed(revealed_at=revealed_at, period_ends_at=NOW + ends_in, now=NOW)
        is revealed
    )


A, U, SU, D, OTHER = (
    Relation.ADMIN,
    Relation.AUTHOR,
    Relation.SUBJECT,
    Relation.DECIDING_WORKER,
    Relation.OTHER,
)
# (about, revealed, hidden): the relations that see such a review.
VISIBILITY = [
    (R.WORKER, False, False, {A, U}),
    (R.WORKER, True, False, {A, U, SU, D, OTHER}),
    (R.WORKER, True, True, {A, U}),
    (R.WORKER, False, True, {A, U}),
    (R.CUSTOMER, False, False, {A, U}),
    (R.CUSTOMER, True, False, {A, U, SU, D}),
    (R.CUSTOMER, True, True, {A, U}),
    (R.CUSTOMER, False, True, {A, U}),
]


@pytest.mark.parametrize(("about", "revealed", "hidden", "seen_by"), VISIBILITY)
@pytest.mark.parametrize("relation", list(Relation))
def test_review_visibility(relation, about, revealed, hidden, seen_by):
    facts = ReviewFacts(about=about, revealed=revealed, hidden=hidden)
    assert may_see(relation, facts) is (relation in seen_by)
