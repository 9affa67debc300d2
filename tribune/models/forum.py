"""Sections, threads, posts and the revisions every edit keeps."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tribune.extensions import db
from tribune.models.base import UTCDateTime, utcnow

AREAS = ("tribune", "agenda")
THREAD_KINDS = ("discussion", "paper", "action")
LANGUAGES = ("fa", "en", "de", "fr", "nl")


class Section(db.Model):
    """A section of one of the two spaces: the tribune (debates) or the agenda (actions)."""

    __tablename__ = "sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    area: Mapped[str] = mapped_column(String(20), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # Titles and descriptions in other interface languages: {"en": {"title": .., "description": ..}}
    translations: Mapped[dict] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(default=0)
    thread_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Archived (services/sections.py): read-only and out of the navigation; its address and its
    # threads' addresses keep working. A section merged into another is archived and points to
    # it, so its address leads there.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id"))

    @property
    def is_archived(self):
        return self.archived_at is not None

    def localized(self, field, locale):
        """The title or description in `locale`, falling back to the stored original."""
        value = (self.translations or {}).get(locale, {}).get(field)
        return value or getattr(self, field)

    def __repr__(self):
        return f"<Section {self.area}/{self.slug}>"


class Thread(db.Model):
    """A thread: a discussion, a position paper or an action, opened by its first post."""

    __tablename__ = "threads"
    __table_args__ = (
        Index("ix_threads_section_activity", "section_id", "is_pinned", "last_post_at"),
        # The newest threads of a section regardless of pins (forum.queries.latest_threads).
        Index("ix_threads_section_last_post", "section_id", "last_post_at"),
        # The few threads readers may not see (access.hidden_post_ids reads them by this).
        Index(
            "ix_threads_not_visible",
            "id",
            postgresql_where=text("merged_into_id IS NOT NULL OR is_hidden IS NOT false"),
            sqlite_where=text("merged_into_id IS NOT NULL OR is_hidden IS NOT 0"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), default="discussion")
    language: Mapped[str] = mapped_column(String(8), default="fa")
    is_locked: Mapped[bool] = mapped_column(default=False)
    is_pinned: Mapped[bool] = mapped_column(default=False)
    # Counts of posts a reader can see, kept by the services so lists never count per row.
    reply_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    last_post_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", use_alter=True))
    # Moderation state (services/moderation.py keeps these): a thread whose opening post is hidden
    # is hidden from lists and counts; a merged thread points to the one that received its posts.
    is_hidden: Mapped[bool] = mapped_column(default=False)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"))
    # Minimum seconds between two replies of one participant here; 0 is off.
    slow_mode_seconds: Mapped[int] = mapped_column(default=0)
    # How many moderation log entries concern this thread, so its page queries them only if any.
    moderation_count: Mapped[int] = mapped_column(default=0)
    # Debates (models/debate.py, services/debate*.py keep these): when it was closed with a
    # synthesis (read-only until reopened), how many close/reopen events and links to the other
    # space it has, so its page queries them only if any.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closure_count: Mapped[int] = mapped_column(default=0)
    link_count: Mapped[int] = mapped_column(default=0)

    section = relationship("Section", lazy="joined")
    author = relationship("User", lazy="joined")
    posts = relationship(
        "Post",
        back_populates="thread",
        foreign_keys="Post.thread_id",
        order_by="Post.id",
        lazy="raise",
    )

    def __repr__(self):
        return f"<Thread {self.id} {self.title!r}>"


class ThreadDay(db.Model):
    """How many threads readers see listed in a section, by the day they were opened (in the
    display time zone). The archive's index sums these instead of reading every thread (issue
    14, docs/decisions/0206); services/thread_days.py keeps them, `flask check` recomputes them.
    """

    __tablename__ = "thread_days"

    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    threads: Mapped[int] = mapped_column(default=0)


class Post(db.Model):
    """A post. Markdown is rendered once, on save, into body_html (sanitized)."""

    __tablename__ = "posts"
    __table_args__ = (
        Index("ix_posts_thread_order", "thread_id", "id"),
        # A profile counts its author's visible posts from the index alone (issue 14).
        Index("ix_posts_author_visible", "author_id", "is_hidden"),
        # The few hidden posts (access.hidden_post_ids reads them by this).
        Index(
            "ix_posts_hidden",
            "id",
            postgresql_where=text("is_hidden IS NOT false"),
            sqlite_where=text("is_hidden IS NOT 0"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    language: Mapped[str] = mapped_column(String(8), default="fa")
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How many earlier versions are kept, so the thread page needs no count query per post.
    revision_count: Mapped[int] = mapped_column(default=0)
    # Why the author last edited it, in their words (optional, public); earlier reasons stay
    # with the revisions.
    edit_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    is_hidden: Mapped[bool] = mapped_column(default=False)
    hidden_reason: Mapped[str] = mapped_column(Text, default="")
    # Debates (services/debate_posts.py keeps these): the post this one answers, and how many
    # quotes and translations it has, so the thread page loads them only when there are some.
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"))
    quote_count: Mapped[int] = mapped_column(default=0)
    translation_count: Mapped[int] = mapped_column(default=0)

    thread = relationship("Thread", back_populates="posts", foreign_keys=[thread_id])
    reply_to = relationship("Post", remote_side=[id], foreign_keys=[reply_to_id])
    author = relationship("User", lazy="joined")
    revisions = relationship(
        "PostRevision", back_populates="post", order_by="PostRevision.number", lazy="raise"
    )

    def __repr__(self):
        return f"<Post {self.id} in {self.thread_id}>"


class PostRevision(db.Model):
    """An earlier version of a post, kept when the post is edited. Never deleted."""

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), index=True)
    number: Mapped[int] = mapped_column()
    # The thread title at that time, for the opening post (titles are part of what was said).
    title: Mapped[str | None] = mapped_column(String(300))
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    # Why this version was written (the reason given with the edit that made it), if any.
    edit_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # When this version was written, and who replaced it.
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    replaced_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    post = relationship("Post", back_populates="revisions")
    replaced_by = relationship("User", lazy="joined")
