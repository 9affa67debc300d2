"""Read queries for the agenda: actions by local date, coming and past actions, and what the
calendar pages (a month, six months) show and how far they page."""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select

from tribune import access
from tribune.extensions import db
from tribune.models import Action, Post, Section, Thread
from tribune.models.base import utcnow
from tribune.services import agenda_commemorations

SIX_MONTHS = 6

# Time zones reach UTC-12 to UTC+14: an action's local date is within a day of its UTC date.
_ZONE_MARGIN = timedelta(days=1)


def _actions(user):
    return (
        select(Thread)
        .join(Action, Action.thread_id == Thread.id)
        .where(access.visible_threads_clause(user))
    )


def actions_between(user, start, end):
    """Action threads whose local start date (in their own zone) is in [start, end), by time."""
    low = datetime.combine(start, time(0), UTC) - _ZONE_MARGIN
    high = datetime.combine(end, time(0), UTC) + _ZONE_MARGIN
    threads = db.session.scalars(
        _actions(user)
        .where(Action.starts_at >= low, Action.starts_at < high)
        .order_by(Action.starts_at, Thread.id)
    ).all()
    return [t for t in threads if start <= t.action.local_start.date() < end]


def coming(user, limit=10, now=None):
    """The next actions, soonest first (an action still going on counts as coming)."""
    now = now or utcnow()
    return db.session.scalars(
        _actions(user)
        .where((Action.starts_at >= now) | (Action.ends_at > now))
        .order_by(Action.starts_at, Thread.id)
        .limit(limit)
    ).all()


def past(user, limit=10, now=None):
    """The latest past actions, most recent first."""
    now = now or utcnow()
    return db.session.scalars(
        _actions(user)
        .where(Action.starts_at < now, (Action.ends_at.is_(None)) | (Action.ends_at <= now))
        .order_by(Action.starts_at.desc(), Thread.id.desc())
        .limit(limit)
    ).all()


def action_span(user):
    """The first and the last start of the actions (None, None when there are none)."""
    first, last = db.session.execute(
        _actions(user).with_only_columns(func.min(Action.starts_at), func.max(Action.starts_at))
    ).one()
    return first, last


def items_by_day(user, start, end):
    """{date: {"actions": [...], "commemorations": [...]}} for the days in [start, end)."""
    days = {}
    for thread in actions_between(user, start, end):
        day = thread.action.local_start.date()
        days.setdefault(day, {"actions": [], "commemorations": []})["actions"].append(thread)
    for day, commemoration in agenda_commemorations.between(start, end):
        days.setdefault(day, {"actions": [], "commemorations": []})["commemorations"].append(
            commemoration
        )
    return days


def browsable(user, today):
    """The days the calendar pages through: from a year before the first action to two years
    after the last (or today). Beyond, there is nothing to find and crawlers would page forever;
    those months still answer at their address."""
    first, last = action_span(user)
    low = min(today, first.date()) if first else today
    high = max(today, last.date()) if last else today
    return low - timedelta(days=366), high + timedelta(days=731)


def step(month, months, bounds):
    """The month `months` away if the calendar pages that far, else None."""
    other = month.neighbour(months)
    if other is None or other.end <= bounds[0] or other.first > bounds[1]:
        return None
    return other


def month_page(user, month, today):
    """What a month page shows besides its grid: the items by day, the months before and
    after (None past the browsable span), the coming and the recent actions."""
    bounds = browsable(user, today)
    return {
        "items": items_by_day(user, month.first, month.end),
        "previous": step(month, -1, bounds),
        "following": step(month, 1, bounds),
        "coming": coming(user, limit=8),
        "recent": past(user, limit=5),
    }


def six_months_page(user, first, today):
    """Six months from `first`, each with its days' items in order, and the six months before
    and after (None past the browsable span)."""
    months = [first.plus(n) for n in range(SIX_MONTHS)]
    items = items_by_day(user, months[0].first, months[-1].end)
    bounds = browsable(user, today)
    return {
        "months": [
            (m, sorted((day, entry) for day, entry in items.items() if m.first <= day < m.end))
            for m in months
        ],
        "back": step(first, -SIX_MONTHS, bounds),
        "forward": step(first, SIX_MONTHS, bounds),
    }


def all_actions(user):
    """Every action, by start (the whole agenda, for its iCalendar feed)."""
    return db.session.scalars(_actions(user).order_by(Action.starts_at, Thread.id)).all()


def opening_posts(threads):
    """{thread_id: opening Post} for the threads, in one query."""
    if not threads:
        return {}
    ids = [thread.id for thread in threads]
    first_ids = select(db.func.min(Post.id)).where(Post.thread_id.in_(ids)).group_by(Post.thread_id)
    posts = db.session.scalars(select(Post).where(Post.id.in_(first_ids))).all()
    return {post.thread_id: post for post in posts}


def agenda_sections():
    return db.session.scalars(
        select(Section)
        .where(Section.area == "agenda", Section.archived_at.is_(None))
        .order_by(Section.position, Section.id)
    ).all()
