"""Reading notifications: grouped, paged, and filtered again when shown.

A notification written before its post was hidden, its thread hidden or merged, or its author
suspended is not shown (nor counted, nor mailed): the rule is applied when reading, so it holds
whatever happened after the notification was written.
"""

from dataclasses import dataclass

from sqlalchemy import case, func, select

from tribune import access
from tribune.extensions import db
from tribune.models import Notification


def unread_count(user):
    """How many unread groups the participant has (the number in the header)."""
    return db.session.scalar(
        select(func.count(func.distinct(Notification.group_key))).where(
            Notification.user_id == user.id,
            Notification.read_at.is_(None),
            access.visible_notifications_clause(),
        )
    )


@dataclass
class Group:
    """One line of the list: the newest notification of a group, how many, and whether new."""

    latest: Notification
    count: int
    unread: bool


@dataclass
class Page:
    items: list
    page: int
    pages: int
    total: int

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages

    @property
    def prev_num(self):
        return self.page - 1

    @property
    def next_num(self):
        return self.page + 1


def groups(user, page, per_page):
    """A page of the participant's notification groups, newest first; unread and read
    notifications of one group are separate lines."""
    unread = case((Notification.read_at.is_(None), 1), else_=0)
    grouped = (
        select(
            Notification.group_key,
            unread.label("unread"),
            func.max(Notification.id).label("latest_id"),
            func.count(Notification.id).label("count"),
        )
        .where(Notification.user_id == user.id, access.visible_notifications_clause())
        .group_by(Notification.group_key, unread)
    ).subquery()
    total = db.session.scalar(select(func.count()).select_from(grouped))
    rows = db.session.execute(
        select(grouped.c.latest_id, grouped.c.count, grouped.c.unread)
        .order_by(grouped.c.unread.desc(), grouped.c.latest_id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    latest = {}
    if rows:
        found = db.session.scalars(
            select(Notification).where(Notification.id.in_([row.latest_id for row in rows]))
        ).all()
        latest = {n.id: n for n in found}
    items = [Group(latest[row.latest_id], row.count, bool(row.unread)) for row in rows]
    return Page(items, page, max(1, -(-total // per_page)), total)
