"""Reading notifications: grouped, paged, and filtered again when shown.

A notification written before its post was hidden, its thread hidden or merged, or its author
suspended is not shown (nor counted, nor mailed): the rule is applied when reading, so it holds
whatever happened after the notification was written.
"""

from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select

from tribune.extensions import db
from tribune.models import Notification, Post, Thread, User
from tribune.models.base import utcnow


def shown_clause(now=None):
    """SQL condition on Notification (joined as below): it may still be shown to its reader."""
    now = now or utcnow()
    hidden_post = select(Post.id).where(Post.id == Notification.post_id, Post.is_hidden.is_(True))
    unseen_thread = select(Thread.id).where(
        Thread.id == Notification.thread_id,
        or_(Thread.is_hidden.is_(True), Thread.merged_into_id.is_not(None)),
    )
    # A moderation act is told even though (because) it hid the post or thread; its actor is a
    # moderator whatever their state since.
    return or_(
        Notification.kind == "moderation",
        and_(
            ~hidden_post.exists(),
            ~unseen_thread.exists(),
            or_(Notification.actor_id.is_(None), _actor_ok(now)),
        ),
    )


def _actor_ok(now):
    return (
        select(User.id)
        .where(
            User.id == Notification.actor_id,
            or_(User.suspended_until.is_(None), User.suspended_until <= now),
            User.is_disabled.is_(False),
        )
        .exists()
    )


def unread_count(user):
    """How many unread groups the participant has (the number in the header)."""
    return db.session.scalar(
        select(func.count(func.distinct(Notification.group_key))).where(
            Notification.user_id == user.id, Notification.read_at.is_(None), shown_clause()
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
        .where(Notification.user_id == user.id, shown_clause())
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
