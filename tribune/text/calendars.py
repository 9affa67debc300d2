"""Dates and digits for display: Jalali with Persian digits for fa, Gregorian elsewhere."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, tzinfo
from functools import lru_cache

from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.dates import get_datetime_format
from babel.numbers import format_decimal
from persiantools.jdatetime import JalaliDate

JALALI_MONTHS_FA: tuple[str, ...] = (
    "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
    "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
)  # fmt: skip
JALALI_MONTHS_LATIN: tuple[str, ...] = (
    "Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
    "Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand",
)  # fmt: skip

_TO_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
# Users type Persian (U+06F0…) or Arabic-Indic (U+0660…) digits depending on keyboard.
_TO_ASCII_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "0123456789" * 2)
_USER_DATE = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})", re.ASCII)
# Jalali years are around 1400 now and Gregorian ones around 2000: below this a typed year
# can only be Jalali for any date a forum cares about.
_JALALI_YEAR_LIMIT = 1700
_PERSIAN_COMMA = "،"
# A thread page formats two dates and a number per post. What a date looks like depends only on
# the day and the locale, so each distinct day is formatted once per process, not once per post
# (the profile of a 50-post page had Babel parsing the locale ~6 times per post: issue 14).
_CACHED = 4096


# A reader may choose the other calendar than their language's (issue 17): the date functions
# below then receive "en@jalali" or "fa@gregorian" (date_locale), digits stay the language's.
JALALI_SUFFIX, GREGORIAN_SUFFIX = "@jalali", "@gregorian"


def date_locale(locale: str, calendar: str = "") -> str:
    """The locale dates are formatted in: `locale`, marked when `calendar` is not its own."""
    if calendar == "jalali" and not is_persian(locale):
        return locale + JALALI_SUFFIX
    if calendar == "gregorian" and is_persian(locale):
        return locale + GREGORIAN_SUFFIX
    return locale


@lru_cache(maxsize=64)
def calendar_of(locale: str) -> tuple[str, bool]:
    """(the language's locale, whether dates are Jalali) of a date locale."""
    base, _, chosen = locale.partition("@")
    if chosen:
        return base, chosen == JALALI_SUFFIX[1:]
    return base, is_persian(base)


@lru_cache(maxsize=64)
def is_persian(locale: str) -> bool:
    """Whether locale ("fa", "fa_IR", "fa-IR") is Persian: Persian digits and names."""
    return re.split(r"[_@-]", locale, maxsplit=1)[0].lower() == "fa"


def localize_digits(value: object, locale: str) -> str:
    """str(value) with ASCII digits written as Persian digits for fa, unchanged otherwise."""
    text = str(value)
    return text.translate(_TO_PERSIAN_DIGITS) if is_persian(locale) else text


@lru_cache(maxsize=_CACHED)
def format_number(n: int, locale: str) -> str:
    """n grouped by thousands the locale's way, in Persian digits for fa."""
    if is_persian(locale):
        # Babel's default numbering for fa ("latn") gives "1,234,567". Asking for the
        # locale's own system ("arabext") switches the separator to U+066C but still
        # emits ASCII digits, so the digits are translated here.
        return localize_digits(format_decimal(n, locale=locale, numbering_system="default"), locale)
    return format_decimal(n, locale=locale)


# "%(n)d" in a message: the number is written by format_number instead, in the reader's digits.
_NUMBER_FIELD = re.compile(r"%\((\w+)\)d")


def format_message(template: str, variables: dict, locale: str) -> str:
    """A translated message with its variables filled in, every number in the reader's digits
    and grouping ("At most ۱۲۰ characters." in Persian): the one place messages get digits."""
    numbers = {
        name
        for name, value in variables.items()
        if isinstance(value, int) and not isinstance(value, bool)
    }
    if numbers:
        template = _NUMBER_FIELD.sub(
            lambda field: f"%({field[1]})s" if field[1] in numbers else field[0], template
        )
        variables = {
            name: format_number(value, locale) if name in numbers else value
            for name, value in variables.items()
        }
    return template % variables


def jalali_date(d: date) -> tuple[int, int, int]:
    """The Jalali (year, month, day) of a Gregorian date."""
    j = JalaliDate(d)
    return j.year, j.month, j.day


def gregorian_from_jalali(year: int, month: int, day: int) -> date:
    """The Gregorian date of a Jalali date; ValueError if that Jalali date does not exist."""
    # persiantools raises ValueError for a bad month or day, with a tuple as its message;
    # say which date it was in words.
    try:
        return JalaliDate(year, month, day).to_gregorian()
    except ValueError as error:
        raise ValueError(f"{year:04d}-{month:02d}-{day:02d} is not a Jalali date") from error


def _local(dt: datetime, tz: tzinfo) -> datetime:
    # A naive datetime means a bug upstream (the app stores UTC-aware ones); guessing
    # its zone would show a wrong time silently.
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("naive datetime: pass a timezone-aware datetime")
    return dt.astimezone(tz)


@lru_cache(maxsize=_CACHED)
def _jalali_text(d: date, months: tuple[str, ...]) -> str:
    year, month, day = jalali_date(d)
    return f"{day} {months[month - 1]} {year}"


def _jalali_day(d: date, base: str) -> str:
    if is_persian(base):
        return localize_digits(_jalali_text(d, JALALI_MONTHS_FA), base)
    return _jalali_text(d, JALALI_MONTHS_LATIN)


def _gregorian_day(d: date, base: str) -> str:
    # Babel names Gregorian months in Persian («مارس») but writes ASCII digits.
    return localize_digits(babel_format_date(d, format="long", locale=base), base)


@lru_cache(maxsize=_CACHED)
def _day(d: date, locale: str) -> str:
    """The day in the reader's calendar: Jalali with Persian digits for fa, else Babel's."""
    base, jalali = calendar_of(locale)
    return _jalali_day(d, base) if jalali else _gregorian_day(d, base)


@lru_cache(maxsize=_CACHED)
def _other_day(d: date, locale: str) -> str:
    base, jalali = calendar_of(locale)
    return _gregorian_day(d, base) if jalali else _jalali_day(d, base)


@lru_cache(maxsize=_CACHED)
def _medium_day(d: date, locale: str) -> str:
    return babel_format_date(d, format="medium", locale=locale)


@lru_cache(maxsize=_CACHED)
def _medium_clock(t: time, locale: str) -> str:
    return babel_format_time(t, format="medium", locale=locale)


@lru_cache(maxsize=64)
def _medium_pattern(locale: str) -> str:
    # How Babel's format_datetime(format="medium") joins its date and time parts.
    return get_datetime_format("medium", locale=locale).replace("'", "")


def format_date(dt: datetime, locale: str, tz: tzinfo = UTC) -> str:
    """The date of dt in tz: Jalali in Persian for fa, babel's long format otherwise."""
    return _day(_local(dt, tz).date(), locale)


def format_datetime(dt: datetime, locale: str, tz: tzinfo = UTC, with_time: bool = True) -> str:
    """dt in tz for display: «۸ فروردین ۱۳۸۹، ۱۴:۳۰» for fa, babel's medium format otherwise."""
    if not with_time:
        return format_date(dt, locale, tz)
    local = _local(dt, tz)
    base, jalali = calendar_of(locale)
    if is_persian(base):
        clock = localize_digits(f"{local:%H:%M}", base)
        return f"{_day(local.date(), locale)}{_PERSIAN_COMMA} {clock}"
    # Babel's medium date-time, assembled from its parts so that each part is cached.
    clock = _medium_clock(local.time().replace(microsecond=0), base)
    day = _day(local.date(), locale) if jalali else _medium_day(local.date(), base)
    return _medium_pattern(base).replace("{0}", clock).replace("{1}", day)


def other_calendar(dt: datetime, locale: str, tz: tzinfo = UTC) -> str:
    """The date in the calendar the locale does not use, for a title tooltip."""
    return _other_day(_local(dt, tz).date(), locale)


def parse_user_date(text: str) -> date:
    """Parse a typed date, Gregorian 2010-03-28 or Jalali 1389-01-08 (any digits, - or /)."""
    normalized = text.strip().translate(_TO_ASCII_DIGITS)
    match = _USER_DATE.fullmatch(normalized)
    if match is None:
        raise ValueError(
            f"{text!r} is not a date: write it as year-month-day, Gregorian like 2010-03-28 "
            f"or Jalali like 1389-01-08 (years below {_JALALI_YEAR_LIMIT} are Jalali), "
            "with - or / between the parts"
        )
    year, month, day = int(match[1]), int(match[3]), int(match[4])
    if year < _JALALI_YEAR_LIMIT:
        return gregorian_from_jalali(year, month, day)
    try:
        return date(year, month, day)
    except ValueError as error:
        raise ValueError(f"{normalized} is not a Gregorian date") from error
