"""The site itself: its identity and rules in each language, its registration policy, and the
invitations members hand out when registration is by invitation."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tribune.extensions import db
from tribune.models.base import UTCDateTime, utcnow

REGISTRATION_POLICIES = ("open", "approval", "invitation")
# Plain one-line texts and Markdown texts (rendered once, on save, like posts).
PLAIN_TEXTS = ("name", "tagline")
MARKDOWN_TEXTS = ("about", "rules")
SITE_TEXTS = PLAIN_TEXTS + MARKDOWN_TEXTS


class SiteSettings(db.Model):
    """One row (id 1): the settings administrators choose in the browser.

    `version` grows with every change; each worker compares it with the version it cached
    (one primary-key read per request) and reloads only when it moved (docs/decisions/0302).
    """

    __tablename__ = "site_settings"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    default_locale: Mapped[str | None] = mapped_column(String(8))
    registration: Mapped[str] = mapped_column(String(20), default="open")
    # How many unused invitations a member may hold at once; 0 is no limit.
    invitation_limit: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)
    setup_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SiteText(db.Model):
    """The site's name, tagline, about text or rules in one interface language."""

    __tablename__ = "site_texts"
    __table_args__ = (UniqueConstraint("key", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(20))
    locale: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(Text, default="")
    # The sanitized HTML of a Markdown text (about, rules); the escaped text itself otherwise.
    html: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Invitation(db.Model):
    """A single-use invitation link. Only a hash of its code is kept, so the database alone
    cannot be used to register; the code is shown once, to the member who made it."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A note for the member who made it ("for Leila, Hamburg"), shown to them only.
    note: Mapped[str] = mapped_column(String(200), default="")

    created_by = relationship("User", foreign_keys=[created_by_id], lazy="joined")
    used_by = relationship("User", foreign_keys=[used_by_id], lazy="joined")

    def is_open(self, at=None):
        """Unused, not revoked, not expired."""
        at = at or utcnow()
        return self.used_at is None and self.revoked_at is None and self.expires_at > at
