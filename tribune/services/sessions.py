"""Server-side sessions: one row per logged-in browser, ended on the server.

Flask's session cookie lives in the browser, so a copy taken before logout would still carry a
valid user id. Each login therefore gets a random key, stored here as a digest and carried in the
Flask-Login id; logging out deletes the row, and every copy of that cookie stops working. The same
rows enforce an idle and an absolute end, and list a participant's sessions in their settings.
Nothing about the browser is kept: no IP address, no user agent.
"""

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, or_, select

from tribune.extensions import db
from tribune.models import UserSession
from tribune.models.base import utcnow
from tribune.models.security import digest
from tribune.models.users import new_session_token
from tribune.services import NotFound
from tribune.services.transaction import transaction

# last_seen_at is written at most this often, so an active browser does not write per request.
TOUCH_EVERY = timedelta(minutes=1)


def now():
    """The current time; tests replace it to travel in time."""
    return utcnow()


def _seconds(name):
    return timedelta(seconds=current_app.config[name])


def _idle_limit(remember):
    return _seconds("REMEMBER_IDLE_TIMEOUT" if remember else "SESSION_IDLE_TIMEOUT")


def _expired(moment):
    """SQL condition: the session is past its absolute end or idle for too long."""
    return or_(
        UserSession.expires_at <= moment,
        UserSession.remember.is_(False) & (UserSession.last_seen_at <= moment - _idle_limit(False)),
        UserSession.remember.is_(True) & (UserSession.last_seen_at <= moment - _idle_limit(True)),
    )


def note_seen(user, moment):
    """Remember the day (not the time) an account was last used, for administrators' lists of
    accounts long unused; written at most once a day. Does not commit."""
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if user.last_seen_at is None or user.last_seen_at < day:
        user.last_seen_at = day


@transaction
def start(user, remember=False):
    """Open a session for `user` and return its key (set on the user for Flask-Login's id).

    Expired sessions of everyone are deleted on the way: logins are rare enough to pay for it.
    """
    moment = now()
    key = secrets.token_urlsafe(32)
    lifetime = _seconds("REMEMBER_ABSOLUTE_TIMEOUT" if remember else "SESSION_ABSOLUTE_TIMEOUT")
    prune()
    db.session.add(
        UserSession(
            user_id=user.id,
            key_hash=digest(key),
            remember=bool(remember),
            created_at=moment,
            last_seen_at=moment,
            expires_at=moment + lifetime,
        )
    )
    note_seen(user, moment)
    db.session.commit()
    user.session_key = key
    user.session_remember = bool(remember)
    return key


@transaction
def load(flask_login_id):
    """The active user whose session this Flask-Login id names, or None.

    The id is "<user id>:<account token>:<session key>". The session must exist, belong to that
    account, and be within its idle and absolute limits; the account must be active. Reading
    writes nothing but last_seen_at, at most once a minute.
    """
    user_id, _, rest = (flask_login_id or "").partition(":")
    token, _, key = rest.partition(":")
    if not (user_id.isascii() and user_id.isdecimal() and token and key):
        return None
    row = db.session.scalar(select(UserSession).where(UserSession.key_hash == digest(key)))
    if row is None or row.user_id != int(user_id):
        return None
    user = row.user
    if not secrets.compare_digest(user.session_token, token) or not user.is_active:
        return None
    moment = now()
    if moment >= row.expires_at or moment - row.last_seen_at >= _idle_limit(row.remember):
        return None  # the row goes at the next prune (any login)
    if moment - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = moment
        note_seen(user, moment)
        db.session.commit()
    user.session_key = key
    user.session_remember = row.remember
    return user


def current_row(user):
    """The session row of the browser `user` was loaded for, or None."""
    if not user.session_key:
        return None
    return db.session.scalar(
        select(UserSession).where(
            UserSession.key_hash == digest(user.session_key), UserSession.user_id == user.id
        )
    )


def is_remembered(user):
    """Whether this browser's session was opened with "keep me logged in"."""
    return bool(getattr(user, "session_remember", False))


@transaction
def end(user):
    """Log out the browser whose session `user` was loaded for (its cookie copies too)."""
    if user.session_key:
        db.session.execute(
            delete(UserSession).where(
                UserSession.key_hash == digest(user.session_key), UserSession.user_id == user.id
            )
        )
        db.session.commit()
    user.session_key = None


@transaction
def end_one(user, session_id):
    """End one of the user's sessions by its id (from the settings list)."""
    row = db.session.get(UserSession, session_id)
    if row is None or row.user_id != user.id:
        raise NotFound()
    db.session.delete(row)
    db.session.commit()


@transaction
def end_all(user, keep_current=False):
    """End every session of the account (all but this browser's with keep_current). Commits.

    The account token rotates too, so any Flask-Login id issued before stops working.
    """
    condition = UserSession.user_id == user.id
    if keep_current and user.session_key:
        condition = condition & (UserSession.key_hash != digest(user.session_key))
    else:
        user.session_key = None
    db.session.execute(delete(UserSession).where(condition))
    user.session_token = new_session_token()
    db.session.commit()


def for_user(user):
    """The user's live sessions, newest first, each marked `is_current` for this browser."""
    rows = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, ~_expired(now()))
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ).all()
    current = digest(user.session_key) if user.session_key else None
    for row in rows:
        row.is_current = row.key_hash == current
    return rows


def prune(user=None):
    """Delete expired sessions (of one user, or of everyone). Does not commit."""
    statement = delete(UserSession).where(_expired(now()))
    if user is not None:
        statement = statement.where(UserSession.user_id == user.id)
    db.session.execute(statement, execution_options={"synchronize_session": False})
