"""Commemorations: days entered once that recur every year, Gregorian or Jalali.

See tribune/text/recurrence.py for how each year's date is computed (16 Azar is 6 or 7
December; 30 Esfand falls back to 29 Esfand in common Jalali years, 29 February to 28 February).
"""

from sqlalchemy import select

from tribune import access
from tribune.extensions import db
from tribune.i18n import lazy_gettext as _l
from tribune.models import CALENDARS, LANGUAGES, Commemoration
from tribune.models.base import utcnow
from tribune.services import Invalid, NotFound
from tribune.services.debate import clean_line, clean_text
from tribune.services.transaction import transaction
from tribune.text import recurrence
from tribune.text.months import GREGORIAN_YEARS, JALALI_YEARS


def _values(title, calendar, month, day, description, since_year, section, translations):
    if calendar not in CALENDARS:
        raise Invalid(_l("Choose the Gregorian or the Jalali calendar."), field="calendar")
    try:
        recurrence.validate(calendar, int(month or 0), int(day or 0))
    except ValueError as error:
        raise Invalid(_l("This day does not exist in that month."), field="day") from error
    years = JALALI_YEARS if calendar == "jalali" else GREGORIAN_YEARS
    if since_year is not None and since_year not in years:
        raise Invalid(_l("Give a year of the chosen calendar."), field="since_year")
    if section is not None and section.area != "agenda":
        raise Invalid(_l("Choose a working group of the agenda."), field="section")
    cleaned = {}
    for code, text in (translations or {}).items():
        text = clean_line(text, f"title_{code}", minimum=0, limit=200, required=False)
        if code in LANGUAGES and text:
            cleaned[code] = text
    return {
        "title": clean_line(title, "title", minimum=3, limit=200),
        "calendar": calendar,
        "month": int(month),
        "day": int(day),
        "description": clean_text(description, "description", limit=2000, required=False),
        "since_year": since_year,
        "section_id": section.id if section is not None else None,
        "translations": cleaned,
    }


@transaction
def add(
    actor,
    title,
    calendar,
    month,
    day,
    description="",
    since_year=None,
    section=None,
    translations=None,
):
    """Enter a commemoration once; it recurs every year in its calendar."""
    if not access.can_add_commemoration(actor):
        raise NotFound()
    values = _values(title, calendar, month, day, description, since_year, section, translations)
    commemoration = Commemoration(created_by_id=actor.id, created_at=utcnow(), **values)
    db.session.add(commemoration)
    db.session.commit()
    return commemoration


@transaction
def update(
    actor,
    commemoration,
    title,
    calendar,
    month,
    day,
    description="",
    since_year=None,
    section=None,
    translations=None,
    is_active=True,
):
    """Change a commemoration, or retire it (is_active=False; it can be brought back)."""
    if not access.can_edit_commemoration(actor, commemoration):
        raise NotFound()
    if translations is None:
        translations = commemoration.translations
    values = _values(title, calendar, month, day, description, since_year, section, translations)
    for name, value in values.items():
        setattr(commemoration, name, value)
    commemoration.is_active = bool(is_active)
    commemoration.updated_at = utcnow()
    db.session.commit()
    return commemoration


def active():
    """Every commemoration in force, in calendar order."""
    return db.session.scalars(
        select(Commemoration)
        .where(Commemoration.is_active.is_(True))
        .order_by(Commemoration.calendar, Commemoration.month, Commemoration.day)
    ).all()


def retired():
    """Commemorations taken out of the calendar (they can be brought back)."""
    return db.session.scalars(
        select(Commemoration)
        .where(Commemoration.is_active.is_(False))
        .order_by(Commemoration.month, Commemoration.day)
    ).all()


def between(start, end, commemorations=None):
    """[(date, Commemoration)] of every occurrence with start <= date < end, by date."""
    found = []
    for commemoration in active() if commemorations is None else commemorations:
        for day in recurrence.occurrences(
            commemoration.calendar,
            commemoration.month,
            commemoration.day,
            start,
            end,
            commemoration.since_year,
        ):
            found.append((day, commemoration))
    found.sort(key=lambda pair: (pair[0], pair[1].id))
    return found


def next_date(commemoration, today):
    """The next date (today included) on which the commemoration is observed."""
    start = today
    if commemoration.since_year is not None:
        first = recurrence.date_in_year(
            commemoration.calendar, commemoration.month, commemoration.day, commemoration.since_year
        )
        start = max(today, first)
    return recurrence.next_occurrence(
        commemoration.calendar,
        commemoration.month,
        commemoration.day,
        start,
        commemoration.since_year,
    )
