"""Where a booking's times are read: the IANA time zone of the job's address.

Pure: the zone follows from what an address carries (country, region, postcode,
coordinates) or, for a booking without an address, from the customer's country.
Times are stored in UTC; `local_time` shows one at the zone's offset at that
instant, so daylight saving is right on either side of a switch.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from gigsta.domain.accounts import Country

if TYPE_CHECKING:
    from gigsta.domain.places import Address

COUNTRY_TIME_ZONES: MappingProxyType[Country, str] = MappingProxyType(
    {Country.NZ: "Pacific/Auckland", Country.AU: "Australia/Sydney"}
)

NZ_CHATHAM = "Pacific/Chatham"
# The Chatham Islands have one postcode. They lie east of the 180th meridian
# (negative longitudes) while all of mainland NZ lies west of it; the band
# south of 40 degrees S leaves out the Kermadecs, which keep Auckland's time.
_CHATHAM_POSTCODE = "8942"
_CHATHAM_NAME = "chatham islands"
_CHATHAM_SOUTH_OF = -40.0

# Australian states and territories, by the abbreviation Addressable (and the
# post) uses and by full name, to their zone.
AU_STATE_TIME_ZONES: MappingProxyType[str, str] = MappingProxyType(
    {
        "NSW": "Australia/Sydney",
        "NEW SOUTH WALES": "Australia/Sydney",
        "ACT": "Australia/Sydney",
        "AUSTRALIAN CAPITAL TERRITORY": "Australia/Sydney",
        "JBT": "Australia/Sydney",
        "JERVIS BAY TERRITORY": "Australia/Sydney",
        "VIC": "Australia/Melbourne",
        "VICTORIA": "Australia/Melbourne",
        "QLD": "Australia/Brisbane",
        "QUEENSLAND": "Australia/Brisbane",
        "SA": "Australia/Adelaide",
        "SOUTH AUSTRALIA": "Australia/Adelaide",
        "NT": "Australia/Darwin",
        "NORTHERN TERRITORY": "Australia/Darwin",
        "WA": "Australia/Perth",
        "WESTERN AUSTRALIA": "Australia/Perth",
        "TAS": "Australia/Hobart",
        "TASMANIA": "Australia/Hobart",
    }
)
# Places of a state that keep another clock, by postcode. Broken Hill and its
# surrounds (NSW 2880) keep South Australia's time; IANA gives them their own
# zone, Australia/Broken_Hill, with Adelaide's offsets. Lord Howe Island (NSW
# 2898) is 30 minutes ahead of Sydney and moves only 30 minutes for summer.
AU_POSTCODE_TIME_ZONES: MappingProxyType[str, str] = MappingProxyType(
    {"2880": "Australia/Broken_Hill", "2898": "Australia/Lord_Howe"}
)


def address_time_zone(address: Address) -> str | None:
    """The zone of an NZ or AU address; None when the address does not say."""
    if address.country == Country.NZ:
        return NZ_CHATHAM if _in_chathams(address) else COUNTRY_TIME_ZONES[Country.NZ]
    if address.country == Country.AU:
        postcode = (address.postcode or "").strip()
        region = (address.region or "").strip().upper()
        return AU_POSTCODE_TIME_ZONES.get(postcode) or AU_STATE_TIME_ZONES.get(region)
    return None


def _in_chathams(address: Address) -> bool:
    names = (address.region, address.city, address.locality)
    return (
        (address.postcode or "").strip() == _CHATHAM_POSTCODE
        or any(name and name.strip().lower() == _CHATHAM_NAME for name in names)
        or (address.longitude < 0 and address.latitude < _CHATHAM_SOUTH_OF)
    )


def booking_time_zone(address: Address | None, customer_country: Country) -> str:
    """The zone a booking's times are shown in: the job's address's, else (no
    address, or one that names no known state) the customer's country's."""
    found = address_time_zone(address) if address is not None else None
    return found or COUNTRY_TIME_ZONES[customer_country]


def local_time(moment: datetime, zone: str) -> datetime:
    """`moment` at `zone`'s offset at that instant (a naive one is taken as UTC,
    as the database stores it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(zone))
