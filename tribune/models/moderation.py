"""Moderation: terms of office, reports, suspensions, and the append-only public log.

Moderation powers come from a term, never from a role: a term has a start and an end, and the
powers begin and stop with it on their own. Every moderation act writes one log entry; entries are
chained by hashes so that altering or removing one is detectable (see services/moderation_log.py).
"""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from tribune.extensions import db
from tribune.models.base import UTCDateTime, utcnow

# What a participant may report a post for; "other" needs a few words of explanation.
REPORT_REASONS = ("spam", "abuse", "privacy", "off_topic", "other")
REPORT_STATES = ("open", "resolved", "dismissed")
# A suspension ends every session and refuses login; a silence leaves the account read-only.
RESTRICTION_KINDS = ("suspend", "silence")

# Every act the log can hold. Term acts are administration (done by an administrator, outside
# any term); every other act is moderation and carries the term under which it was done.
ACTIONS = (
    "post.hide",
    "post.unhide",
    "thread.lock",
    "thread.unlock",
    "thread.pin",
    "thread.unpin",
    "thread.move",
    "thread.merge",
    "thread.split",
    "thread.retitle",
    "thread.slow_mode",
    "thread.close",
    "thread.reopen",
    "user.suspend",
    "user.silence",
    "user.lift",
    "user.disable",
    "user.reinstate",
    "report.resolve",
    "report.dismiss",
    "term.grant",
    "term.end",
    # Administration of the site itself (issue 19): no term, like the term acts.
    "section.create",
    "section.edit",
    "section.order",
    "section.archive",
    "section.unarchive",
    "section.merge",
    "site.identity",
    "site.registration",
    "user.admit",
    "user.admin_grant",
    "user.admin_end",
    "association.edit",
    "association.merge",
)


class ModeratorTerm(db.Model):
    """A period during which a participant moderates, granted by an administrator."""

    __tablename__ = "moderator_terms"
    __table_args__ = (Index("ix_moderator_terms_user_period", "user_id", "starts_at", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The association on whose behalf the term is held, if any (coordination rotates among them).
    association_id: Mapped[int | None] = mapped_column(ForeignKey("associations.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When an administrator ended the term before its planned end (ends_at is then that moment).
    ended_early_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Left by the outgoing moderator for the next ones; shown to moderators only.
    handover_note: Mapped[str] = mapped_column(Text, default="")
    handover_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User", foreign_keys=[user_id], lazy="joined")
    granted_by = relationship("User", foreign_keys=[granted_by_id], lazy="joined")
    association = relationship("Association", lazy="joined")

    def is_current(self, at=None):
        """Whether the term is in force at `at` (now by default): start inclusive, end exclusive."""
        at = at or utcnow()
        return self.starts_at <= at < self.ends_at

    def __repr__(self):
        return f"<ModeratorTerm {self.id} user={self.user_id}>"


class Report(db.Model):
    """A participant's report of a post. The reporter is known to moderators only."""

    __tablename__ = "reports"
    __table_args__ = (Index("ix_reports_state_created", "state", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    details: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state: Mapped[str] = mapped_column(String(20), default="open")
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_note: Mapped[str] = mapped_column(Text, default="")

    post = relationship("Post", lazy="joined")
    reporter = relationship("User", foreign_keys=[reporter_id], lazy="joined")
    handled_by = relationship("User", foreign_keys=[handled_by_id], lazy="joined")


class Suspension(db.Model):
    """A suspension or a silence of an account for a period; lifting it early keeps the record.

    The user's `suspended_until` / `silenced_until` columns hold the resulting state, so access
    checks need no query; these rows are the history and the reasons.
    """

    __tablename__ = "suspensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    term_id: Mapped[int] = mapped_column(ForeignKey("moderator_terms.id"))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lift_reason: Mapped[str] = mapped_column(Text, default="")

    user = relationship("User", foreign_keys=[user_id], lazy="joined")
    created_by = relationship("User", foreign_keys=[created_by_id], lazy="joined")

    def is_active(self, at=None):
        """In force now: started, not ended, not lifted."""
        at = at or utcnow()
        return self.lifted_at is None and self.starts_at <= at < self.ends_at


class ModerationLogEntry(db.Model):
    """One moderation act: who, what, to which object, why, when, under which term.

    Append-only: the ORM refuses to update or delete an entry (see the listener below). `hash`
    covers the entry's content and `prev_hash`, the previous entry's hash, so the entries form a
    chain; ids are assigned in sequence by the writer, so a missing entry breaks the chain too.
    """

    __tablename__ = "moderation_log"
    __table_args__ = (
        Index("ix_moderation_log_thread", "thread_id", "id"),
        Index("ix_moderation_log_related_thread", "related_thread_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    term_id: Mapped[int | None] = mapped_column(ForeignKey("moderator_terms.id"))
    action: Mapped[str] = mapped_column(String(40), index=True)
    # The object acted upon: ("post", id), ("thread", id), ("user", id), ("term", id).
    target_kind: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column()
    # The thread(s) and section(s) concerned, for the per-thread list and the section filter:
    # a move goes from section_id to related_section_id; a merge and a split link two threads.
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"))
    related_thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"))
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id"), index=True)
    related_section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    # Facts needed to understand or reverse the act (moved post ids, old title, period...).
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    actor = relationship("User", lazy="joined")
    term = relationship("ModeratorTerm", lazy="joined")
    thread = relationship("Thread", foreign_keys=[thread_id], lazy="joined")
    related_thread = relationship("Thread", foreign_keys=[related_thread_id], lazy="joined")
    section = relationship("Section", foreign_keys=[section_id], lazy="joined")
    related_section = relationship("Section", foreign_keys=[related_section_id], lazy="joined")

    def __repr__(self):
        return f"<ModerationLogEntry {self.id} {self.action}>"


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete a moderation log entry."""


@event.listens_for(Session, "before_flush")
def _log_is_append_only(session, flush_context, instances):
    for obj in session.deleted:
        if isinstance(obj, ModerationLogEntry):
            raise AppendOnlyError("moderation log entries are never deleted")
    for obj in session.dirty:
        if isinstance(obj, ModerationLogEntry) and session.is_modified(obj):
            raise AppendOnlyError("moderation log entries are never changed")
