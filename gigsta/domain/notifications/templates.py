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


def _placeholders(f: EmailFacts) -> dict[str, object]:
    """What the `{names}` in a template's text stand for."""
    return {
        "customer": f.customer_name,
        "worker": f.worker_name,
        "service": f.service.lower(),
        "share": _money(f.worker_payout, f),
        "captured": _money(f.captured, f),
        "payout": _money(f.payout_amount, f),
        "expiry_hours": _hours(EXPIRE_AFTER_REQUEST),
        "confirm_hours": _hours(AUTO_CONFIRM_AFTER_COMPLETION),
    }


def _template(subject: str, *lines: str) -> Writer:
    """An email of fixed text with `{names}` from `_placeholders` filled in."""

    def write(f: EmailFacts) -> tuple[str, list[str]]:
        values = _placeholders(f)
        return subject.format_map(values), [line.format_map(values) for line in lines]

    return write


def _cancelled_customer(f: EmailFacts) -> tuple[str, list[str]]:
    money = (
        "A cancellation fee of {captured} was charged; the rest of the card hold "
        "is released."
        if f.captured
        else "The card hold is released in full; nothing is charged."
    )
    return _template(
        "Your booking has been cancelled",
        "Your {service} booking with {worker} is cancelled.",
        money,
    )(f)


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
        (Notice.NEW_REQUEST, W): _template(
            "New booking request from {customer}",
            "{customer} would like to book you for {service}.",
            "Your share: {share}.",
            "Accept or decline it in GigSta; an unanswered request expires after "
            "{expiry_hours} hours or at the start time, whichever comes first.",
        ),
        (Notice.ACCEPTED, C): _template(
            "{worker} accepted your booking",
            "Good news: {worker} accepted your {service} booking.",
            "The card hold stays in place; nothing is charged until you confirm "
            "the job is done.",
        ),
        (Notice.DECLINED, C): _template(
            "{worker} can't take your booking",
            "{worker} declined your {service} request.",
            "The card hold is released in full; nothing is charged. You can "
            "request another worker in GigSta.",
        ),
        (Notice.EXPIRED, C): _template(
            "Your booking request has expired",
            "Your {service} request expired before it was confirmed.",
            "Any card hold is released in full; nothing is charged.",
        ),
        (Notice.COMPLETED, C): _template(
            "{worker} has finished the job",
            "{worker} marked your {service} job complete.",
            "Please confirm it in GigSta, or report a problem, within "
            "{confirm_hours} hours; after that it is confirmed automatically and "
            "your card is charged.",
        ),
        (Notice.DISPUTED, W): _template(
            "{customer} reported a problem with a job",
            "{customer} reported a problem with the {service} job.",
            "Our team will look into it and be in touch before anything is paid.",
        ),
        (Notice.CANCELLED, C): _cancelled_customer,
        (Notice.CANCELLED, W): _template(
            "Booking with {customer} cancelled",
            "The {service} booking with {customer} is cancelled; please don't go "
            "to the job.",
            "If it was cancelled late, your share of the cancellation fee is paid "
            "out as usual.",
        ),
        (Notice.RECEIPT, C): _template(
            "Receipt: {captured} for {service}",
            "Thanks for confirming the job. {captured} was charged to your card "
            "(GST inclusive).",
        ),
        (Notice.REFUNDED, C): _template(
            "Your booking has been refunded",
            "We resolved the problem with your {service} job in your favour. The "
            "card hold is released; nothing is charged.",
        ),
        (Notice.PAYMENT_FAILED, C): _template(
            "We couldn't authorise your card",
            "The card hold for your {service} booking could not be authorised, so "
            "the booking can't go ahead as it is.",
            "Please book again in GigSta with another card.",
        ),
        (Notice.PAYOUT_SENT, W): _template(
            "You've been paid {payout}",
            "We've sent {payout} for the {service} job with {customer} to your "
            "bank account.",
            "It usually arrives within 2 business days.",
        ),
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
