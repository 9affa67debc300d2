"""Archives of each space by year and month, at permanent addresses.

/tribune/archive/2010/03 is March 2010 (Gregorian); /tribune/archive/jalali/1389/01 is
Farvardin 1389. A thread belongs to the month it was opened in, in the site's display time zone
(the one dates are shown in). The index follows the reader's calendar.
"""

from datetime import datetime, time
from functools import lru_cache

from flask import abort, current_app, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from tribune import access
from tribune.agenda.display import reader_calendar
from tribune.archive import bp
from tribune.extensions import db
from tribune.i18n import display_timezone
from tribune.models import AREAS, Section, Thread, ThreadDay
from tribune.services import thread_days
from tribune.text.months import Month, month_of
from tribune.text.recurrence import GREGORIAN, JALALI
from tribune.web import existing_page, page_arg


def _area_or_404(area):
    if area not in AREAS:
        abort(404)
    return area


def _threads(area):
    return (
        select(Thread)
        .join(Thread.section)
        .where(Section.area == area, access.visible_threads_clause(current_user))
    )


@lru_cache(maxsize=16384)
def _month_of(day, calendar):
    # A site has at most a few thousand days with threads; the Jalali conversion of each was
    # most of the index's time (issue 14).
    return month_of(day, calendar)


def _month_counts(area, calendar):
    """{Month: count} of threads opened per month of `calendar` in the display time zone.

    Summed from the days the services keep (services/thread_days.py: one row per section and
    day, not per thread; reading every thread's date was 0.22 of the 10k speed at 100k posts,
    issue 14). Those follow the readers' rule; a moderator also sees the hidden threads, which
    are read one by one (there are few).
    """
    days = db.session.execute(
        select(ThreadDay.day, func.sum(ThreadDay.threads))
        .join(Section, Section.id == ThreadDay.section_id)
        .where(Section.area == area)
        .group_by(ThreadDay.day)
    )
    counts = {}
    for day, count in days:
        month = _month_of(day, calendar)
        counts[month] = counts.get(month, 0) + count
    if access.can_moderate(current_user):
        hidden = _threads(area).where(Thread.is_hidden.is_(True), Thread.merged_into_id.is_(None))
        for stamp in db.session.scalars(hidden.with_only_columns(Thread.created_at)):
            month = _month_of(thread_days.local_day(stamp), calendar)
            counts[month] = counts.get(month, 0) + 1
    return counts


def _bounds(month):
    zone = display_timezone()
    start = datetime.combine(month.first, time(0), zone)
    end = datetime.combine(month.end, time(0), zone)
    return start, end


def _month_or_404(calendar, year, month):
    try:
        return Month(calendar, year, month)
    except ValueError:
        abort(404)


@bp.route("/<area>/archive/")
def index(area):
    """Years and months of a space, in the reader's calendar, with how many threads each."""
    _area_or_404(area)
    calendar = request.args.get("calendar")
    if calendar not in (GREGORIAN, JALALI):
        calendar = reader_calendar()
    counts = _month_counts(area, calendar)
    years = {}
    for month, count in sorted(counts.items(), reverse=True):
        years.setdefault(month.year, []).append((month, count))
    return render_template("archive/index.html", area=area, years=years, calendar=calendar)


def _render_year(area, calendar, year):
    counts = _month_counts(_area_or_404(area), calendar)
    months = [(m, c) for m, c in sorted(counts.items()) if m.year == year]
    if not months:
        abort(404)
    return render_template(
        "archive/year.html", area=area, year=year, calendar=calendar, months=months
    )


@bp.route("/<area>/archive/<int:year>/")
def year(area, year):
    """The months of a Gregorian year that have threads."""
    return _render_year(area, GREGORIAN, year)


@bp.route("/<area>/archive/jalali/<int:year>/")
def jalali_year(area, year):
    """The months of a Jalali year that have threads."""
    return _render_year(area, JALALI, year)


def _render_month(area, month):
    _area_or_404(area)
    start, end = _bounds(month)
    query = (
        _threads(area)
        .where(Thread.created_at >= start, Thread.created_at < end)
        .order_by(Thread.created_at, Thread.id)
    )
    pagination = existing_page(
        db.paginate(
            query,
            page=page_arg(),
            per_page=current_app.config["THREADS_PER_PAGE"],
            error_out=False,
        )
    )
    # Previous and next lead to the nearest months that have threads, not to empty ones.
    months = _month_counts(area, month.calendar)
    return render_template(
        "archive/month.html",
        area=area,
        month=month,
        pagination=pagination,
        previous=max((m for m in months if m < month), default=None),
        following=min((m for m in months if m > month), default=None),
    )


@bp.route("/<area>/archive/<int:year>/<int(fixed_digits=2):month>")
def month(area, year, month):
    """The threads opened in a Gregorian month, oldest first (permanent address)."""
    return _render_month(area, _month_or_404(GREGORIAN, year, month))


@bp.route("/<area>/archive/jalali/<int:year>/<int(fixed_digits=2):month>")
def jalali_month(area, year, month):
    """The threads opened in a Jalali month, oldest first (permanent address)."""
    return _render_month(area, _month_or_404(JALALI, year, month))


def archive_month_url(area, month):
    """The permanent address of a month of a space's archive."""
    endpoint = "archive.jalali_month" if month.calendar == JALALI else "archive.month"
    return url_for(endpoint, area=area, year=month.year, month=month.month)
