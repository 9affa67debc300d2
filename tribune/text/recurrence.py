"""Days that come back every year, in the Gregorian or the Jalali (Solar Hijri) calendar.

A commemoration is entered once as (calendar, month, day). Its Gregorian date each year is
computed here: a Jalali date such as 16 Azar falls on 6 or 7 December depending on the year, and
Nowruz (1 Farvardin) on 20 or 21 March.

Days that some years lack are observed on the last day of their month in those years:
- 30 Esfand exists only in Jalali leap years; in common years it is observed on 29 Esfand, the
  last day of the year (the eve of Nowruz), so it is never skipped nor moved into the next year.
- 29 February likewise is observed on 28 February in common years.
"""

from __future__ import annotations

from datetime import date, timedelta

from persiantools.jdatetime import JalaliDate

from tribune.text.calendars import gregorian_from_jalali, jalali_date

GREGORIAN = "gregorian"
JALALI = "jalali"

# The longest each month can be in any year (February and Esfand in leap years).
_GREGORIAN_MAX_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_JALALI_MAX_DAYS = (31, 31, 31, 31, 31, 31, 30, 30, 30, 30, 30, 30)


def max_days(calendar: str, month: int) -> int:
    """The most days `month` has in any year of `calendar`."""
    table = _JALALI_MAX_DAYS if calendar == JALALI else _GREGORIAN_MAX_DAYS
    return table[month - 1]


def validate(calendar: str, month: int, day: int) -> None:
    """Raise ValueError unless (month, day) exists in some year of `calendar`."""
    if calendar not in (GREGORIAN, JALALI):
        raise ValueError(f"unknown calendar {calendar!r}")
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} is not between 1 and 12")
    if not 1 <= day <= max_days(calendar, month):
        raise ValueError(f"day {day} does not exist in month {month} of the {calendar} calendar")


def days_in_month(calendar: str, year: int, month: int) -> int:
    """How many days `month` of `year` has in `calendar`."""
    if calendar == JALALI:
        if month <= 6:
            return 31
        if month <= 11:
            return 30
        return 30 if JalaliDate.is_leap(year) else 29
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - date(year, month, 1)).days


def date_in_year(calendar: str, month: int, day: int, year: int) -> date:
    """The Gregorian date on which (month, day) of `calendar` is observed in `year` (its own)."""
    validate(calendar, month, day)
    observed = min(day, days_in_month(calendar, year, month))
    if calendar == JALALI:
        return gregorian_from_jalali(year, month, observed)
    return date(year, month, observed)


def year_of(calendar: str, day: date) -> int:
    """The year of `calendar` that the Gregorian `day` falls in."""
    return jalali_date(day)[0] if calendar == JALALI else day.year


def occurrences(
    calendar: str, month: int, day: int, start: date, end: date, since_year: int | None = None
) -> list[date]:
    """Gregorian dates of the yearly (month, day) of `calendar` with start <= date < end.

    Years before `since_year` (a year of the same calendar) have no occurrence.
    """
    if end <= start:
        return []
    found = []
    for year in range(year_of(calendar, start), year_of(calendar, end - timedelta(days=1)) + 1):
        if since_year is not None and year < since_year:
            continue
        when = date_in_year(calendar, month, day, year)
        if start <= when < end:
            found.append(when)
    return found


def next_occurrence(
    calendar: str, month: int, day: int, after: date, since_year: int | None = None
) -> date:
    """The first occurrence on or after `after`."""
    # Every (month, day) occurs once in any span of 367 days.
    return occurrences(calendar, month, day, after, after + timedelta(days=367), since_year)[0]
