from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta, timezone

import pytest

from gigsta.domain.accounts import Country
from gigsta.domain.places import Address
from gigsta.domain.time_zones import (
    AU_POSTCODE_TIME_ZONES,
    AU_STATE_TIME_ZONES,
    COUNTRY_TIME_ZONES,
    NZ_CHATHAM,
    address_time_zone,
    booking_time_zone,
    local_time,
)


def place(
    country: str,
    region: str | None,
    postcode: str | None,
    latitude: float,
    longitude: float,
    *,
    city: str | None = None,
) -> Address:
    return Address(
        formatted="somewhere",
        street_number="1",
        street="Main Road",
        locality=None,
        city=city,
        region=region,
        postcode=postcode,
        country=country,
        latitude=latitude,
        longitude=longitude,
    )


@pytest.mark.parametrize(
    ("address", "zone"),
    [
        (place("NZ", "Auckland", "1010", -36.8437, 174.7669), "Pacific/Auckland"),
        (place("NZ", "Canterbury", "8011", -43.533, 172.634), "Pacific/Auckland"),
        (place("NZ", "Otago", "9016", -45.87, 170.503), "Pacific/Auckland"),
        # Waitangi, Chatham Islands: by postcode, by name, by where it lies.
        (place("NZ", "Chatham Islands", "8942", -43.954, -176.56), "Pacific/Chatham"),
        (place("NZ", None, "8942", -43.954, -176.56), "Pacific/Chatham"),
        (place("NZ", " chatham islands ", None, -43.954, -176.56), "Pacific/Chatham"),
        (place("NZ", None, None, -43.954, -176.56), "Pacific/Chatham"),
        (place("NZ", None, None, 0, 0, city="Chatham Islands"), "Pacific/Chatham"),
        # Raoul Island (Kermadecs) lies east of 180 too, but keeps NZ time.
        (place("NZ", None, None, -29.25, -177.92), "Pacific/Auckland"),
        (place("AU", "NSW", "2000", -33.8675, 151.21), "Australia/Sydney"),
        (place("AU", "New South Wales", "2000", -33.8675, 151.21), "Australia/Sydney"),
        (place("AU", "ACT", "2601", -35.28, 149.13), "Australia/Sydney"),
        (place("AU", "VIC", "3000", -37.813, 144.968), "Australia/Melbourne"),
        (place("AU", "QLD", "4000", -27.469, 153.026), "Australia/Brisbane"),
        (place("AU", "SA", "5000", -34.923, 138.601), "Australia/Adelaide"),
        (place("AU", "NT", "0800", -12.4634, 130.8456), "Australia/Darwin"),
        (place("AU", "WA", "6000", -31.955, 115.859), "Australia/Perth"),
        (place("AU", "wa", "6000", -31.955, 115.859), "Australia/Perth"),
        (place("AU", "TAS", "7000", -42.882, 147.329), "Australia/Hobart"),
        (place("AU", "Tasmania", "7000", -42.882, 147.329), "Australia/Hobart"),
        # NSW, but on South Australia's clock; and Lord Howe's own half hour.
        (place("AU", "NSW", "2880", -31.9539, 141.4539), "Australia/Broken_Hill"),
        (place("AU", "NSW", "2898", -31.5554, 159.0821), "Australia/Lord_Howe"),
        # An address that names no state it knows: the caller decides.
        (place("AU", None, "2000", -33.8675, 151.21), None),
        (place("AU", "Atlantis", "2000", -33.8675, 151.21), None),
        (place("FJ", "Central", None, -18.14, 178.44), None),
    ],
)
def test_address_time_zone(address, zone):
    assert address_time_zone(address) == zone


def test_every_au_state_and_territory_abbreviation_is_mapped():
    short = {k: v for k, v in AU_STATE_TIME_ZONES.items() if len(k) <= 3}
    assert short == {
        "NSW": "Australia/Sydney",
        "ACT": "Australia/Sydney",
        "JBT": "Australia/Sydney",
        "VIC": "Australia/Melbourne",
        "QLD": "Australia/Brisbane",
        "SA": "Australia/Adelaide",
        "NT": "Australia/Darwin",
        "WA": "Australia/Perth",
        "TAS": "Australia/Hobart",
    }


WELLINGTON = place("NZ", "Wellington", "6011", -41.279, 174.779)
PERTH = place("AU", "WA", "6000", -31.955, 115.859)
NO_STATE = place("AU", None, None, -31.955, 115.859)


@pytest.mark.parametrize(
    ("address", "customer_country", "zone"),
    [
        (None, Country.NZ, "Pacific/Auckland"),
        (None, Country.AU, "Australia/Sydney"),
        (WELLINGTON, Country.NZ, "Pacific/Auckland"),
        (PERTH, Country.AU, "Australia/Perth"),
        # The job's place wins over where the customer lives.
        (PERTH, Country.NZ, "Australia/Perth"),
        (NO_STATE, Country.AU, "Australia/Sydney"),
    ],
)
def test_booking_time_zone(address, customer_country, zone):
    assert booking_time_zone(address, customer_country) == zone


ALL_ZONES = sorted(
    {
        *COUNTRY_TIME_ZONES.values(),
        *AU_STATE_TIME_ZONES.values(),
        *AU_POSTCODE_TIME_ZONES.values(),
        NZ_CHATHAM,
    }
)


def test_every_zone_loads_from_the_tzdata_package_alone():
    """Machines without the system's zone files (slim images, Windows) still
    know every zone: the `tzdata` dependency carries them."""
    zoneinfo.reset_tzpath(to=[])
    try:
        for zone in [*ALL_ZONES, "UTC"]:
            assert zoneinfo.ZoneInfo.no_cache(zone).key == zone
    finally:
        zoneinfo.reset_tzpath()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "moment", "offset"),
    [
        # NZ: daylight time ends 3 am on the first Sunday of April (4 April
        # 2027) and starts 2 am on the last Sunday of September (26 September).
        ("Pacific/Auckland", utc(2027, 4, 3, 13, 59), timedelta(hours=13)),
        ("Pacific/Auckland", utc(2027, 4, 3, 14, 0), timedelta(hours=12)),
        ("Pacific/Auckland", utc(2027, 9, 25, 13, 59), timedelta(hours=12)),
        ("Pacific/Auckland", utc(2027, 9, 25, 14, 0), timedelta(hours=13)),
        # The Chathams move with NZ, 45 minutes ahead.
        ("Pacific/Chatham", utc(2027, 4, 3, 13, 59), timedelta(hours=13, minutes=45)),
        ("Pacific/Chatham", utc(2027, 4, 3, 14, 0), timedelta(hours=12, minutes=45)),
        # NSW: ends 3 am on the first Sunday of April, starts 2 am on the first
        # Sunday of October (3 October 2027).
        ("Australia/Sydney", utc(2027, 4, 3, 15, 59), timedelta(hours=11)),
        ("Australia/Sydney", utc(2027, 4, 3, 16, 0), timedelta(hours=10)),
        ("Australia/Sydney", utc(2027, 10, 2, 15, 59), timedelta(hours=10)),
        ("Australia/Sydney", utc(2027, 10, 2, 16, 0), timedelta(hours=11)),
        # No daylight time in Queensland or Western Australia.
        ("Australia/Brisbane", utc(2027, 1, 10, 0, 0), timedelta(hours=10)),
        ("Australia/Perth", utc(2027, 1, 10, 0, 0), timedelta(hours=8)),
        ("Australia/Broken_Hill", utc(2027, 1, 10, 0, 0), timedelta(hours=10.5)),
        ("Australia/Lord_Howe", utc(2027, 1, 10, 0, 0), timedelta(hours=11)),
        ("Australia/Lord_Howe", utc(2027, 7, 10, 0, 0), timedelta(hours=10.5)),
    ],
)
def test_local_time_has_the_offset_of_that_instant(zone, moment, offset):
    shown = local_time(moment, zone)
    # The same instant. (Not `shown == moment`: Python never calls a wall time
    # that occurs twice, as 2:59 am on 4 April in Auckland, equal to one in
    # another zone.)
    assert shown.astimezone(UTC) == moment
    assert shown.utcoffset() == offset


def test_local_time_takes_any_offset_and_naive_times_as_utc():
    plus13 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone(timedelta(hours=13)))
    perth = local_time(plus13, "Australia/Perth")
    assert perth.isoformat() == "2026-12-01T04:00:00+08:00"
    naive = datetime(2026, 11, 30, 20, 0)  # as a store without tz_aware gives
    assert local_time(naive, "Pacific/Auckland").isoformat() == (
        "2026-12-01T09:00:00+13:00"
    )


def test_a_wall_time_that_occurs_twice_reads_with_its_own_offset():
    """At the end of NZ daylight time 2:30 am happens twice, an hour apart."""
    first = local_time(utc(2027, 4, 3, 13, 30), "Pacific/Auckland")
    second = local_time(utc(2027, 4, 3, 14, 30), "Pacific/Auckland")
    assert first.isoformat() == "2027-04-04T02:30:00+13:00"
    assert second.isoformat() == "2027-04-04T02:30:00+12:00"
