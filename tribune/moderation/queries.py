"""Read queries for the moderation pages and the public log."""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from tribune.extensions import db
from tribune.models import ModerationLogEntry, Post, Section, User
from tribune.models.moderation import ACTIONS
from tribune.services import accounts
from tribune.services.debate import as_id

LOG_PER_PAGE = 30


class LogFilter:
    """The log page's filters, parsed from the query string; unknown values are ignored."""

    def __init__(self, args):
        self.moderator = (args.get("moderator") or "").strip()
        self.action = args.get("action") or ""
        self.section = args.get("section") or ""
        self.thread = as_id(args.get("thread"))
        self.date_from = _date(args.get("from"))
        self.date_to = _date(args.get("to"))
        if self.action not in ACTIONS:
            self.action = ""

    def as_args(self):
        """The active filters, for pagination links."""
        args = {
            "moderator": self.moderator,
            "action": self.action,
            "section": self.section,
            "thread": self.thread,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
        }
        return {key: value for key, value in args.items() if value}

    def query(self):
        """The entries matching the filters, newest first. No match for an unknown name."""
        query = select(ModerationLogEntry).order_by(ModerationLogEntry.id.desc())
        if self.moderator:
            actor = accounts.find_by_username(self.moderator)
            query = query.where(ModerationLogEntry.actor_id == (actor.id if actor else -1))
        if self.action:
            query = query.where(ModerationLogEntry.action == self.action)
        if self.section:
            section = db.session.scalar(select(Section).where(Section.slug == self.section))
            section_id = section.id if section else -1
            query = query.where(
                (ModerationLogEntry.section_id == section_id)
                | (ModerationLogEntry.related_section_id == section_id)
            )
        if self.thread:
            query = query.where(
                (ModerationLogEntry.thread_id == self.thread)
                | (ModerationLogEntry.related_thread_id == self.thread)
            )
        if self.date_from:
            start = datetime.combine(self.date_from, time.min, tzinfo=UTC)
            query = query.where(ModerationLogEntry.created_at >= start)
        if self.date_to:
            end = datetime.combine(self.date_to + timedelta(days=1), time.min, tzinfo=UTC)
            query = query.where(ModerationLogEntry.created_at < end)
        return query


def _date(text):
    try:
        return datetime.strptime((text or "").strip(), "%Y-%m-%d").date()
    except ValueError:
        return None


def log_page(log_filter, page):
    """A page of the filtered log."""
    return db.paginate(log_filter.query(), page=page, per_page=LOG_PER_PAGE, error_out=False)


def target_users(entries):
    """{user_id: User} for the accounts that account acts in these entries concern."""
    ids = {e.target_id for e in entries if e.target_kind == "user"}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def sections():
    """Every section, tribune first, in display order."""
    return db.session.scalars(
        select(Section).order_by(Section.area.desc(), Section.position, Section.id)
    ).all()


def thread_posts(thread):
    """Every post of a thread in order (for the split form)."""
    return db.session.scalars(
        select(Post).where(Post.thread_id == thread.id).order_by(Post.id)
    ).all()


def user_posts(user, limit=20):
    """An account's latest posts, hidden ones included (for the moderator's account page)."""
    return db.session.scalars(
        select(Post).where(Post.author_id == user.id).order_by(Post.id.desc()).limit(limit)
    ).all()


def latest_entries(limit=10):
    """The newest log entries."""
    return db.session.scalars(
        select(ModerationLogEntry).order_by(ModerationLogEntry.id.desc()).limit(limit)
    ).all()
