"""The archive's summary: threads readers see listed, per section and day opened.

The archive index of a space counted months by reading the creation time of every thread of
the space (0.22 of its 10k speed at 100k posts, issue 14). It now sums `thread_days` rows, at
most one per section and day. They follow the readers' rule of Section.thread_count
(access.visible_threads_clause(None)) and are kept where that count is: +1 when a thread is
opened (an upsert, so concurrent openings all count), recomputed for a section whenever
moderation recounts it, and for the sections an import wrote to. Days are in the display time
zone; `flask --app tribune check --repair` rewrites them all (after DISPLAY_TIMEZONE changes, or
any drift). docs/decisions/0206.
"""

from collections import Counter

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from tribune import access
from tribune.extensions import db
from tribune.i18n import display_timezone
from tribune.models import Thread, ThreadDay


def local_day(moment):
    """The day of `moment` in the display time zone, as the archive files threads."""
    return moment.astimezone(display_timezone()).date()


def count_opened(thread):
    """Count a newly opened (visible) thread on its day; does not commit."""
    dialect = db.session.get_bind().dialect.name
    upsert = (postgresql if dialect == "postgresql" else sqlite).insert(ThreadDay)
    row = {"section_id": thread.section_id, "day": local_day(thread.created_at), "threads": 1}
    db.session.execute(
        upsert.values(row).on_conflict_do_update(
            index_elements=[ThreadDay.section_id, ThreadDay.day],
            set_={"threads": ThreadDay.threads + 1},
        )
    )


def _listed_days(section_ids=None):
    """Counter {(section_id, day): threads} computed from the threads themselves."""
    query = select(Thread.section_id, Thread.created_at).where(access.visible_threads_clause(None))
    if section_ids is not None:
        query = query.where(Thread.section_id.in_(section_ids))
    return Counter(
        (section_id, local_day(created_at)) for section_id, created_at in db.session.execute(query)
    )


def _write(section_ids, counts):
    db.session.execute(delete(ThreadDay).where(ThreadDay.section_id.in_(section_ids)))
    rows = [
        {"section_id": section_id, "day": day, "threads": n}
        for (section_id, day), n in sorted(counts.items())
    ]
    if rows:
        db.session.execute(insert(ThreadDay), rows)


def recount(*sections):
    """Recompute the rows of these sections from their threads; does not commit.

    Moderation calls it where it recounts a section's thread count (the section row is locked
    by then, so a thread opened meanwhile waits and then adds its 1)."""
    db.session.flush()
    ids = sorted({section.id for section in sections})
    if ids:
        _write(ids, _listed_days(ids))


def stored():
    """Counter {(section_id, day): threads} as stored."""
    rows = db.session.execute(select(ThreadDay.section_id, ThreadDay.day, ThreadDay.threads))
    return Counter({(section_id, day): n for section_id, day, n in rows if n})


def check(repair=False):
    """(wrong, total): the first few ("section/day", stored, expected) that differ, and how
    many; rewrites every row when `repair`."""
    expected, found = _listed_days(), stored()
    wrong = [
        (f"{section_id}/{day.isoformat()}", found[key], expected[key])
        for key in sorted(set(expected) | set(found))
        for section_id, day in [key]
        if found[key] != expected[key]
    ]
    if wrong and repair:
        db.session.execute(delete(ThreadDay))
        rows = [
            {"section_id": section_id, "day": day, "threads": n}
            for (section_id, day), n in sorted(expected.items())
        ]
        if rows:
            db.session.execute(insert(ThreadDay), rows)
    return wrong[:20], len(wrong)
