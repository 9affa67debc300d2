"""Dates of the agenda for display, in the reader's calendar (text/calendars.py does the work).

An action's time is shown in its own time zone (15:00 in Paris is what its organisers mean);
a commemoration is a whole day. Both show the other calendar beside the reader's.
"""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import get_day_names
from markupsafe import Markup

from tribune.i18n import current_locale, dates_locale, text_direction
from tribune.i18n import gettext as _
from tribune.text import calendars
from tribune.text.months import Month
from tribune.text.recurrence import JALALI


def _action_text(local, locale, with_time):
    """ "Monday, March 8, 2027, 15:00" / «دوشنبه ۱۷ اسفند ۱۴۰۵، ۱۵:۰۰»: weekday, day, time.
    `locale` is a dates locale ("en@jalali" for a reader who chose Jalali dates)."""
    base, jalali = calendars.calendar_of(locale)
    if calendars.is_persian(base) or jalali:
        weekday = get_day_names("wide", locale=base)[local.weekday()]
        persian = calendars.is_persian(base)
        comma = "، " if persian else ", "
        day = calendars.format_date(local, locale, tz=local.tzinfo)
        text = f"{weekday} {day}" if persian else f"{weekday}, {day}"
        if with_time:
            text += f"{comma}{calendars.localize_digits(local.strftime('%H:%M'), base)}"
        return text
    text = babel_format_date(local.date(), format="full", locale=base)
    return f"{text}, {local:%H:%M}" if with_time else text


# Actions and commemorations show both calendars side by side in every interface (issue 17):
# an action in Paris lives by the Gregorian calendar, 16 Azar by the Jalali one.
BOTH_CALENDARS = Markup(
    '<time datetime="{}">{}</time> <span class="other-date" dir="{}">(<bdi>{}</bdi>)</span>'
)


ONE_CALENDAR = Markup('<time datetime="{}">{}</time>')
OTHER_DATE = Markup('<span class="other-date" dir="{}">(<bdi>{}</bdi>)</span>')


def when_local(dt, zone_name, with_time=True, both=True):
    """A <time> element: `dt` in the zone `zone_name`, in the reader's calendar, then (unless
    `both` is false, for a caller that writes other_date itself) the other calendar's date."""
    locale = dates_locale()
    zone = ZoneInfo(zone_name)
    local = dt.astimezone(zone)
    shown = _action_text(local, locale, with_time)
    if not both:
        return ONE_CALENDAR.format(local.isoformat(), shown)
    other = calendars.other_calendar(dt, locale, tz=zone)
    return BOTH_CALENDARS.format(local.isoformat(), shown, text_direction(), other)


def other_date(dt, zone_name):
    """ "(17 Esfand 1405)" / «(۸ مارس ۲۰۲۷)»: the date of `dt` in `zone_name` in the calendar
    the reader does not use."""
    other = calendars.other_calendar(dt, dates_locale(), tz=ZoneInfo(zone_name))
    return OTHER_DATE.format(text_direction(), other)


def clock(dt, zone_name):
    """The wall-clock time of `dt` in `zone_name`, "15:00", in the reader's digits."""
    return calendars.localize_digits(
        dt.astimezone(ZoneInfo(zone_name)).strftime("%H:%M"), current_locale()
    )


def day_label(day):
    """A <time> element for a whole day (a date), in the reader's calendar."""
    locale = dates_locale()
    noon = datetime.combine(day, time(12), UTC)
    return BOTH_CALENDARS.format(
        day.isoformat(),
        calendars.format_date(noon, locale),
        text_direction(),
        calendars.other_calendar(noon, locale),
    )


def utc_offset(dt, zone_name):
    """ "UTC+01:00" for `dt` in the zone."""
    offset = dt.astimezone(ZoneInfo(zone_name)).strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}"


def month_title(month: Month, locale=None):
    """ "Esfand 1403" / «اسفند ۱۴۰۳» / "March 2025" / «مارس ۲۰۲۵»."""
    locale = locale or current_locale()
    if month.calendar == JALALI:
        names = (
            calendars.JALALI_MONTHS_FA
            if calendars.is_persian(locale)
            else calendars.JALALI_MONTHS_LATIN
        )
        return calendars.localize_digits(f"{names[month.month - 1]} {month.year}", locale)
    text = babel_format_date(date(month.year, month.month, 1), format="LLLL y", locale=locale)
    return calendars.localize_digits(text, locale)


def _in_other_calendar(day, month_calendar, locale):
    noon = datetime.combine(day, time(12), UTC)
    if month_calendar == JALALI:
        gregorian = babel_format_date(day, format="long", locale=locale)
        return calendars.localize_digits(gregorian, locale)
    if calendars.is_persian(locale):
        return calendars.format_date(noon, locale)
    return calendars.other_calendar(noon, locale)


def month_span(month: Month, locale=None):
    """The month's first and last day in the other calendar, for a subtitle."""
    locale = locale or current_locale()
    first = _in_other_calendar(month.first, month.calendar, locale)
    last = _in_other_calendar(month.days()[-1], month.calendar, locale)
    return f"{first} – {last}"


def first_weekday(locale=None):
    """The day weeks start on: Saturday for Persian readers, Monday otherwise (0 is Monday)."""
    return 5 if calendars.is_persian(locale or current_locale()) else 0


def weekday_names(locale=None):
    """Short weekday names in display order."""
    locale = locale or current_locale()
    names = get_day_names("abbreviated", locale=locale)
    start = first_weekday(locale)
    return [names[(start + n) % 7] for n in range(7)]


def day_number(month: Month, day):
    """The day's number in the month's calendar, in the reader's digits."""
    return calendars.localize_digits(month.day_number(day), current_locale())


def reader_calendar(locale=None):
    """The calendar the reader's pages use: Jalali for Persian, Gregorian otherwise."""
    return JALALI if calendars.is_persian(locale or current_locale()) else "gregorian"


def recurring_label(commemoration):
    """ "16 Azar (Jalali calendar)" / «۸ مارس (گاه‌شمار میلادی)»: a commemoration's yearly day."""
    locale = current_locale()
    if commemoration.calendar == JALALI:
        persian = calendars.is_persian(locale)
        names = calendars.JALALI_MONTHS_FA if persian else calendars.JALALI_MONTHS_LATIN
        day = f"{commemoration.day} {names[commemoration.month - 1]}"
        kind = _("Jalali calendar")
    else:
        # A leap year, so that 29 February can be written.
        day = babel_format_date(
            date(2000, commemoration.month, commemoration.day), format="d MMMM", locale=locale
        )
        kind = _("Gregorian calendar")
    return f"{calendars.localize_digits(day, locale)} ({kind})"


def init_app(state_or_app):
    """Template filters and globals of the agenda."""
    env = state_or_app.jinja_env
    env.filters.update(
        when_local=when_local,
        other_date=other_date,
        clock=clock,
        day_label=day_label,
        utc_offset=utc_offset,
    )
    env.globals.update(
        month_title=month_title,
        recurring_label=recurring_label,
        month_span=month_span,
        weekday_names=weekday_names,
        day_number=day_number,
    )
