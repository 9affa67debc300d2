"""People and the associations they belong to."""

import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tribune.extensions import db
from tribune.models.base import UTCDateTime, utcnow

ROLES = ("participant", "admin")


def new_session_token():
    """A random token; changing a user's token ends every session they have."""
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    """A participant. Usernames are public; e-mail addresses are never shown to anyone else."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40))
    # Case-folded username: "Sara" and "sara" are the same account name.
    username_key: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(80), default="")
    # Not unique on purpose: a unique e-mail column would let registration reveal who is
    # registered. Password reset writes to every account that gave the address.
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="participant")
    bio: Mapped[str] = mapped_column(Text, default="")
    locale: Mapped[str | None] = mapped_column(String(8))
    # The calendar dates are shown in: "" for the interface language's own (Jalali in Persian,
    # Gregorian elsewhere), "jalali" or "gregorian" when the reader chose (issue 17).
    calendar: Mapped[str] = mapped_column(String(10), default="", server_default="")
    # Rotated on logout-everywhere, password change and suspension; part of the session id.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    # Placeholder accounts stand for authors of imported archives; they cannot log in.
    is_placeholder: Mapped[bool] = mapped_column(default=False)
    is_disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_post_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The day (midnight UTC) the account was last used, for administrators' filters; no time.
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the participant deleted the account: the row stays, anonymised, so posts keep an
    # author ("former participant") and threads stay whole.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by moderation (the `suspensions` table holds the history): until then, a suspended
    # account cannot log in, and a silenced one is read-only.
    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    silenced_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Registration (services/registration.py): who invited this account (administrators only
    # see it), and, under registration by approval, "pending" until a moderator admits the
    # applicant or "declined"; None for an account that may log in.
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approval: Mapped[str | None] = mapped_column(String(20))
    application_text: Mapped[str] = mapped_column(Text, default="")
    # Who decided the application, when, and the reason the applicant is told at login.
    approval_decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approval_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approval_reason: Mapped[str] = mapped_column(Text, default="")

    memberships = relationship("Membership", back_populates="user")
    invited_by = relationship(
        "User", remote_side=[id], foreign_keys=[invited_by_id], lazy="select"
    )

    # Not a column: the key of the browser session this object was loaded for (set by
    # services/sessions.py at login and by the session loader), part of the Flask-Login id.
    session_key = None

    def get_id(self):
        """Flask-Login's id: user id, the account's session token, and this browser's session key.

        Rotating the token ends every session at once; deleting one session row ends one browser.
        """
        return f"{self.id}:{self.session_token}:{self.session_key or ''}"

    @property
    def is_active(self):
        return not (
            self.is_disabled or self.is_placeholder or self.is_suspended or self.approval
        )

    @property
    def is_suspended(self):
        """Suspended by moderation now; the suspension ends on its own at `suspended_until`."""
        return self.suspended_until is not None and self.suspended_until > utcnow()

    @property
    def is_silenced(self):
        """Silenced (read-only) by moderation now, until `silenced_until`."""
        return self.silenced_until is not None and self.silenced_until > utcnow()

    @property
    def is_admin(self):
        return self.role == "admin"

    @property
    def shown_name(self):
        """The name shown on posts: the display name if set, else the username."""
        if self.deleted_at is not None:
            return _l("former participant")
        return self.display_name or self.username

    def __repr__(self):
        return f"<User {self.username}>"


@event.listens_for(User.suspended_until, "set")
@event.listens_for(User.is_disabled, "set")
def _restriction_ends_sessions(user, value, old_value, initiator):
    """Suspending or disabling an account ends every session it has, at once and for good.

    The token is part of every session's id, so sessions stay dead after a suspension is lifted.
    """
    if value:
        user.session_token = new_session_token()


class Association(db.Model):
    """An association (کانون / انجمن) of the coalition, in a city."""

    __tablename__ = "associations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships = relationship("Membership", back_populates="association")

    def __repr__(self):
        return f"<Association {self.slug}>"


class Membership(db.Model):
    """A participant's stated affiliation with an association (optional: privacy first)."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "association_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id"), index=True)
    # Shown on the association's page only if the member chose so.
    is_public: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", back_populates="memberships")
    association = relationship("Association", back_populates="memberships", lazy="joined")
