"""E-mail about notifications (issue 16): the outbox, digests and the sender.

- Immediate mail: an outbox row per notification, written by services/notify.py in the
  transaction of the event (one INSERT ... SELECT), so an event and its mail exist together.
- Digests (daily, weekly): `mail send` writes one outbox row per participant whose period has
  run, covering their unread notifications since the last digest; the row and the moved cursor
  are one transaction, claimed with a compare-and-set so two senders never make the same digest.
- Sending: a sender claims due rows (status "sending", a lease, its own token) and commits that
  BEFORE talking to SMTP; a row is rendered once, on its first claim, and kept, so a retry sends
  the same message with the same Message-ID. SMTP down: the row goes back to "pending" with a
  growing delay. A sender killed mid-pass leaves its rows leased; nobody else sends them until
  the lease runs out (docs/decisions/0502-mail-outbox.md).
"""

import hashlib
import secrets
import smtplib
from datetime import timedelta
from email import message_from_string
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, make_msgid
from urllib.parse import urlsplit

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, insert, literal, or_, select, update

from tribune import access
from tribune.extensions import db
from tribune.i18n import gettext as _
from tribune.models import MailOutbox, Notification, NotificationSettings, User
from tribune.models.base import UTCDateTime, utcnow
from tribune.services import mailer
from tribune.services.transaction import transaction

DIGEST_PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
# Retry delays grow 1, 2, 4 ... minutes up to six hours; after MAX_ATTEMPTS a row is "failed"
# (kept, shown by `mail status`, sent again by `mail retry`), never deleted.
MAX_DELAY = timedelta(hours=6)
MAX_ATTEMPTS = 30
UNSUBSCRIBE_SALT = "tribune-unsubscribe"


def enabled():
    """Whether notification mail is on: a transport, a sender address and the public URL."""
    config = current_app.config
    return (
        mailer.mail_transport_configured()
        and bool(config.get("MAIL_FROM"))
        and bool(config.get("PUBLIC_URL"))
    )


# Writing the outbox.


def queue_immediate(condition, now):
    """Outbox rows for the notifications matching `condition` whose reader asked for immediate
    mail: one INSERT ... SELECT in the caller's transaction."""
    if not enabled():
        return
    chosen = (
        select(
            Notification.user_id,
            literal("immediate"),
            Notification.id,
            literal("pending"),
            literal(now, UTCDateTime),
            literal(now, UTCDateTime),
        )
        .join(NotificationSettings, NotificationSettings.user_id == Notification.user_id)
        .where(
            condition,
            NotificationSettings.mail_mode == "immediate",
            NotificationSettings.mail_address.is_not(None),
        )
    )
    columns = ["user_id", "kind", "notification_id", "status", "next_attempt_at", "created_at"]
    db.session.execute(insert(MailOutbox).from_select(columns, chosen))


@transaction
def queue_digests(now=None):
    """Write the digests that are due; returns how many were written. Commits per participant."""
    now = now or utcnow()
    written = 0
    for mode, period in DIGEST_PERIODS.items():
        due = db.session.scalars(
            select(NotificationSettings).where(
                NotificationSettings.mail_mode == mode,
                NotificationSettings.mail_address.is_not(None),
                or_(
                    NotificationSettings.digest_at.is_(None),
                    NotificationSettings.digest_at <= now - period,
                ),
            )
        ).all()
        for settings in due:
            # Compare-and-set: only the sender that moves digest_at writes this digest.
            moved = db.session.execute(
                update(NotificationSettings)
                .where(
                    NotificationSettings.user_id == settings.user_id,
                    _same_time(NotificationSettings.digest_at, settings.digest_at),
                )
                .values(digest_at=now)
            ).rowcount
            if moved != 1:
                db.session.rollback()
                continue
            newest = db.session.scalar(
                select(Notification.id)
                .where(
                    Notification.user_id == settings.user_id,
                    Notification.id > settings.digest_cursor,
                    Notification.read_at.is_(None),
                    access.visible_notifications_clause(now),
                )
                .order_by(Notification.id.desc())
                .limit(1)
            )
            if newest is not None:
                db.session.add(
                    MailOutbox(
                        user_id=settings.user_id,
                        kind="digest",
                        digest_from=settings.digest_cursor,
                        notification_id=newest,
                        status="pending",
                        next_attempt_at=now,
                        created_at=now,
                    )
                )
                db.session.execute(
                    update(NotificationSettings)
                    .where(NotificationSettings.user_id == settings.user_id)
                    .values(digest_cursor=newest)
                )
                written += 1
            db.session.commit()
    return written


def _same_time(column, value):
    return column.is_(None) if value is None else column == value


# Sending.


@transaction
def claim(now=None, limit=None):
    """Claim due rows for this sender: returns their ids, leased and committed."""
    now = now or utcnow()
    config = current_app.config
    limit = limit or config["MAIL_BATCH"]
    due = or_(
        and_(MailOutbox.status == "pending", MailOutbox.next_attempt_at <= now),
        and_(MailOutbox.status == "sending", MailOutbox.lease_until < now),
    )
    candidates = select(MailOutbox.id).where(due).order_by(MailOutbox.id).limit(limit)
    if db.engine.dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    ids = db.session.scalars(candidates).all()
    if not ids:
        db.session.rollback()
        return []
    token = secrets.token_hex(16)
    db.session.execute(
        update(MailOutbox)
        .where(MailOutbox.id.in_(ids), due)
        .values(
            status="sending",
            claimed_by=token,
            lease_until=now + timedelta(seconds=config["MAIL_LEASE_SECONDS"]),
            attempts=MailOutbox.attempts + 1,
        )
    )
    db.session.commit()
    return db.session.scalars(
        select(MailOutbox.id).where(MailOutbox.claimed_by == token).order_by(MailOutbox.id)
    ).all()


def send_pass(now=None):
    """One pass: write due digests, then send what is due. Returns {"sent", "failed", ...}."""
    counts = {"digests": 0, "sent": 0, "retry": 0, "void": 0, "failed": 0}
    if not enabled():
        return counts
    counts["digests"] = queue_digests(now)
    while True:
        ids = claim(now)
        if not ids:
            break
        for row_id in ids:
            counts[send_one(row_id, now)] += 1
        if now is not None:
            break  # a pass at a given moment takes one batch (tests)
    return counts


@transaction
def send_one(row_id, now=None):
    """Render (on first claim), send and record one claimed row: "sent", "retry", "void" or
    "failed". A retry is due after a delay from `now` (the pass's moment)."""
    row = db.session.get(MailOutbox, row_id)
    if row is None or row.status != "sending":
        return "void"
    if not row.message:
        message = _render(row)
        if message is None:
            row.status, row.lease_until = "void", None
            db.session.commit()
            return "void"
        row.recipient = str(message["To"])
        row.message_id = str(message["Message-ID"])
        row.message = message.as_string(policy=SMTP_POLICY)
        # Kept before sending: a retry sends these very bytes.
        db.session.commit()
    try:
        mailer.deliver(message_from_string(row.message, policy=SMTP_POLICY))
    except (smtplib.SMTPException, OSError) as error:
        row.last_error = f"{type(error).__name__}: {error}"[:500]
        row.lease_until = None
        if row.attempts >= MAX_ATTEMPTS:
            row.status = "failed"
            db.session.commit()
            return "failed"
        row.status = "pending"
        delay = min(MAX_DELAY, timedelta(minutes=2 ** min(row.attempts - 1, 12)))
        row.next_attempt_at = (now or utcnow()) + delay
        db.session.commit()
        return "retry"
    row.status, row.sent_at, row.lease_until = "sent", utcnow(), None
    db.session.commit()
    return "sent"


def status_counts():
    """{status: count} of the outbox."""
    from sqlalchemy import func

    rows = db.session.execute(
        select(MailOutbox.status, func.count()).group_by(MailOutbox.status)
    ).all()
    return dict(rows)


@transaction
def retry_failed():
    """Put failed rows back in the queue (after the cause was fixed). Returns how many."""
    result = db.session.execute(
        update(MailOutbox)
        .where(MailOutbox.status == "failed")
        .values(status="pending", attempts=0, next_attempt_at=utcnow())
    )
    db.session.commit()
    return result.rowcount


# Rendering.


def unsubscribe_token(user):
    """The signed token of a participant's one-click unsubscribe link (no expiry: a mail may be
    read late); it names the address, so it stops working once the address is changed."""
    settings = db.session.get(NotificationSettings, user.id)
    address = settings.mail_address if settings is not None else ""
    return _serializer().dumps({"u": user.id, "a": _address_tag(address)})


def user_from_token(token):
    """The participant an unsubscribe token names, if it is genuine and still current."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    settings = db.session.get(NotificationSettings, user.id) if user is not None else None
    if settings is None or _address_tag(settings.mail_address) != data.get("a"):
        return None
    return user


def _address_tag(address):
    # The token is signed, not encrypted: it names the address by a digest, so the link (which
    # proxies and logs may see) does not spell the address out.
    return hashlib.sha256(f"unsubscribe:{address or ''}".encode()).hexdigest()[:20]


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def _notifications_of(row):
    """The notifications a row tells, still shown, oldest first."""
    query = select(Notification).where(
        Notification.user_id == row.user_id, access.visible_notifications_clause()
    )
    if row.kind == "immediate":
        query = query.where(Notification.id == row.notification_id)
    else:
        query = query.where(
            Notification.id > row.digest_from,
            Notification.id <= row.notification_id,
            Notification.read_at.is_(None),
        )
    return db.session.scalars(query.order_by(Notification.id)).all()


def _grouped(notifications):
    groups = {}
    for notification in notifications:
        groups.setdefault(notification.group_key, []).append(notification)
    return [(items[-1], len(items)) for items in groups.values()]


def _render(row):
    """The message of an outbox row in its reader's language and calendar, or None when there
    is nothing left to tell (hidden since, read since, mail turned off)."""
    user = db.session.get(User, row.user_id)
    settings = db.session.get(NotificationSettings, row.user_id)
    if user is None or settings is None or not settings.mail_address:
        return None
    if settings.mail_mode == "off" or user.deleted_at is not None or user.is_disabled:
        return None
    notifications = _notifications_of(row)
    if not notifications:
        return None
    config = current_app.config
    locale = user.locale if user.locale in config["LOCALES"] else config["DEFAULT_LOCALE"]
    public = config["PUBLIC_URL"].rstrip("/")
    with current_app.test_request_context(base_url=public + "/"), force_locale(locale):
        token = unsubscribe_token(user)
        unsubscribe = url_for("notifications.unsubscribe", token=token, _external=True)
        context = {
            "user": user,
            "groups": _grouped(notifications),
            "digest": row.kind == "digest",
            "mode": settings.mail_mode,
            "unsubscribe_url": unsubscribe,
            "settings_url": url_for("notifications.settings", _external=True),
            "locale": locale,
            "sent_at": row.created_at,
        }
        if row.kind == "digest":
            subject = _("Tribune: what is new for you")
        else:
            subject = _("Tribune: %(what)s", what=render_template(
                "notifications/mail/subject.txt", **context).strip())
        text = render_template("notifications/mail/message.txt", **context)
        html = render_template("notifications/mail/message.html", **context)
    message = EmailMessage()
    message["Subject"] = " ".join(subject.split())
    message["From"] = config["MAIL_FROM"]
    # The reader's own address, alone: no other participant's address is ever in a message.
    message["To"] = settings.mail_address
    message["Date"] = format_datetime(row.created_at)
    message["Message-ID"] = make_msgid(f"outbox{row.id}", domain=urlsplit(public).hostname)
    message["Auto-Submitted"] = "auto-generated"
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    # After the body: setting the content clears Content-* headers.
    message["Content-Language"] = locale
    return message
