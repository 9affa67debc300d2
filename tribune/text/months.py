"""Months of the Gregorian and the Jalali calendar as spans of Gregorian days.

The calendar and the archives page through months in the reader's calendar: a Jalali month
(Esfand 1403) is the Gregorian span 20 February - 20 March 2025. Pure date arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tribune.text.calendars import gregorian_from_jalali, jalali_date
from tribune.text.recurrence import GREGORIAN, JALALI, days_in_month

# Years a month page may show: wide enough for any archive, narrow enough to refuse nonsense.
GREGORIAN_YEARS = range(1900, 2200)
JALALI_YEARS = range(1279, 1579)


@dataclass(frozen=True, order=True)
class Month:
    """A month of one calendar."""

    calendar: str
    year: int
    month: int

    def __post_init__(self):
        years = JALALI_YEARS if self.calendar == JALALI else GREGORIAN_YEARS
        if self.calendar not in (GREGORIAN, JALALI):
            raise ValueError(f"unknown calendar {self.calendar!r}")
        if self.year not in years or not 1 <= self.month <= 12:
            raise ValueError(f"{self.year}-{self.month} is not a month we show")

    @property
    def first(self) -> date:
        """Its first day, as a Gregorian date."""
        if self.calendar == JALALI:
            return gregorian_from_jalali(self.year, self.month, 1)
        return date(self.year, self.month, 1)

    @property
    def length(self) -> int:
        return days_in_month(self.calendar, self.year, self.month)

    @property
    def end(self) -> date:
        """The day after its last day (exclusive bound), as a Gregorian date."""
        return self.first + timedelta(days=self.length)

    def days(self) -> list[date]:
        first = self.first
        return [first + timedelta(days=n) for n in range(self.length)]

    def plus(self, months: int) -> Month:
        """The month `months` later (or earlier when negative), in the same calendar."""
        index = self.year * 12 + (self.month - 1) + months
        return Month(self.calendar, index // 12, index % 12 + 1)

    def neighbour(self, months: int) -> Month | None:
        """Like plus(), but None past the years pages show (for previous/next links)."""
        try:
            return self.plus(months)
        except ValueError:
            return None

    def day_number(self, day: date) -> int:
        """The number of the Gregorian `day` in this month's calendar (1-31)."""
        return jalali_date(day)[2] if self.calendar == JALALI else day.day


def month_of(day: date, calendar: str) -> Month:
    """The month of `calendar` that the Gregorian `day` falls in."""
    if calendar == JALALI:
        year, month, _ = jalali_date(day)
        return Month(JALALI, year, month)
    return Month(GREGORIAN, day.year, day.month)


def weeks(month: Month, first_weekday: int) -> list[list[date | None]]:
    """The month as rows of seven days starting on `first_weekday` (0 Monday ... 5 Saturday);
    days outside the month are None."""
    days = month.days()
    lead = (days[0].weekday() - first_weekday) % 7
    cells: list[date | None] = [None] * lead + list(days)
    cells += [None] * (-len(cells) % 7)
    return [cells[i : i + 7] for i in range(0, len(cells), 7)]
