"""Emails for each notice and role: a subject and a plain-text body.

Written for New Zealand and Australian readers (the recipient's country picks
the greeting and sign-off; spelling is the same: "cancelled", "authorised").
Times are shown in the booking's time zone with the zone's abbreviation and
IANA name ("9:00 am NZDT (Pacific/Auckland)"); amounts are the booking's
GST-inclusive price in its currency ("$94.50 NZD").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType

from gigsta.domain.accounts import Country, Currency
from gigsta.domain.bookings.actions import ActorRole
from gigsta.domain.bookings.rules import (
    AUTO_CONFIRM_AFTER_COMPLETION,
    EXPIRE_AFTER_REQUEST,
)
from gigsta.domain.notifications.rules import Addressed, Notice
from gigsta.domain.payments.pricing import format_money
from gigsta.domain.time_zones import local_time


@dataclass(frozen=True, slots=True)
class EmailFacts:
    """What an email may say about a booking, read when the event is fanned
    out (amounts in integer cents of `currency`; None when unknown)."""

    recipient_name: str
    recipient_country: Country
    customer_name: str
    worker_name: str
    service: str
    description: str
    scheduled_start: datetime
    scheduled_end: datetime
    time_zone: str
    booking_ref: str
    currency: Currency | None = None
    total: int | None = None
    gst_included: int | None = None
    worker_payout: int | None = None
    captured: int | None = None
    refunded: int | None = None
    payout_amount: int | None = None
    reason: str | None = None
    # A message's text, as stored (contact details masked before acceptance).
    message: str | None = None


@dataclass(frozen=True, slots=True)
class Email:
    subject: str
    body: str


def when(start: datetime, end: datetime, zone: str) -> str:
    """`Thursday 5 November 2026, 9:00 am to 11:00 am NZDT (Pacific/Auckland)`."""
    local_start, local_end = local_time(start, zone), local_time(end, zone)
    to = _clock(local_end)
    if local_end.date() != local_start.date():
        to = f"{_day(local_end)}, {to}"
    return (
        f"{_day(local_start)}, {_clock(local_start)} to {to} "
        f"{local_start.tzname()} ({zone})"
    )


def _day(moment: datetime) -> str:
    return f"{moment:%A} {moment.day} {moment:%B %Y}"


def _clock(moment: datetime) -> str:
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d} {'am' if moment.hour < 12 else 'pm'}"


def _money(amount: int | None, facts: EmailFacts) -> str:
    if amount is None or facts.currency is None:
        return "the agreed amount"
    return format_money(amount, facts.currency)


def _price_line(facts: EmailFacts) -> str:
    if facts.total is None or facts.currency is None:
        return ""
    gst = f" (including {_money(facts.gst_included, facts)} GST)"
    return f"Price: {_money(facts.total, facts)}{gst if facts.gst_included else ''}"


def _booking_lines(facts: EmailFacts, *, price: bool) -> list[str]:
    lines = [
        f"Service: {facts.service}",
        f"When: {when(facts.scheduled_start, facts.scheduled_end, facts.time_zone)}",
        f"Details: {facts.description}",
    ]
    if price and _price_line(facts):
        lines.append(_price_line(facts))
    if facts.reason:
        lines.append(f"Reason given: {facts.reason}")
    lines.append(f"Booking reference: {facts.booking_ref}")
    return lines


def _hours(span: timedelta) -> int:
    return int(span.total_seconds() // 3600)


Writer = Callable[[EmailFacts], tuple[str, list[str]]]


def _new_request(f: EmailFacts) -> tuple[str, list[str]]:
    return f"New booking request from {f.customer_name}", [
        f"{f.customer_name} would like to book you for {f.service.lower()}.",
        f"Your share: {_money(f.worker_payout, f)}.",
        "Accept or decline it in GigSta; an unanswered request expires after "
        f"{_hours(EXPIRE_AFTER_REQUEST)} hours or at the start time, whichever "
        "comes first.",
    ]


def _accepted(f: EmailFacts) -> tuple[str, list[str]]:
    return f"{f.worker_name} accepted your booking", [
        f"Good news: {f.worker_name} accepted your {f.service.lower()} booking.",
        "The card hold stays in place; nothing is charged until you confirm "
        "the job is done.",
    ]


def _declined(f: EmailFacts) -> tuple[str, list[str]]:
    return f"{f.worker_name} can't take your booking", [
        f"{f.worker_name} declined your {f.service.lower()} request.",
        "The card hold is released in full; nothing is charged. You can "
        "request another worker in GigSta.",
    ]


def _expired(f: EmailFacts) -> tuple[str, list[str]]:
    return "Your booking request has expired", [
        f"Your {f.service.lower()} request expired before it was confirmed.",
        "Any card hold is released in full; nothing is charged.",
    ]


def _completed(f: EmailFacts) -> tuple[str, list[str]]:
    return f"{f.worker_name} has finished the job", [
        f"{f.worker_name} marked your {f.service.lower()} job complete.",
        "Please confirm it in GigSta, or report a problem, within "
        f"{_hours(AUTO_CONFIRM_AFTER_COMPLETION)} hours; after that it is "
        "confirmed automatically and your card is charged.",
    ]


def _disputed(f: EmailFacts) -> tuple[str, list[str]]:
    return f"{f.customer_name} reported a problem with a job", [
        f"{f.customer_name} reported a problem with the {f.service.lower()} job.",
        "Our team will look into it and be in touch before anything is paid.",
    ]


def _cancelled_customer(f: EmailFacts) -> tuple[str, list[str]]:
    money = (
        f"A cancellation fee of {_money(f.captured, f)} was charged; the rest "
        "of the card hold is released."
        if f.captured
        else "The card hold is released in full; nothing is charged."
    )
    return "Your booking has been cancelled", [
        f"Your {f.service.lower()} booking with {f.worker_name} is cancelled.",
        money,
    ]


def _cancelled_worker(f: EmailFacts) -> tuple[str, list[str]]:
    return f"Booking with {f.customer_name} cancelled", [
        f"The {f.service.lower()} booking with {f.customer_name} is cancelled; "
        "please don't go to the job.",
        "If it was cancelled late, your share of the cancellation fee is paid "
        "out as usual.",
    ]


def _receipt(f: EmailFacts) -> tuple[str, list[str]]:
    return f"Receipt: {_money(f.captured, f)} for {f.service.lower()}", [
        f"Thanks for confirming the job. {_money(f.captured, f)} was charged "
        "to your card (GST inclusive).",
    ]


def _refunded(f: EmailFacts) -> tuple[str, list[str]]:
    return "Your booking has been refunded", [
        f"We resolved the problem with your {f.service.lower()} job in your "
        "favour. The card hold is released; nothing is charged.",
    ]


def _payment_failed(f: EmailFacts) -> tuple[str, list[str]]:
    return "We couldn't authorise your card", [
        f"The card hold for your {f.service.lower()} booking could not be "
        "authorised, so the booking can't go ahead as it is.",
        "Please book again in GigSta with another card.",
    ]


def _payout_sent(f: EmailFacts) -> tuple[str, list[str]]:
    return f"You've been paid {_money(f.payout_amount, f)}", [
        f"We've sent {_money(f.payout_amount, f)} for the {f.service.lower()} "
        f"job with {f.customer_name} to your bank account.",
        "It usually arrives within 2 business days.",
    ]


def _new_message(sender: str) -> Writer:
    def write(f: EmailFacts) -> tuple[str, list[str]]:
        name = getattr(f, sender)
        return f"New message from {name}", [
            f"{name} wrote about the {f.service.lower()} booking:",
            "",
            *(f"> {line}" for line in (f.message or "").splitlines()),
            "",
            "Reply in GigSta: replies by email are not read.",
        ]

    return write


C, W = ActorRole.CUSTOMER, ActorRole.WORKER
WRITERS: MappingProxyType[tuple[Notice, ActorRole], Writer] = MappingProxyType(
    {
        (Notice.NEW_REQUEST, W): _new_request,
        (Notice.ACCEPTED, C): _accepted,
        (Notice.DECLINED, C): _declined,
        (Notice.EXPIRED, C): _expired,
        (Notice.COMPLETED, C): _completed,
        (Notice.DISPUTED, W): _disputed,
        (Notice.CANCELLED, C): _cancelled_customer,
        (Notice.CANCELLED, W): _cancelled_worker,
        (Notice.RECEIPT, C): _receipt,
        (Notice.REFUNDED, C): _refunded,
        (Notice.PAYMENT_FAILED, C): _payment_failed,
        (Notice.PAYOUT_SENT, W): _payout_sent,
        (Notice.NEW_MESSAGE, C): _new_message("worker_name"),
        (Notice.NEW_MESSAGE, W): _new_message("customer_name"),
    }
)
# Prices are shown to the party who pays (the customer) only; a worker's
# emails name their share instead.
_SHOWS_PRICE = frozenset({C})

_GREETING = MappingProxyType({Country.NZ: "Kia ora", Country.AU: "Hi"})
_SIGN_OFF = MappingProxyType({Country.NZ: "Ngā mihi", Country.AU: "Cheers"})


def render(addressed: Addressed, facts: EmailFacts) -> Email:
    """The email for one notice to one party (KeyError: no template for it)."""
    subject, lines = WRITERS[(addressed.notice, addressed.role)](facts)
    footer = (
        "You get this email whatever your settings: it is about money or a "
        "cancellation."
        if addressed.essential
        else "You can turn off booking update emails in your GigSta settings."
    )
    body = "\n".join(
        [
            f"{_GREETING[facts.recipient_country]} {facts.recipient_name},",
            "",
            *lines,
            "",
            *_booking_lines(facts, price=addressed.role in _SHOWS_PRICE),
            "",
            f"{_SIGN_OFF[facts.recipient_country]},",
            "The GigSta team",
            "",
            footer,
        ]
    )
    return Email(subject=f"{subject} ({facts.booking_ref})", body=body + "\n")
