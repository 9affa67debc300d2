"""Following and being told (issue 16): watches, notifications and per-participant settings.

A watch names what it follows by a kind and a key: a thread, a section or an association by id,
a space by its area ("tribune", "agenda"), a position by its folded label (Paper.position_key).
Keys are strings so that one index serves every kind and one INSERT ... SELECT fans a post out
to all its watchers (services/notify.py).
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tribune.extensions import db
from tribune.models.base import UTCDateTime, utcnow

WATCH_KINDS = ("thread", "section", "space", "position", "association")
WATCH_LEVELS = ("watch", "mute")
MAIL_MODES = ("off", "immediate", "daily", "weekly")
MAIL_STATUSES = ("pending", "sending", "sent", "void", "failed")
NOTIFICATION_KINDS = (
    "reply",  # a reply in a thread I watch (grouped per thread)
    "new_thread",  # a thread opened where I watch a section, space, position or association
    "reply_to_me",  # a reply answering my post
    "quote",  # a quote of my post
    "mention",  # @username in a post
    "translation",  # a translation of my post
    "synthesis",  # a debate I took part in closed with a synthesis
    "moderation",  # a moderation act on my post or thread, with its public reason
    "cosign",  # a request to co-sign a paper for my association
)


class Watch(db.Model):
    """A participant following something (level "watch"), or muting a thread ("mute")."""

    __tablename__ = "watches"
    __table_args__ = (
        UniqueConstraint("user_id", "target_kind", "target_key"),
        Index("ix_watches_target", "target_kind", "target_key", "level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    target_kind: Mapped[str] = mapped_column(String(20))
    target_key: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(10), default="watch")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Notification(db.Model):
    """Something one participant is told. Rows sharing `group_key` are shown as one line
    ("3 new replies in ..."). Whether it may still be shown is decided when it is read
    (services/notify.py): a post hidden since, or its author suspended, hides it."""

    __tablename__ = "notifications"
    __table_args__ = (
        # Few indexes on purpose: every watcher's row of a reply updates each of them
        # (bench/notify_bench.py). Marking a thread's notifications read goes through the
        # first (a reader's unread rows are few).
        Index("ix_notifications_user_unread", "user_id", "read_at"),
        Index("ix_notifications_post", "post_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))
    group_key: Mapped[str] = mapped_column(String(80))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The public reason of a moderation act; the association asked to co-sign; else empty.
    reason: Mapped[str] = mapped_column(Text, default="")
    association_id: Mapped[int | None] = mapped_column(ForeignKey("associations.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    thread = relationship("Thread", lazy="joined")
    actor = relationship("User", foreign_keys=[actor_id], lazy="joined")
    association = relationship("Association", lazy="joined")


class NotificationSettings(db.Model):
    """A participant's choices about being told; absent means the defaults."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    # Opening a thread or replying watches it.
    auto_watch: Mapped[bool] = mapped_column(default=True)
    # E-mail, off until the participant gives an address and chooses: "immediate", "daily" or
    # "weekly". The address is used for nothing else and shown to nobody.
    mail_mode: Mapped[str] = mapped_column(String(10), default="off")
    mail_address: Mapped[str | None] = mapped_column(String(254))
    # Digests: when the last one was made, and the newest notification it covered.
    digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    digest_cursor: Mapped[int] = mapped_column(default=0)


class ThreadRead(db.Model):
    """How far a participant has read a thread: the highest post id they were shown."""

    __tablename__ = "thread_reads"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"), primary_key=True)
    last_read_post_id: Mapped[int] = mapped_column(default=0)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReadMark(db.Model):
    """"Mark all read": every post up to `up_to_post_id` counts as read, in one section
    (`section_id`) or everywhere (`section_id` 0). Post ids only grow, so one number per scope
    replaces a row per thread."""

    __tablename__ = "read_marks"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    section_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    up_to_post_id: Mapped[int] = mapped_column(default=0)
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MailOutbox(db.Model):
    """A message to send, written in the transaction of the event that causes it.

    "immediate" rows carry one notification, "digest" rows every notification of the user with
    an id in (digest_from, notification_id]. The message is rendered when first claimed and kept,
    so a retry sends the same bytes with the same Message-ID. A sender claims a row (status
    "sending", a lease) before it talks to the SMTP server; another sender takes it only once
    the lease ran out (services/mail.py; docs/decisions/0502-mail-outbox.md).
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    notification_id: Mapped[int | None] = mapped_column()
    digest_from: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A random token of the sender holding the lease: the rows a sender claimed are those with
    # its token, whoever else ran the same UPDATE at the same moment.
    claimed_by: Mapped[str] = mapped_column(String(40), default="")
    recipient: Mapped[str] = mapped_column(String(254), default="")
    message_id: Mapped[str] = mapped_column(String(200), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
