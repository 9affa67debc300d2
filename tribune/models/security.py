"""Server-side sessions, second factors and password-reset tokens.

Secrets a browser or an e-mail carries (session keys, recovery codes, reset tokens) are stored
only as SHA-256 digests: they are long random strings, so a digest is enough, and a copy of the
database does not open anyone's account. No IP address and no user agent is kept anywhere.
"""

import hashlib
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tribune.extensions import db
from tribune.models.base import UTCDateTime, utcnow


def digest(secret):
    """The SHA-256 hex digest under which a random secret is stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class UserSession(db.Model):
    """One logged-in browser. Deleting the row logs that browser out, copies of its cookie too."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Digest of the random key carried in the session (and remember-me) cookie.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Updated at most once a minute, to avoid a write per request.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The absolute end: 12 hours after login, 30 days with "keep me logged in".
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # The TOTP secret this browser is setting up, until confirmed: kept here, on the server, and
    # gone with the session, never in the cookie (which is signed, not encrypted).
    two_factor_setup: Mapped[str | None] = mapped_column(String(64))

    user = relationship("User", lazy="joined")

    def __repr__(self):
        return f"<UserSession {self.id} of {self.user_id}>"


class TwoFactor(db.Model):
    """A TOTP secret. Set up but unconfirmed while `enabled_at` is None."""

    __tablename__ = "two_factor"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last 30-second time step a code was accepted for: a code works once.
    last_step: Mapped[int] = mapped_column(default=0)

    def __repr__(self):
        return f"<TwoFactor of {self.user_id}>"


class RecoveryCode(db.Model):
    """A one-time code that stands in for the authenticator app."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PasswordReset(db.Model):
    """A single-use password-reset token, sent by e-mail or issued by an administrator."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # "mail" or "admin": how the link reached its holder.
    channel: Mapped[str] = mapped_column(String(10), default="mail")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User", lazy="joined")
