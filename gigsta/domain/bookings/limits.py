"""Input limits of bookings, in one place (documented in docs/inputs.md).

Each bounds what one client can make the server store or process: a booking
document, with its history, must stay far below MongoDB's 16 MB document
limit whatever its parties send, or every later update of it would fail.
"""

from __future__ import annotations

MAX_DESCRIPTION_LENGTH = 2000
MAX_REASON_LENGTH = 1000
MAX_ACTION_NAME_LENGTH = 64
# Stripe's object ids are far shorter; anything longer is not one.
MAX_PAYMENT_METHOD_ID_LENGTH = 255
# The newest entries are kept. The action table has no cycle, so a booking
# reaches about ten entries; the cap keeps a future cycle (or a bug) from
# growing a document without bound: 100 entries at the longest reason and
# note are about 120 KB.
MAX_HISTORY_ENTRIES = 100
