"""Moderation acts on accounts: suspend or silence for a period, lift early, disable spam.

A suspension ends every session (the session token rotates) and refuses login until it ends; a
silence leaves the account able to read but not to write. Both end on their own. Disabling a spam
account hides all its posts in the same act; reinstating it shows exactly those posts again.
"""

from datetime import timedelta

from sqlalchemy import select

from tribune import access
from tribune.extensions import db
from tribune.i18n import lazy_gettext as _l
from tribune.models import ModerationLogEntry, Post, Suspension, Thread
from tribune.models.base import utcnow
from tribune.models.moderation import RESTRICTION_KINDS
from tribune.models.users import new_session_token
from tribune.services import Invalid, Refused
from tribune.services.moderation import (
    acting_term,
    clean_reason,
    close_reports,
    recount_section,
    recount_thread,
)
from tribune.services.moderation_log import record
from tribune.services.transaction import act

MAX_DAYS = 3650
UNTIL_COLUMN = {"suspend": "suspended_until", "silence": "silenced_until"}


# What to say for each reason access.restriction_barrier gives.
BARRIER_MESSAGES = {
    "self": _l("You cannot restrict your own account."),
    "placeholder": _l("This account stands for an archived author and cannot act."),
    "moderator": _l(
        "A moderator in term cannot be restricted; an administrator can end the term."
    ),
    "admin": _l("Administrators cannot be restricted by moderation."),
}


def _check_target(actor, user):
    barrier = access.restriction_barrier(actor, user)
    if barrier is not None:
        raise Refused(BARRIER_MESSAGES[barrier])


@act
def restrict_user(actor, user, kind, days, reason):
    """Suspend (`kind="suspend"`) or silence (`"silence"`) an account for `days` days."""
    term = acting_term(actor)
    reason = clean_reason(reason)
    if kind not in RESTRICTION_KINDS:
        raise Invalid(_l("Choose suspension or silence."), field="kind")
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise Invalid(_l("Between 1 and %(n)d days.", n=MAX_DAYS), field="days")
    _check_target(actor, user)
    if user.is_disabled:
        raise Refused(_l("This account is disabled."))
    now = utcnow()
    suspension = Suspension(
        user=user,
        kind=kind,
        starts_at=now,
        ends_at=now + timedelta(days=days),
        reason=reason,
        created_by_id=actor.id,
        term_id=term.id,
    )
    db.session.add(suspension)
    column = UNTIL_COLUMN[kind]
    current = getattr(user, column)
    if current is None or current < suspension.ends_at:
        setattr(user, column, suspension.ends_at)
    if kind == "suspend":
        # Every cookie issued so far stops working: the account is logged out everywhere.
        user.session_token = new_session_token()
    db.session.flush()
    details = {"suspension_id": suspension.id, "days": days, "until": _iso(suspension.ends_at)}
    record(actor, term, f"user.{kind}", "user", user.id, reason, details=details)
    db.session.commit()
    return suspension


@act
def lift_restriction(actor, suspension, reason):
    """End a suspension or silence before its time; the record stays."""
    term = acting_term(actor)
    reason = clean_reason(reason)
    now = utcnow()
    if not suspension.is_active(now):
        raise Refused(_l("This restriction is no longer in force."))
    suspension.lifted_at = now
    suspension.lifted_by_id = actor.id
    suspension.lift_reason = reason
    user = suspension.user
    column = UNTIL_COLUMN[suspension.kind]
    others = db.session.scalars(
        select(Suspension.ends_at).where(
            Suspension.user_id == user.id,
            Suspension.kind == suspension.kind,
            Suspension.id != suspension.id,
            Suspension.lifted_at.is_(None),
            Suspension.ends_at > now,
        )
    ).all()
    setattr(user, column, max(others) if others else None)
    details = {"suspension_id": suspension.id, "kind": suspension.kind}
    record(actor, term, "user.lift", "user", user.id, reason, details=details)
    db.session.commit()
    return suspension


@act
def disable_account(actor, user, reason):
    """A spam account, in one step: disabled, logged out everywhere, every post hidden."""
    term = acting_term(actor)
    reason = clean_reason(reason)
    _check_target(actor, user)
    if user.is_disabled:
        raise Refused(_l("This account is already disabled."))
    user.is_disabled = True
    user.session_token = new_session_token()
    posts = db.session.scalars(
        select(Post).where(Post.author_id == user.id, Post.is_hidden.is_(False)).order_by(Post.id)
    ).all()
    for post in posts:
        post.is_hidden = True
        post.hidden_reason = reason
    post_ids = [post.id for post in posts]
    closed = close_reports(post_ids, actor, reason)
    _recount_threads_of(post_ids)
    details = {"post_ids": post_ids}
    if closed:
        details["reports_closed"] = closed
    record(actor, term, "user.disable", "user", user.id, reason, details=details)
    db.session.commit()
    return user


@act
def reinstate_account(actor, user, reason):
    """Undo a disable: the account works again and the posts it hid are shown again."""
    term = acting_term(actor)
    reason = clean_reason(reason)
    if not user.is_disabled:
        raise Refused(_l("This account is not disabled."))
    disabled = db.session.scalar(
        select(ModerationLogEntry)
        .where(
            ModerationLogEntry.action == "user.disable",
            ModerationLogEntry.target_id == user.id,
        )
        .order_by(ModerationLogEntry.id.desc())
        .limit(1)
    )
    hidden_then = (disabled.details or {}).get("post_ids", []) if disabled else []
    posts = db.session.scalars(
        select(Post).where(Post.id.in_(hidden_then), Post.is_hidden.is_(True))
    ).all() if hidden_then else []
    for post in posts:
        post.is_hidden = False
        post.hidden_reason = ""
    post_ids = [post.id for post in posts]
    user.is_disabled = False
    _recount_threads_of(post_ids)
    record(actor, term, "user.reinstate", "user", user.id, reason,
           details={"post_ids": post_ids})
    db.session.commit()
    return user


def restrictions_of(user):
    """An account's suspensions and silences, newest first."""
    return db.session.scalars(
        select(Suspension).where(Suspension.user_id == user.id).order_by(Suspension.id.desc())
    ).all()


def _recount_threads_of(post_ids):
    if not post_ids:
        return
    db.session.flush()
    threads = db.session.scalars(
        select(Thread).where(
            Thread.id.in_(select(Post.thread_id).where(Post.id.in_(post_ids)).distinct())
        )
    ).all()
    for thread in threads:
        recount_thread(thread)
    for section in {thread.section for thread in threads}:
        recount_section(section)


def _iso(dt):
    return dt.isoformat(timespec="seconds")
