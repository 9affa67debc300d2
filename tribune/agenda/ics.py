"""iCalendar (RFC 5545) for the agenda: one action, or every action and commemoration.

Actions carry their own time zone (TZID with a VTIMEZONE), so calendar applications keep the
wall-clock time the organisers meant. Gregorian commemorations recur with an RRULE; Jalali ones
cannot be written as an RRULE (it knows only the Gregorian calendar), so each year's date is
written out for a window of years around today; so are 29 February ones, which fall back to
28 February in common years (text/recurrence.py).
"""

from datetime import date, timedelta

from icalendar import Calendar, Event

from tribune.text import markup, recurrence

PRODID = "-//Tribune//Agenda//EN"
# Jalali commemorations are written out from last year to this many years ahead.
YEARS_AHEAD = 5
# The years a feed can be asked to write them around (?year=): the Jalali calendar starts in
# 622, and Python's dates end in 9999.
FIRST_YEAR, LAST_YEAR = 700, 9990
DESCRIPTION_LIMIT = 1000


def new_calendar(name):
    """An empty calendar with its name."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def action_event(thread, opening_post, url, host):
    """The VEVENT of an action thread."""
    action = thread.action
    event = Event()
    event.add("uid", f"action-{thread.id}@{host}")
    event.add("dtstamp", action.updated_at or action.created_at)
    event.add("created", action.created_at)
    event.add("last-modified", action.updated_at or action.created_at)
    event.add("sequence", action.sequence)
    event.add("summary", thread.title)
    event.add("dtstart", action.local_start)
    if action.ends_at is not None:
        event.add("dtend", action.local_end)
    event.add("location", ", ".join(part for part in (action.place, action.city) if part))
    excerpt = (
        markup.plain_excerpt(opening_post.body_source, DESCRIPTION_LIMIT) if opening_post else ""
    )
    event.add("description", f"{excerpt}\n\n{url}".strip())
    event.add("url", url)
    event.add("status", "CANCELLED" if action.is_cancelled else "CONFIRMED")
    return event


def _all_day(event, day):
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("transp", "TRANSPARENT")


def commemoration_events(commemoration, host, today, url, title, year=None):
    """The VEVENTs of a commemoration: one recurring event, or one per year when it cannot recur
    by RRULE (Jalali dates, 29 February), written out from the year before `year` (this year's
    when None) to YEARS_AHEAD after it: any year can be asked for (issue 17)."""
    stamp = commemoration.updated_at or commemoration.created_at
    expand = commemoration.calendar == recurrence.JALALI or (
        commemoration.month == 2 and commemoration.day == 29
    )
    base = {"summary": title, "categories": "commemoration", "url": url}
    if commemoration.description:
        base["description"] = commemoration.description
    events = []
    if not expand:
        first_year = commemoration.since_year or commemoration.created_at.year
        event = Event()
        event.add("uid", f"commemoration-{commemoration.id}@{host}")
        event.add("dtstamp", stamp)
        for name, value in base.items():
            event.add(name, value)
        _all_day(event, date(first_year, commemoration.month, commemoration.day))
        event.add(
            "rrule",
            {"freq": "yearly", "bymonth": commemoration.month, "bymonthday": commemoration.day},
        )
        events.append(event)
        return events
    around = year or today.year
    start = date(max(around - 1, 1), 1, 1)
    end = date(min(around + YEARS_AHEAD + 1, 9999), 1, 1)
    for day in recurrence.occurrences(
        commemoration.calendar,
        commemoration.month,
        commemoration.day,
        start,
        end,
        commemoration.since_year,
    ):
        event = Event()
        event.add("uid", f"commemoration-{commemoration.id}-{day.isoformat()}@{host}")
        event.add("dtstamp", stamp)
        for name, value in base.items():
            event.add(name, value)
        _all_day(event, day)
        events.append(event)
    return events


def to_bytes(calendar):
    """The calendar serialised, with a VTIMEZONE for every zone its events use."""
    calendar.add_missing_timezones()
    return calendar.to_ical()
