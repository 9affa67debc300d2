"""Dates and digits for display: Jalali for fa, babel's Gregorian for the other locales."""

import re
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tribune.text.calendars import (
    JALALI_MONTHS_FA,
    JALALI_MONTHS_LATIN,
    format_date,
    format_datetime,
    format_number,
    gregorian_from_jalali,
    is_persian,
    jalali_date,
    localize_digits,
    other_calendar,
    parse_user_date,
)

TEHRAN = ZoneInfo("Asia/Tehran")
NOWRUZ_1389 = datetime(2010, 3, 28, 14, 30, tzinfo=UTC)
ASCII_DIGIT = re.compile(r"[0-9]")


# --- digits and numbers --------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["fa", "fa_IR", "fa-IR", "FA"])
def test_persian_locales(locale):
    assert is_persian(locale)
    assert localize_digits(1389, locale) == "۱۳۸۹"


@pytest.mark.parametrize("locale", ["en", "de", "fr", "nl", "en_US", "far"])
def test_other_locales_keep_ascii_digits(locale):
    assert not is_persian(locale)
    assert localize_digits("پست 12", locale) == "پست 12"


def test_localize_digits_leaves_other_characters():
    assert localize_digits("v2.0 – ۳ posts", "fa") == "v۲.۰ – ۳ posts"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        # Babel alone gives "1,234,567" for fa; the fa result uses the Arabic thousands
        # separator U+066C and Persian digits throughout.
        ("fa", "۱\u066c۲۳۴\u066c۵۶۷"),
        ("en", "1,234,567"),
        ("de", "1.234.567"),
        ("nl", "1.234.567"),
        ("fr", "1\u202f234\u202f567"),
    ],
)
def test_format_number_groups_thousands(locale, expected):
    assert format_number(1234567, locale) == expected


def test_small_numbers_are_not_grouped():
    assert format_number(0, "fa") == "۰"
    assert format_number(999, "en") == "999"


# No deadline: a wall-clock limit fails on a busy machine, not on wrong code.
@settings(deadline=None)
@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_persian_numbers_have_no_ascii_digits(n):
    text = format_number(n, "fa")
    assert not ASCII_DIGIT.search(text)
    ascii_text = text.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))
    assert int(re.sub(r"[^0-9-]", "", ascii_text)) == n


# --- Jalali conversion ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gregorian", "jalali"),
    [
        (date(2010, 3, 20), (1388, 12, 29)),  # the last day of 1388
        (date(2010, 3, 21), (1389, 1, 1)),  # Nowruz
        (date(2010, 3, 28), (1389, 1, 8)),
        (date(2010, 12, 31), (1389, 10, 10)),
        (date(2011, 1, 1), (1389, 10, 11)),
        (date(2024, 2, 29), (1402, 12, 10)),  # Gregorian leap day
        (date(2024, 3, 20), (1403, 1, 1)),
        (date(2021, 3, 20), (1399, 12, 30)),  # Jalali leap day
        (date(2025, 3, 20), (1403, 12, 30)),  # Jalali leap day
    ],
)
def test_jalali_conversion_both_ways(gregorian, jalali):
    assert jalali_date(gregorian) == jalali
    assert gregorian_from_jalali(*jalali) == gregorian


@pytest.mark.parametrize("year", [1400, 1404])
def test_esfand_30_exists_only_in_leap_years(year):
    with pytest.raises(ValueError, match=f"{year}-12-30 is not a Jalali date"):
        gregorian_from_jalali(year, 12, 30)


@pytest.mark.parametrize(
    ("year", "month", "day"),
    [(1403, 0, 1), (1403, 13, 1), (1403, 1, 0), (1403, 1, 32), (1403, 7, 31), (1403, 12, 31)],
)
def test_impossible_jalali_dates_are_rejected(year, month, day):
    with pytest.raises(ValueError):
        gregorian_from_jalali(year, month, day)


def test_first_six_months_have_31_days():
    assert gregorian_from_jalali(1403, 6, 31) == date(2024, 9, 21)


# No deadline: a wall-clock limit fails on a busy machine, not on wrong code.
@settings(deadline=None)
@given(st.dates(min_value=date(1800, 1, 1), max_value=date(2200, 12, 31)))
def test_conversion_round_trips(d):
    assert gregorian_from_jalali(*jalali_date(d)) == d


def test_month_names():
    assert len(JALALI_MONTHS_FA) == len(JALALI_MONTHS_LATIN) == 12
    assert (JALALI_MONTHS_FA[0], JALALI_MONTHS_FA[-1]) == ("فروردین", "اسفند")
    assert (JALALI_MONTHS_LATIN[0], JALALI_MONTHS_LATIN[-1]) == ("Farvardin", "Esfand")


@pytest.mark.parametrize("month", range(1, 13))
def test_each_month_is_named(month):
    moment = datetime.combine(gregorian_from_jalali(1403, month, 1), datetime.min.time(), UTC)
    assert format_date(moment, "fa") == f"۱ {JALALI_MONTHS_FA[month - 1]} ۱۴۰۳"
    assert other_calendar(moment, "en") == f"1 {JALALI_MONTHS_LATIN[month - 1]} 1403"


# --- display -------------------------------------------------------------------------------


def test_persian_datetime():
    assert format_datetime(NOWRUZ_1389, "fa") == "۸ فروردین ۱۳۸۹، ۱۴:۳۰"
    assert format_datetime(NOWRUZ_1389, "fa", with_time=False) == "۸ فروردین ۱۳۸۹"
    assert format_date(NOWRUZ_1389, "fa") == "۸ فروردین ۱۳۸۹"


def test_other_locales_use_babel_gregorian():
    assert format_datetime(NOWRUZ_1389, "de") == "28.03.2010, 14:30:00"
    assert format_date(NOWRUZ_1389, "de") == "28. März 2010"
    assert format_date(NOWRUZ_1389, "en") == "March 28, 2010"
    assert format_date(NOWRUZ_1389, "fr") == "28 mars 2010"
    assert format_date(NOWRUZ_1389, "nl") == "28 maart 2010"
    assert format_datetime(NOWRUZ_1389, "en").startswith("Mar 28, 2010, 2:30:00")


def test_other_calendar_tooltip():
    assert other_calendar(NOWRUZ_1389, "fa") == "۲۸ مارس ۲۰۱۰"
    assert other_calendar(NOWRUZ_1389, "en") == "8 Farvardin 1389"
    assert other_calendar(NOWRUZ_1389, "de") == "8 Farvardin 1389"


def test_time_zone_shift_crosses_midnight_and_nowruz():
    # Iran has kept +03:30 all year since 2022, so this offset is fixed.
    evening = datetime(2024, 3, 19, 23, 30, tzinfo=UTC)
    assert format_datetime(evening, "fa") == "۲۹ اسفند ۱۴۰۲، ۲۳:۳۰"
    assert format_datetime(evening, "fa", TEHRAN) == "۱ فروردین ۱۴۰۳، ۰۳:۰۰"
    assert format_date(evening, "en", TEHRAN) == "March 20, 2024"
    assert format_datetime(evening, "de", TEHRAN) == "20.03.2024, 03:00:00"
    assert other_calendar(evening, "en", TEHRAN) == "1 Farvardin 1403"
    assert other_calendar(evening, "fa", TEHRAN) == "۲۰ مارس ۲۰۲۴"


def test_any_aware_datetime_is_converted_first():
    tehran_noon = datetime(2024, 3, 20, 12, 0, tzinfo=timezone(timedelta(hours=3, minutes=30)))
    assert format_datetime(tehran_noon, "fa") == "۱ فروردین ۱۴۰۳، ۰۸:۳۰"


@pytest.mark.parametrize(
    "call",
    [
        lambda dt: format_datetime(dt, "fa"),
        lambda dt: format_datetime(dt, "en", with_time=False),
        lambda dt: format_date(dt, "de"),
        lambda dt: other_calendar(dt, "fa"),
    ],
)
def test_naive_datetimes_are_rejected(call):
    with pytest.raises(ValueError, match="naive"):
        call(datetime(2010, 3, 28, 14, 30))


@settings(deadline=None)
@given(
    st.datetimes(
        min_value=datetime(1900, 1, 1),
        max_value=datetime(2200, 1, 1),
        timezones=st.just(UTC),
    ),
    st.sampled_from([UTC, TEHRAN, ZoneInfo("Europe/Berlin")]),
)
def test_persian_output_has_only_persian_digits(dt, tz):
    for text in (
        format_datetime(dt, "fa", tz),
        format_date(dt, "fa", tz),
        other_calendar(dt, "fa", tz),
    ):
        assert not ASCII_DIGIT.search(text), text
        assert re.search("[۰-۹]", text)


# --- typed dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2010-03-28",
        "2010/03/28",
        "2010-3-28",
        " 2010-03-28 ",
        "1389-01-08",
        "1389/1/8",
        "۱۳۸۹/۰۱/۰۸",
        "۲۰۱۰-۰۳-۲۸",
        "١٣٨٩-٠١-٠٨",  # Arabic-Indic digits
        "۱۳۸۹-01-۰۸",  # mixed digits
    ],
)
def test_parse_user_date(text):
    assert parse_user_date(text) == date(2010, 3, 28)


def test_year_decides_the_calendar():
    assert parse_user_date("1699-01-01") == gregorian_from_jalali(1699, 1, 1)
    assert parse_user_date("1700-01-01") == date(1700, 1, 1)


def test_parse_leap_days():
    assert parse_user_date("2024-02-29") == date(2024, 2, 29)
    assert parse_user_date("1399/12/30") == date(2021, 3, 20)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "yesterday",
        "2010-03",
        "2010-03/28",
        "28/03/2010",
        "20100328",
        "2010-03-28T12:00",
        "2010-003-28",
        "２０１０-03-28",  # fullwidth digits are not a keyboard layout we expect
        "2010.03.28",
    ],
)
def test_parse_user_date_rejects_other_shapes(text):
    with pytest.raises(ValueError, match="is not a date: write it as year-month-day"):
        parse_user_date(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2023-02-29", "2023-02-29 is not a Gregorian date"),
        ("2010-13-01", "2010-13-01 is not a Gregorian date"),
        ("1400-12-30", "1400-12-30 is not a Jalali date"),
        ("۱۴۰۴/۱۲/۳۰", "1404-12-30 is not a Jalali date"),
        ("1403-07-31", "1403-07-31 is not a Jalali date"),
    ],
)
def test_parse_user_date_rejects_impossible_dates(text, message):
    with pytest.raises(ValueError, match=message):
        parse_user_date(text)


# Issue 14: format_datetime builds Babel's medium date-time from cached parts; it must read
# exactly as Babel's own format_datetime does, in every locale and time zone shown.
@settings(max_examples=200)
@given(
    st.datetimes(
        min_value=datetime(1990, 1, 1), max_value=datetime(2040, 12, 31), timezones=st.just(UTC)
    ),
    st.sampled_from(["en", "de", "fr", "nl", "en_GB"]),
    st.sampled_from(["UTC", "Europe/Berlin", "Asia/Tehran", "America/Toronto"]),
)
def test_cached_medium_datetime_reads_as_babel(dt, locale, zone):
    from babel.dates import format_datetime as babel_format_datetime

    tz = ZoneInfo(zone)
    expected = babel_format_datetime(dt.astimezone(tz), format="medium", locale=locale, tzinfo=tz)
    assert format_datetime(dt, locale, tz=tz) == expected
