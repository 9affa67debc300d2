"""Accounts: registration, logging in, profiles, passwords and sessions."""

import contextlib
import contextvars
import re
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from tribune import access
from tribune.extensions import db
from tribune.i18n import lazy_gettext as _l
from tribune.models import Membership, Post, Thread, User
from tribune.models.base import utcnow
from tribune.services import Invalid, Refused, notify, passwords, resets, sessions, twofactor
from tribune.services.keys import normalise_email, username_key
from tribune.services.names import refuse_direction_controls
from tribune.services.transaction import transaction

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,29}$")
# Names that would be confusing or impersonate a role or a part of the site.
RESERVED_USERNAMES = frozenset(
    {
        "admin",
        "administrator",
        "moderator",
        "moderation",
        "tribune",
        "agenda",
        "system",
        "root",
        "support",
        "former-participant",
        "anonymous",
        "api",
        "search",
        "accounts",
    }
)


# Placeholder usernames of deleted accounts; nobody may register one.
DELETED_PREFIX = "former-participant"


def now():
    """The current time; tests replace it to travel in time."""
    return utcnow()


def find_by_username(username):
    """The account with this username (any case), or None."""
    return db.session.scalar(select(User).where(User.username_key == username_key(username)))


def validate_username(username):
    """Raise Invalid if the username is malformed, reserved or taken.

    Usernames are public, so saying that one is taken reveals nothing private.
    """
    if not USERNAME_RE.match(username):
        raise Invalid(
            _l("3 to 30 Latin letters, digits, '.', '_' or '-', starting with a letter or digit."),
            field="username",
        )
    key = username_key(username)
    if key in RESERVED_USERNAMES or key.startswith(DELETED_PREFIX):
        raise Invalid(_l("This username is reserved."), field="username")
    if find_by_username(username) is not None:
        raise Invalid(_l("This username is taken."), field="username")


def new_account(username, password, email=None, display_name="", role="participant"):
    """A new account, checked and added to the session; the caller commits (registration
    commits it with the invitation it used, services/registration.py)."""
    username = username.strip()
    validate_username(username)
    passwords.check_rules(password, username)
    user = User(
        username=username,
        username_key=username_key(username),
        display_name=clean_display_name(display_name),
        email=normalise_email(email),
        password_hash=passwords.hash_password(password),
        role=role,
    )
    db.session.add(user)
    return user


@transaction
def register(username, password, email=None, display_name="", role="participant"):
    """Create an account. The e-mail address is optional and never shown to others."""
    user = new_account(username, password, email, display_name, role)
    db.session.commit()
    return user


class Suspended(Refused):
    """The password was right, but moderation suspended the account until `until`."""

    def __init__(self, until):
        super().__init__(_l("This account is suspended by moderation."))
        self.until = until


class AwaitingApproval(Refused):
    """The password was right, but the application is still "pending", or was "declined"."""

    def __init__(self, state, reason=""):
        if state == "declined":
            message = _l("The moderators did not admit this application. Their reason: "
                         "%(reason)s", reason=reason)
        else:
            message = _l("Your application is with the moderators; log in again later.")
        super().__init__(message)
        self.state = state


@transaction
def authenticate(username, password):
    """The active account these credentials open, or None; same work whether it exists or not.

    Suspended(until) when the password is right but the account is suspended: only someone
    who knows the password learns it, and they should know why they cannot log in.
    """
    user = find_by_username(username) if USERNAME_RE.match(username or "") else None
    usable = user is not None and not user.is_disabled and not user.is_placeholder
    stored = user.password_hash if usable else None
    if not passwords.verify_password(stored, password):
        return None
    if user.is_suspended:
        raise Suspended(user.suspended_until)
    if user.approval is not None:
        # Only someone who knows the password learns where the application stands.
        raise AwaitingApproval(user.approval, user.approval_reason)
    if passwords.needs_rehash(stored):
        user.password_hash = passwords.hash_password(password)
        db.session.commit()
    return user


def clean_display_name(display_name):
    """The display name as shown beside posts: stripped, bounded, no direction controls."""
    return refuse_direction_controls((display_name or "").strip()[:80], "display_name")


@transaction
def update_profile(user, display_name, bio, locale):
    """Change what others see of an account (display name, bio) and its interface language."""
    user.display_name = clean_display_name(display_name)
    user.bio = bio.strip()[:2000]
    user.locale = locale or None
    db.session.commit()
    return user


CALENDAR_CHOICES = ("", "jalali", "gregorian")


@transaction
def set_calendar(user, calendar):
    """Choose the calendar dates are shown in: "" (the interface language's), "jalali" or
    "gregorian"; the other one stays beside or behind each date."""
    if calendar not in CALENDAR_CHOICES:
        raise Invalid(_l("Choose one of the calendars offered."), field="calendar")
    user.calendar = calendar
    db.session.commit()
    return user


@transaction
def change_password(user, current_password, new_password):
    """Change the password after checking the current one; ends every other session."""
    if not passwords.verify_password(user.password_hash, current_password):
        raise Invalid(_l("The current password is not right."), field="current_password")
    passwords.check_rules(new_password, user.username)
    user.password_hash = passwords.hash_password(new_password)
    sessions.end_all(user, keep_current=True)
    return user


@transaction
def end_all_sessions(user):
    """Log the account out everywhere: every cookie issued so far stops working."""
    sessions.end_all(user)


@transaction
def delete_account(user, password, confirm_second_factor=None):
    """Delete an account at its owner's request; what they wrote stays, without their name.

    The row is anonymised rather than removed, so threads stay whole and quotes keep their
    author: a random placeholder username, shown as "former participant". E-mail, password, bio,
    affiliations, second factor and sessions go. Moderators may still hide posts separately.
    `confirm_second_factor(user)` raises Invalid unless the second factor was given.
    """
    if not passwords.verify_password(user.password_hash, password):
        raise Invalid(_l("The password is not right."), field="password")
    if confirm_second_factor is not None:
        confirm_second_factor(user)
    if access.has_admin_role(user):
        raise Refused(_l("An administrator must hand the role to someone else first."))
    placeholder = f"{DELETED_PREFIX}-{secrets.token_hex(6)}"
    user.username = placeholder
    user.username_key = placeholder
    user.display_name = ""
    user.bio = ""
    user.email = None
    user.locale = None
    user.password_hash = None
    user.is_disabled = True
    user.deleted_at = now()
    db.session.execute(delete(Membership).where(Membership.user_id == user.id))
    twofactor.remove(user)
    resets.forget(user)
    notify.forget_user(user)
    sessions.end_all(user)
    return user


def touch_posting(user):
    """Remember when the account last posted (used by posting limits). Does not commit."""
    user.last_post_at = now()


_limits_waived = contextvars.ContextVar("posting_limits_waived", default=False)


@contextlib.contextmanager
def posting_limits_waived():
    """Post without new-account limits: for operator commands (demo content, imports)."""
    token = _limits_waived.set(True)
    try:
        yield
    finally:
        _limits_waived.reset(token)


def check_posting_limits(user, opening_thread):
    """Raise Refused when a new account posts faster than new accounts may (spam floods).

    An account is new for NEW_ACCOUNT_DAYS; until then it waits NEW_ACCOUNT_POST_INTERVAL
    seconds between posts and opens at most NEW_ACCOUNT_THREADS_PER_DAY threads and writes at
    most NEW_ACCOUNT_POSTS_PER_DAY posts in 24 hours. Moderators and administrators are exempt.
    """
    config = current_app.config
    moment = now()
    if (
        _limits_waived.get()
        or not config["NEW_ACCOUNT_DAYS"]
        or moment - user.created_at >= timedelta(days=config["NEW_ACCOUNT_DAYS"])
        or access.is_staff(user)
    ):
        return
    interval = config["NEW_ACCOUNT_POST_INTERVAL"]
    if interval and user.last_post_at and moment - user.last_post_at < timedelta(seconds=interval):
        wait = interval - int((moment - user.last_post_at).total_seconds())
        raise Refused(
            _l(
                "New accounts wait %(n)d seconds between posts. Try again in %(wait)d seconds.",
                n=interval,
                wait=max(1, wait),
            )
        )
    day_ago = moment - timedelta(days=1)
    threads_cap = config["NEW_ACCOUNT_THREADS_PER_DAY"]
    if opening_thread and threads_cap:
        opened = db.session.scalar(
            select(func.count(Thread.id)).where(
                Thread.author_id == user.id, Thread.created_at > day_ago
            )
        )
        if opened >= threads_cap:
            raise Refused(
                _l(
                    "New accounts open at most %(n)d threads a day. Please come back tomorrow.",
                    n=threads_cap,
                )
            )
    posts_cap = config["NEW_ACCOUNT_POSTS_PER_DAY"]
    if posts_cap:
        written = db.session.scalar(
            select(func.count(Post.id)).where(Post.author_id == user.id, Post.created_at > day_ago)
        )
        if written >= posts_cap:
            raise Refused(
                _l(
                    "New accounts write at most %(n)d posts a day. Please come back tomorrow.",
                    n=posts_cap,
                )
            )
