"""Contact details in booking messages, masked until the worker accepts (pure).

Before a booking is accepted, the platform is what brings the two sides
together, so a message may not carry a way to reach the other side off it
(Airtasker hides phone numbers and emails in private messages until the task
is assigned). `mask_contact_details` replaces, in this order:

- **emails** (`name@host.tld`, also with ` @ ` spaced out) with `[email hidden]`;
- **links**: `http://` or `https://` URLs, `www.` hosts, and bare host names
  ending in a common top-level domain (`.com`, `.nz`, `.au`, `.net`, `.org`,
  `.io`, `.co`, `.me`, `.app`, `.biz`, `.info`), with `[link hidden]`;
- **phone numbers** of New Zealand and Australia, with `[phone hidden]`:
  - NZ mobiles `02x` + 6 to 8 digits (`021 123 4567`), or `+64 2x ...`;
  - NZ landlines and free-phone `03`-`09` + 7 digits (`09 123 4567`,
    `0800 123 456`), or `+64 3`-`9` + 7 digits;
  - AU mobiles `04xx xxx xxx`, or `+61 4xx xxx xxx`;
  - AU landlines `0[2378]` + 8 digits (`(02) 9123 4567`), or `+61 [2378] ...`;
  - AU `1300` and `1800` + 6 digits.

  Digits may be grouped with spaces, dashes, dots or parentheses (up to two
  of these between two digits), and `+64 (0)21 ...` is read as `+64 21 ...`.
  A number must not be glued to other digits or letters, so times, prices,
  dates and street numbers are left alone.

Not caught (a determined person can always spell a number out): digits
written as words, emails written with "at" and "dot", numbers split across
messages.
"""

from __future__ import annotations

import re

EMAIL_MASK = "[email hidden]"
LINK_MASK = "[link hidden]"
PHONE_MASK = "[phone hidden]"

# Between two digits of a phone number: nothing, or up to two of these.
_SEP = r"[ .\-()]{0,2}"


def _digits(count: str) -> str:
    """`count` (a regex quantifier body such as `7` or `6,8`) more digits,
    each after an optional separator."""
    return rf"(?:{_SEP}\d){{{count}}}"


# What may follow the trunk `0` or the country code: national significant numbers.
_NZ_NATIONAL = rf"(?:2{_SEP}\d{_digits('6,8')}|[3-9]{_digits('7')})"
_AU_NATIONAL = rf"(?:[2-478]{_digits('8')})"
_COUNTRY_CODE = rf"\+{_SEP}6[14]{_SEP}(?:\(0\))?{_SEP}"

_PHONE = re.compile(
    r"(?<![\w+])"  # not glued to a word or another number
    r"(?:"
    rf"{_COUNTRY_CODE}(?:{_NZ_NATIONAL}|{_AU_NATIONAL})"
    rf"|\(?0{_SEP}(?:{_NZ_NATIONAL}|{_AU_NATIONAL})"
    rf"|1{_SEP}[38]{_SEP}0{_SEP}0{_digits('6')}"
    r")"
    r"(?!\d)"
)
_EMAIL = re.compile(
    r"[\w.+\-]+\s?@\s?[\w\-]+(?:\.[\w\-]+)+", re.IGNORECASE | re.UNICODE
)
_TLDS = "com|nz|au|net|org|io|co|me|app|biz|info"
# The rest of a link: anything up to a space, but not a closing punctuation mark.
_REST = r"(?:\S*[^\s.,;:!?)\]'\"])?"
_LINK = re.compile(
    rf"(?:https?://|www\.){_REST}"
    rf"|\b[a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)*\.(?:{_TLDS})\b(?:/{_REST})?",
    re.IGNORECASE,
)


def mask_contact_details(text: str) -> str:
    """`text` with every email, link and NZ/AU phone number replaced."""
    text = _EMAIL.sub(EMAIL_MASK, text)
    text = _LINK.sub(LINK_MASK, text)
    return _PHONE.sub(PHONE_MASK, text)
