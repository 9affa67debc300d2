"""Yearly recurrence in the Gregorian and the Jalali calendar, and months of both calendars."""

from datetime import date

import pytest
from persiantools.jdatetime import JalaliDate

from tribune.text import recurrence
from tribune.text.months import Month, month_of, weeks
from tribune.text.recurrence import GREGORIAN, JALALI


def test_gregorian_commemoration_falls_on_the_same_day_every_year():
    found = recurrence.occurrences(GREGORIAN, 3, 8, date(2024, 1, 1), date(2027, 1, 1))
    assert found == [date(2024, 3, 8), date(2025, 3, 8), date(2026, 3, 8)]


@pytest.mark.parametrize(
    "year, expected",
    [
        (1399, date(2020, 12, 6)),
        (1400, date(2021, 12, 7)),
        (1402, date(2023, 12, 7)),
        (1403, date(2024, 12, 6)),
        (1404, date(2025, 12, 7)),
    ],
)
def test_16_azar_maps_to_different_gregorian_days(year, expected):
    assert recurrence.date_in_year(JALALI, 9, 16, year) == expected


def test_16_azar_recurs_once_a_year_on_its_own_gregorian_date():
    found = recurrence.occurrences(JALALI, 9, 16, date(2020, 1, 1), date(2026, 1, 1))
    assert found == [
        date(2020, 12, 6),
        date(2021, 12, 7),
        date(2022, 12, 7),
        date(2023, 12, 7),
        date(2024, 12, 6),
        date(2025, 12, 7),
    ]
    assert {d.day for d in found} == {6, 7}


@pytest.mark.parametrize(
    "jalali_year, nowruz",
    [(1399, date(2020, 3, 20)), (1400, date(2021, 3, 21)), (1403, date(2024, 3, 20)),
     (1404, date(2025, 3, 21)), (1407, date(2028, 3, 20))],
)  # fmt: skip
def test_nowruz_the_jalali_new_year_moves_between_20_and_21_march(jalali_year, nowruz):
    assert recurrence.date_in_year(JALALI, 1, 1, jalali_year) == nowruz


def test_a_gregorian_window_around_nowruz_finds_both_jalali_years():
    # 1 March - 1 April 2025 holds the end of 1403 (a leap year: Esfand has 30 days) and
    # the start of 1404.
    start, end = date(2025, 3, 1), date(2025, 4, 1)
    assert recurrence.occurrences(JALALI, 1, 1, start, end) == [date(2025, 3, 21)]
    assert recurrence.occurrences(JALALI, 12, 30, start, end) == [date(2025, 3, 20)]
    assert recurrence.occurrences(JALALI, 12, 29, start, end) == [date(2025, 3, 19)]


def test_esfand_30_exists_in_leap_years_and_falls_back_to_esfand_29_otherwise():
    assert JalaliDate.is_leap(1403) and not JalaliDate.is_leap(1404)
    # Leap year: its own day, the eve of Nowruz 1404.
    assert recurrence.date_in_year(JALALI, 12, 30, 1403) == date(2025, 3, 20)
    # Common year: observed on 29 Esfand, still the last day of the year, never in the next one.
    observed = recurrence.date_in_year(JALALI, 12, 30, 1404)
    assert observed == recurrence.date_in_year(JALALI, 12, 29, 1404) == date(2026, 3, 20)
    assert observed < recurrence.date_in_year(JALALI, 1, 1, 1405)


def test_esfand_30_recurs_every_year_without_gaps_or_doubles():
    found = recurrence.occurrences(JALALI, 12, 30, date(2020, 1, 1), date(2030, 1, 1))
    years = [recurrence.year_of(JALALI, day) for day in found]
    assert years == list(range(years[0], years[0] + 10))
    for day in found:
        # Always the last day of its Jalali year: the next day is Nowruz.
        assert JalaliDate(day).month == 12
        assert JalaliDate(day.fromordinal(day.toordinal() + 1)).month == 1


def test_29_february_is_observed_on_28_february_in_common_years():
    found = recurrence.occurrences(GREGORIAN, 2, 29, date(2023, 1, 1), date(2026, 1, 1))
    assert found == [date(2023, 2, 28), date(2024, 2, 29), date(2025, 2, 28)]


def test_dey_commemoration_straddles_the_gregorian_new_year():
    # 10 Dey is in late December or on 31 December / 1 January depending on the year.
    found = recurrence.occurrences(JALALI, 10, 11, date(2024, 12, 1), date(2026, 2, 1))
    assert [JalaliDate(d).month for d in found] == [10, 10]
    assert found == sorted(found) and len(found) == 2


def test_since_year_hides_earlier_years():
    found = recurrence.occurrences(GREGORIAN, 12, 10, date(1940, 1, 1), date(1953, 1, 1), 1950)
    assert found == [date(1950, 12, 10), date(1951, 12, 10), date(1952, 12, 10)]
    found = recurrence.occurrences(JALALI, 9, 16, date(1950, 1, 1), date(1956, 1, 1), 1332)
    assert [recurrence.year_of(JALALI, d) for d in found] == [1332, 1333, 1334]


@pytest.mark.parametrize(
    "calendar, month, day",
    [(GREGORIAN, 2, 30), (GREGORIAN, 4, 31), (GREGORIAN, 13, 1), (JALALI, 7, 31),
     (JALALI, 12, 31), (JALALI, 0, 1), ("lunar", 1, 1)],
)  # fmt: skip
def test_days_that_never_exist_are_refused(calendar, month, day):
    with pytest.raises(ValueError):
        recurrence.validate(calendar, month, day)


def test_next_occurrence_includes_today():
    assert recurrence.next_occurrence(GREGORIAN, 5, 1, date(2026, 5, 1)) == date(2026, 5, 1)
    assert recurrence.next_occurrence(GREGORIAN, 5, 1, date(2026, 5, 2)) == date(2027, 5, 1)


def test_jalali_months_as_gregorian_spans():
    esfand_1403 = Month(JALALI, 1403, 12)
    assert esfand_1403.first == date(2025, 2, 19)
    assert esfand_1403.length == 30 and esfand_1403.end == date(2025, 3, 21)
    assert Month(JALALI, 1404, 12).length == 29
    assert esfand_1403.plus(1) == Month(JALALI, 1404, 1)
    assert Month(JALALI, 1404, 1).plus(-1) == esfand_1403
    assert month_of(date(2025, 3, 21), JALALI) == Month(JALALI, 1404, 1)
    assert month_of(date(2025, 3, 20), JALALI) == esfand_1403


def test_gregorian_months_and_week_rows():
    march = Month(GREGORIAN, 2025, 3)
    assert (march.first, march.end, march.length) == (date(2025, 3, 1), date(2025, 4, 1), 31)
    assert Month(GREGORIAN, 2024, 2).length == 29
    monday_rows = weeks(march, first_weekday=0)
    assert monday_rows[0][:5] == [None] * 5 and monday_rows[0][5] == date(2025, 3, 1)
    saturday_rows = weeks(march, first_weekday=5)
    assert saturday_rows[0][0] == date(2025, 3, 1)
    assert all(len(row) == 7 for row in monday_rows + saturday_rows)
    assert Month(GREGORIAN, 2199, 12).neighbour(1) is None


def test_months_outside_the_shown_years_are_refused():
    with pytest.raises(ValueError):
        Month(GREGORIAN, 1800, 1)
    with pytest.raises(ValueError):
        Month(JALALI, 1403, 13)
