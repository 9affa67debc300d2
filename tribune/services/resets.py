"""Password reset: random single-use links, stored as digests, valid for a short time.

By e-mail when SMTP is set up (and PUBLIC_URL, the only base links are built on: the request's
Host header is chosen by whoever sends it). Without SMTP, an administrator issues a link and hands
it over by some other channel. A reset never skips two-factor authentication: it only sets a new
password, ends every session, and the next login still asks for the code.
"""

import secrets
import threading
from datetime import timedelta
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import delete, select, update

from tribune import access
from tribune.extensions import db
from tribune.i18n import gettext as _
from tribune.i18n import lazy_gettext as _l
from tribune.models import PasswordReset, User
from tribune.models.base import utcnow
from tribune.models.security import digest
from tribune.services import Invalid, NotFound, mailer, passwords, sessions, site_cache
from tribune.services.keys import normalise_email
from tribune.services.transaction import transaction


def now():
    """The current time; tests replace it to travel in time."""
    return utcnow()


def mail_enabled():
    """Whether reset links can go out by e-mail on this installation."""
    config = current_app.config
    return mailer.mail_transport_configured() and bool(config.get("PUBLIC_URL"))


@transaction
def issue(user, channel="mail", minutes=None):
    """A new reset token for `user` (returned once, stored as a digest). Commits."""
    token = secrets.token_urlsafe(32)
    if minutes is None:
        key = "ADMIN_RESET_LINK_MINUTES" if channel == "admin" else "RESET_TOKEN_MINUTES"
        minutes = current_app.config[key]
    moment = now()
    db.session.add(
        PasswordReset(
            user_id=user.id,
            token_hash=digest(token),
            channel=channel,
            created_at=moment,
            expires_at=moment + timedelta(minutes=minutes),
        )
    )
    db.session.commit()
    return token


def link(token, base_url=None):
    """The full address of the reset page for `token`."""
    base = (base_url or current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    adapter = current_app.url_map.bind("localhost")
    return base + adapter.build("accounts.reset_with_token", {"token": token})


@transaction
def issue_admin_link(actor, user, base_url=None):
    """An administrator's reset link for an account (actor None: the command line)."""
    if actor is not None and not access.is_admin(actor):
        raise NotFound()
    if user is None or user.deleted_at is not None or user.is_placeholder:
        raise NotFound()
    return link(issue(user, channel="admin"), base_url)


def dispatch(email):
    """Look up the address and send links, off the request: the answer takes the same time
    whether or not an account has the address. Returns the thread (None when run inline)."""
    app = current_app._get_current_object()
    if not app.config.get("RESET_MAIL_IN_BACKGROUND", True):
        send_links(email)
        return None
    thread = threading.Thread(
        target=_send_in_background, args=(app, email), name="tribune-reset-mail", daemon=True
    )
    thread.start()
    return thread


def _send_in_background(app, email):
    with app.app_context():
        try:
            send_links(email)
        except Exception:
            # The address is personal data: the log says what failed, not for whom.
            app.logger.exception("sending a password-reset e-mail failed")
        finally:
            db.session.remove()


def send_links(email):
    """Send a reset link to every active account with this address; return how many.

    E-mail is not unique by design, so one address may hold several accounts.
    """
    if not mail_enabled():
        return 0
    try:
        address = normalise_email(email)
    except Invalid:
        return 0
    if address is None:
        return 0
    users = db.session.scalars(select(User).where(User.email == address).order_by(User.id)).all()
    sent = 0
    for user in users:
        if not user.is_active or user.deleted_at is not None:
            continue
        deliver(_message(user, link(issue(user))))
        sent += 1
    return sent


def _message(user, url):
    config = current_app.config
    snapshot = site_cache.current()
    locale = user.locale or snapshot.default_locale
    with force_locale(locale):
        message = EmailMessage()
        message["Subject"] = _("Resetting your password on %(site)s", site=snapshot.name(locale))
        message["From"] = config.get("MAIL_FROM") or config.get("SMTP_USER") or "tribune"
        message["To"] = user.email
        message.set_content(
            _(
                "Someone asked to reset the password of the account %(username)s on "
                "%(site)s.\n\n"
                "If it was you, open this link within %(minutes)d minutes and choose a new "
                "password:\n\n%(url)s\n\n"
                "If it was not you, ignore this message: your password stays as it is.",
                username=user.username,
                site=snapshot.name(locale),
                minutes=config["RESET_TOKEN_MINUTES"],
                url=url,
            )
        )
    return message


def deliver(message):
    """Send one message (services/mailer.py: MAIL_TRANSPORT in tests, else SMTP)."""
    mailer.deliver(message)


def find(token):
    """The live reset this token opens (unused, unexpired, active account), or None."""
    if not token or len(token) > 100:
        return None
    row = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == digest(token)))
    if row is None or row.used_at is not None or now() >= row.expires_at:
        return None
    if not row.user.is_active or row.user.deleted_at is not None:
        return None
    return row


@transaction
def complete(token, new_password):
    """Set a new password with a reset token; the token and every session end. Commits."""
    row = find(token)
    if row is None:
        raise Invalid(_l("This link is no longer valid. Ask for a new one."))
    user = row.user
    passwords.check_rules(new_password, user.username)
    # Claim the token with a conditional update, so that it works once even under a race.
    claimed = db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == row.id, PasswordReset.used_at.is_(None))
        .values(used_at=now())
    ).rowcount
    if claimed != 1:
        raise Invalid(_l("This link is no longer valid. Ask for a new one."))
    user.password_hash = passwords.hash_password(new_password)
    db.session.execute(
        delete(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.id != row.id)
    )
    sessions.end_all(user)
    return user


def forget(user):
    """Delete the account's reset tokens. Does not commit."""
    db.session.execute(delete(PasswordReset).where(PasswordReset.user_id == user.id))
