"""Contact details masked in messages before acceptance: one row per format."""

from __future__ import annotations

import pytest

from gigsta.domain.contact_masking import mask_contact_details

PHONE = "[phone hidden]"

PHONES = [
    # New Zealand mobiles (02x + 6 to 8 digits), national and international
    "021 123 4567",
    "021 123 456",
    "022 123 45678",
    "0211234567",
    "027-123-4567",
    "027.123.4567",
    "+64 21 123 4567",
    "+6421 123 4567",
    "+64 (0)21 123 4567",
    "+64-27-123-4567",
    # New Zealand landlines and free-phone (03 to 09 + 7 digits)
    "03 123 4567",
    "(03) 123 4567",
    "04-123-4567",
    "07 838 1234",
    "09.123.4567",
    "(09)1234567",
    "+64 9 123 4567",
    "+64 (0)9 123 4567",
    "0800 123 456",
    # Australian mobiles (04xx xxx xxx)
    "0412 345 678",
    "0412-345-678",
    "0412345678",
    "+61 412 345 678",
    "+61 (0)412 345 678",
    # Australian landlines (0[2378] + 8 digits)
    "(02) 9123 4567",
    "02 9123 4567",
    "03-9123-4567",
    "07 3123 4567",
    "08 9123 4567",
    "+61 2 9123 4567",
    "+61 (0)8 9123 4567",
    # Australian 1300 and 1800 numbers
    "1300 123 456",
    "1800-123-456",
    "1300123456",
]


@pytest.mark.parametrize("number", PHONES)
def test_phone_numbers_are_masked_in_a_sentence(number):
    assert mask_contact_details(f"Call me on {number} after 5") == (
        f"Call me on {PHONE} after 5"
    )


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("mail me: kim@example.co.nz", "mail me: [email hidden]"),
        ("kim.lee+jobs@mail.example.com!", "[email hidden]!"),
        ("kim @ example.nz", "[email hidden]"),
        ("see https://example.com/profile?id=3 ok", "see [link hidden] ok"),
        ("http://x.io", "[link hidden]"),
        ("www.mere-cleans.nz", "[link hidden]"),
        ("find me at merecleans.co.nz/book", "find me at [link hidden]"),
        ("on facebook.com/mere", "on [link hidden]"),
    ],
)
def test_emails_and_links_are_masked(text, masked):
    assert mask_contact_details(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        # Times, dates, prices, quantities, street addresses and references
        "See you on 2027-01-15 at 09:30, it costs $120.50.",
        "Unit 12/345 Queen Street, 3 bedrooms, 2 bathrooms.",
        "It takes 1500 minutes? No, 150.",
        "Booking ref 12345678 and job #98765432.",
        "Between 9.30 and 11.45 works, e.g. Tuesday.",
        "Postcode 2000, about 0.5 km away.",
        "The gate code is 4821.",
        "Rates went up 20 per cent in 2026.",
        "Version 0.4.2 of the app",
    ],
)
def test_ordinary_numbers_and_text_are_left_alone(text):
    assert mask_contact_details(text) == text


def test_everything_in_one_message_is_masked():
    text = "Text 021 123 4567 or mail a@b.nz, site www.a.nz, or 1800 123 456."
    assert mask_contact_details(text) == (
        f"Text {PHONE} or mail [email hidden], site [link hidden], or {PHONE}."
    )
