"""Debates apart from the agenda (issue 3): position papers and their signatories, quotes,
parallel translations, syntheses that close a debate, actions, commemorations, and the links
between the two spaces.

Counters and current state that the thread page needs on every load live on the forum rows
(Thread.closed_at, Thread.closure_count, Thread.link_count, Post.reply_to_id, Post.quote_count,
Post.translation_count), so a plain thread costs no extra query; the tables here hold the rest.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from tribune.extensions import db
from tribune.models.base import UTCDateTime, utcnow

CALENDARS = ("gregorian", "jalali")
ACTION_STATUSES = ("planned", "cancelled")
CLOSURE_KINDS = ("close", "reopen")


class Paper(db.Model):
    """The structured fields of a position paper, one row per thread of kind "paper"."""

    __tablename__ = "papers"
    # The papers list, newest first, from papers alone (papers.queries.papers_page; issue 14).
    __table_args__ = (Index("ix_papers_listed", "created_at", "thread_id"),)

    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"), primary_key=True)
    # The short thesis shown in lists, plain text.
    summary: Mapped[str] = mapped_column(Text, default="")
    # The position defended, a free label as typed («سوسیالیسم»); position_key is its folded form
    # (Persian spelling variants, case, spaces), so filters group «سوسياليسم» with «سوسیالیسم».
    position: Mapped[str] = mapped_column(String(120))
    position_key: Mapped[str] = mapped_column(String(120), index=True)
    # Always its thread's created_at (the services write both; `flask check` compares them),
    # so the list is ordered from this table's own index.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Joined with every thread load: lists show the summary and position without a query per row.
    thread = relationship("Thread", backref=backref("paper", uselist=False, lazy="joined"))
    signatures = relationship(
        "PaperSignature",
        back_populates="paper",
        order_by="PaperSignature.signed_at",
        lazy="raise",
    )

    def search_target(self):
        return ("thread", self.thread_id)

    def __repr__(self):
        return f"<Paper {self.thread_id} {self.position!r}>"


class PaperSignature(db.Model):
    """An association co-signing a paper, named by one of its confirmed members.

    Withdrawing keeps the row (signatures are public statements); signing again reactivates it.
    """

    __tablename__ = "paper_signatures"
    __table_args__ = (UniqueConstraint("thread_id", "association_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("papers.thread_id"), index=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id"), index=True)
    signed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    paper = relationship("Paper", back_populates="signatures")
    association = relationship("Association", lazy="joined")
    signed_by = relationship("User", foreign_keys=[signed_by_id], lazy="joined")
    withdrawn_by = relationship("User", foreign_keys=[withdrawn_by_id])

    @property
    def is_active(self):
        return self.withdrawn_at is None


SIGNATURE_EVENT_KINDS = ("sign", "withdraw")


class PaperSignatureEvent(db.Model):
    """One act on a co-signature: a member signing for the association, or someone withdrawing.

    The signature row holds the state now (who signed it last, who withdrew it); signing again
    after a withdrawal would overwrite both. These rows keep every act, in order, so the paper
    can always say who signed for the association and who withdrew it, and when (issue 17).
    Never updated or deleted.
    """

    __tablename__ = "paper_signature_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    signature_id: Mapped[int] = mapped_column(ForeignKey("paper_signatures.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    # None only for a withdrawal imported from an archive that did not say who withdrew.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    signature = relationship("PaperSignature", lazy="joined")
    actor = relationship("User", lazy="joined")


class MembershipConfirmation(db.Model):
    """A stated affiliation confirmed by a member of the association (or an administrator).

    Anyone may state an affiliation; only confirmed members may sign for the association, so
    that naming an association as signatory means something.
    """

    __tablename__ = "membership_confirmations"

    membership_id: Mapped[int] = mapped_column(
        ForeignKey("memberships.id", ondelete="CASCADE"), primary_key=True
    )
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    membership = relationship(
        "Membership",
        backref=backref("confirmation", uselist=False, lazy="joined", cascade="all, delete-orphan"),
    )
    confirmed_by = relationship("User", lazy="joined")


class Quote(db.Model):
    """A passage of a post quoted by a reply.

    The passage is kept here, never in the reply's own text, and shown only to readers who may
    see the quoted post: once that post is hidden by moderation, its words do not reach readers
    through the quotes either (nor through the reply's history or the search index).
    """

    __tablename__ = "quotes"
    __table_args__ = (Index("ix_quotes_post_position", "post_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"))
    quoted_post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    passage: Mapped[str] = mapped_column(Text)
    # The quoted post's revision count when quoted: later edits are pointed out to readers.
    quoted_revision: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    post = relationship("Post", foreign_keys=[post_id])
    quoted_post = relationship("Post", foreign_keys=[quoted_post_id], lazy="joined")

    @property
    def quoted_post_edited_since(self):
        return self.quoted_post.revision_count > self.quoted_revision


class Translation(db.Model):
    """A participant's translation of a post into another language; one per post and language.

    `source_revision` is the original's revision count the translation was made from: once the
    original is edited again, the translation is possibly outdated until its translator updates it.
    """

    __tablename__ = "translations"
    __table_args__ = (UniqueConstraint("post_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    translator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The thread title in this language, for the opening post only.
    title: Mapped[str | None] = mapped_column(String(300))
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    source_revision: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    post = relationship("Post")
    translator = relationship("User", lazy="joined")

    def is_outdated(self, post=None):
        """Whether the original was edited after this translation was made or last updated."""
        return self.source_revision < (post or self.post).revision_count

    def search_target(self):
        return ("post", self.post_id)


class ClosureEvent(db.Model):
    """Closing a debate with a synthesis, or reopening it: the history is kept whole."""

    __tablename__ = "closure_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The synthesis (close only): what was agreed, what remains disputed; Markdown rendered once.
    agreed_source: Mapped[str] = mapped_column(Text, default="")
    agreed_html: Mapped[str] = mapped_column(Text, default="")
    disputed_source: Mapped[str] = mapped_column(Text, default="")
    disputed_html: Mapped[str] = mapped_column(Text, default="")
    # Why it was reopened (reopen only).
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    thread = relationship("Thread")
    actor = relationship("User", lazy="joined")

    def search_target(self):
        return ("thread", self.thread_id)


class Action(db.Model):
    """The when and where of an action thread (kind "action") of the agenda.

    Times are stored UTC-aware, with the IANA zone the action takes place in, so the wall-clock
    time stays what the organisers meant and calendar apps get the right zone.
    """

    __tablename__ = "actions"

    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"), primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64))
    city: Mapped[str] = mapped_column(String(100))
    place: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default="planned")
    # Bumped on every change of time, place or status: iCalendar's SEQUENCE, so calendar apps
    # replace their copy.
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    thread = relationship("Thread", backref=backref("action", uselist=False, lazy="joined"))

    @property
    def zone(self):
        return ZoneInfo(self.timezone)

    @property
    def local_start(self):
        return self.starts_at.astimezone(self.zone)

    @property
    def local_end(self):
        return self.ends_at.astimezone(self.zone) if self.ends_at else None

    @property
    def is_cancelled(self):
        return self.status == "cancelled"

    def search_target(self):
        return ("thread", self.thread_id)


class Commemoration(db.Model):
    """A day remembered every year, on a Gregorian or a Jalali date, entered once."""

    __tablename__ = "commemorations"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    # Titles in other languages: {"en": "...", "de": "..."}.
    translations: Mapped[dict] = mapped_column(JSON, default=dict)
    description: Mapped[str] = mapped_column(Text, default="")
    calendar: Mapped[str] = mapped_column(String(10), default="gregorian")
    month: Mapped[int] = mapped_column()
    day: Mapped[int] = mapped_column()
    # The first year it is remembered, in its own calendar (optional).
    since_year: Mapped[int | None] = mapped_column()
    # The working group that looks after it, if any.
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id"))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    section = relationship("Section", lazy="joined")
    created_by = relationship("User", lazy="joined")

    def localized_title(self, locale):
        return (self.translations or {}).get(locale) or self.title


class ThreadLink(db.Model):
    """A debate of the tribune related to an action of the agenda; shown on both threads."""

    __tablename__ = "thread_links"
    __table_args__ = (UniqueConstraint("debate_id", "action_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    debate_id: Mapped[int] = mapped_column(ForeignKey("threads.id"), index=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("threads.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    debate = relationship("Thread", foreign_keys=[debate_id], lazy="joined")
    action = relationship("Thread", foreign_keys=[action_id], lazy="joined")
