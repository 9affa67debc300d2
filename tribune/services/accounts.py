"""Accounts: registration, logging in, profiles, passwords and sessions."""

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tribune.extensions import db
from tribune.models import User
from tribune.models.base import utcnow
from tribune.models.users import new_session_token
from tribune.services import Invalid, passwords

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
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,63}$")


def username_key(username):
    """The case-folded form under which a username is unique."""
    return username.strip().casefold()


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
    if username_key(username) in RESERVED_USERNAMES:
        raise Invalid(_l("This username is reserved."), field="username")
    if find_by_username(username) is not None:
        raise Invalid(_l("This username is taken."), field="username")


def normalise_email(email):
    """A stripped, lower-cased e-mail address, or None; Invalid if malformed."""
    email = (email or "").strip()
    if not email:
        return None
    if not EMAIL_RE.match(email):
        raise Invalid(_l("This does not look like an e-mail address."), field="email")
    return email.lower()


def register(username, password, email=None, display_name="", role="participant"):
    """Create an account. The e-mail address is optional and never shown to others."""
    username = username.strip()
    validate_username(username)
    passwords.check_rules(password, username)
    user = User(
        username=username,
        username_key=username_key(username),
        display_name=(display_name or "").strip()[:80],
        email=normalise_email(email),
        password_hash=passwords.hash_password(password),
        role=role,
    )
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(username, password):
    """The active account these credentials open, or None; same work whether it exists or not."""
    user = find_by_username(username) if USERNAME_RE.match(username or "") else None
    stored = user.password_hash if user is not None and user.is_active else None
    if not passwords.verify_password(stored, password):
        return None
    if passwords.needs_rehash(stored):
        user.password_hash = passwords.hash_password(password)
        db.session.commit()
    return user


def update_profile(user, display_name, bio, locale):
    """Change what others see of an account (display name, bio) and its interface language."""
    user.display_name = display_name.strip()[:80]
    user.bio = bio.strip()[:2000]
    user.locale = locale or None
    db.session.commit()
    return user


def change_password(user, current_password, new_password):
    """Change the password after checking the current one; ends every other session."""
    if not passwords.verify_password(user.password_hash, current_password):
        raise Invalid(_l("The current password is not right."), field="current_password")
    passwords.check_rules(new_password, user.username)
    user.password_hash = passwords.hash_password(new_password)
    user.session_token = new_session_token()
    db.session.commit()
    return user


def end_all_sessions(user):
    """Log the account out everywhere: every cookie issued so far stops working."""
    user.session_token = new_session_token()
    db.session.commit()


def touch_posting(user):
    """Remember when the account last posted (used by posting limits). Does not commit."""
    user.last_post_at = utcnow()
