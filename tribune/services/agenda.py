"""Actions of the agenda (when, where) and the links between debates and actions.

An action is a thread of kind "action" in an agenda section, with an `Action` row: its start
(and optional end) stored UTC-aware together with the IANA time zone it takes place in. Times
are typed as wall-clock times in that zone. A time that does not exist there (the hour skipped
when clocks move forward) is refused; a time that happens twice (when clocks move back) is
taken as the first of the two, as calendar applications do.
"""

import re
from datetime import UTC, datetime, time, timedelta
from functools import cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import select

from tribune import access
from tribune.extensions import db
from tribune.i18n import lazy_gettext as _l
from tribune.models import ACTION_STATUSES, Action, Post, Thread, ThreadLink
from tribune.models.base import utcnow
from tribune.services import Invalid, NotFound, Refused, counters, posting
from tribune.services.debate import as_id, clean_line
from tribune.services.transaction import transaction


@cache
def zone_names():
    """Every IANA time zone name this system knows, sorted (read once: it scans the disk)."""
    return tuple(sorted(available_timezones()))


@cache
def _known_zones():
    return frozenset(zone_names())


def _zone(name):
    try:
        if name not in _known_zones():
            raise ZoneInfoNotFoundError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise Invalid(_l("Choose a time zone from the list."), field="timezone") from error


def local_to_utc(day, wall_time, zone_name, field="time"):
    """The UTC instant of a wall-clock `day` + `wall_time` in the zone `zone_name`."""
    zone = _zone(zone_name)
    local = datetime.combine(day, wall_time, tzinfo=zone)  # fold=0: the first of a repeated hour
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise Invalid(
            _l("This time does not exist in this time zone: the clocks move forward then."),
            field=field,
        )
    return instant


def _times(day, start, end, zone_name):
    if day is None:
        raise Invalid(_l("Give the date."), field="day")
    if not isinstance(start, time):
        raise Invalid(_l("Give the time it starts."), field="start")
    starts_at = local_to_utc(day, start, zone_name, field="start")
    ends_at = None
    if end is not None:
        ends_at = local_to_utc(day, end, zone_name, field="end")
        if ends_at <= starts_at:
            # An end earlier than the start on the clock means the next day (a night vigil).
            ends_at = local_to_utc(day + timedelta(days=1), end, zone_name, field="end")
    return starts_at, ends_at


@transaction
def open_action(
    actor, section, title, body, language, day, start, zone_name, city, place="", end=None
):
    """Announce an action in a working group of the agenda."""
    if not access.can_open_thread(actor, section):
        raise NotFound()
    if section.area != "agenda":
        raise Invalid(_l("Actions belong in the agenda."), field="section")
    starts_at, ends_at = _times(day, start, end, zone_name)
    city = clean_line(city, "city", minimum=2, limit=100)
    place = clean_line(place, "place", minimum=0, limit=200, required=False)

    def attach(thread, post):
        db.session.add(
            Action(
                thread=thread,
                starts_at=starts_at,
                ends_at=ends_at,
                timezone=zone_name,
                city=city,
                place=place,
                created_at=thread.created_at,
            )
        )

    return posting.open_thread(actor, section, title, body, language, kind="action", extend=attach)


@transaction
def update_action(actor, thread, day, start, zone_name, city, place="", end=None, status="planned"):
    """Change an action's time, place or status (cancelled actions stay, marked as such)."""
    if thread is None or thread.action is None:
        raise NotFound()
    if not access.can_edit_action(actor, thread):
        raise Refused(_l("You can no longer change this action."))
    if status not in ACTION_STATUSES:
        raise Invalid(_l("Unknown status."), field="status")
    starts_at, ends_at = _times(day, start, end, zone_name)
    values = {
        "starts_at": starts_at,
        "ends_at": ends_at,
        "timezone": zone_name,
        "city": clean_line(city, "city", minimum=2, limit=100),
        "place": clean_line(place, "place", minimum=0, limit=200, required=False),
        "status": status,
    }
    action = thread.action
    if any(getattr(action, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(action, name, value)
        action.sequence += 1
        action.updated_at = utcnow()
    db.session.commit()
    return action


_THREAD_PATH = re.compile(r"/t/(\d+)")
_POST_PATH = re.compile(r"/p/(\d+)")


def find_thread(reference):
    """The thread a typed reference names: "123", "#123", a thread or post address; or None."""
    text = (reference or "").strip()
    digits = text.lstrip("#")
    if digits.isdigit():
        return _get(Thread, digits)
    try:
        path = urlsplit(text).path
    except ValueError:
        return None
    if match := _THREAD_PATH.search(path):
        return _get(Thread, match[1])
    if match := _POST_PATH.search(path):
        post = _get(Post, match[1])
        return post.thread if post is not None else None
    return None


def _get(model, raw):
    object_id = as_id(raw)
    return db.session.get(model, object_id) if object_id else None


def _sides(first, second):
    """(debate, action) from two threads in either order; Invalid unless one of each."""
    for debate, action in ((first, second), (second, first)):
        if debate.section.area == "tribune" and action.kind == "action":
            return debate, action
    raise Invalid(
        _l("Relate a debate of the tribune to an action of the agenda."), field="reference"
    )


@transaction
def link(actor, thread, other):
    """Relate a debate and an action; shown on both, neither enters the other space's lists."""
    if thread is None or not access.can_view_thread(actor, thread):
        raise NotFound()
    if other is None or not access.can_view_thread_title(actor, other):
        raise Invalid(_l("No such thread."), field="reference")
    debate, action = _sides(thread, other)
    if not access.can_link_threads(actor, debate, action):
        raise NotFound()
    existing = db.session.scalar(
        select(ThreadLink).where(
            ThreadLink.debate_id == debate.id, ThreadLink.action_id == action.id
        )
    )
    if existing is not None:
        return existing
    created = ThreadLink(debate=debate, action=action, created_by_id=actor.id, created_at=utcnow())
    db.session.add(created)
    counters.add(debate, Thread.link_count)
    counters.add(action, Thread.link_count)
    db.session.commit()
    return created


@transaction
def unlink(actor, relation):
    """Remove a relation between a debate and an action (the threads themselves stay)."""
    if relation is None or not access.can_link_threads(actor, relation.debate, relation.action):
        raise NotFound()
    counters.add(relation.debate, Thread.link_count, -1)
    counters.add(relation.action, Thread.link_count, -1)
    db.session.delete(relation)
    db.session.commit()


def links_of(thread):
    """The threads related to this one in the other space (no query if there are none)."""
    if not thread.link_count:
        return []
    column = ThreadLink.action_id if thread.kind == "action" else ThreadLink.debate_id
    return db.session.scalars(
        select(ThreadLink).where(column == thread.id).order_by(ThreadLink.id)
    ).all()
