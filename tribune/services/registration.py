"""Joining the forum under the policy administrators chose (services/site.py): open, by
approval, or by invitation; and the invitations members hand out.

An invitation is a single-use link. Only the SHA-256 of its code is stored, so someone who reads
the database cannot register with it; the code is shown once, to the member who made it. The
invitation is marked used in the same transaction that creates the account (its row locked
first on PostgreSQL), so one link never opens two accounts. Who invited whom is kept on the
account (`invited_by_id`) and shown to administrators only (access.can_see_inviter).

Under registration by approval the account is created "pending": it cannot log in until a
moderator admits it, and logging in tells the applicant where their application stands.
"""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from tribune import access
from tribune.extensions import db
from tribune.i18n import lazy_gettext as _l
from tribune.models import Invitation, User
from tribune.models.base import utcnow
from tribune.services import Invalid, NotFound, Refused, accounts, site
from tribune.services.moderation import clean_reason
from tribune.services.moderation_log import record
from tribune.services.transaction import act, transaction

MAX_APPLICATION = 2000
MAX_NOTE = 200


def code_hash(code):
    """What is stored of an invitation code."""
    return hashlib.sha256((code or "").encode("utf-8")).hexdigest()


def open_invitation(code, lock=False):
    """The unused, unrevoked, unexpired invitation with this code, or None."""
    if not code or len(code) > 100:
        return None
    query = select(Invitation).where(Invitation.code_hash == code_hash(code))
    if lock:
        # Only the invitation's row: its joined-loaded users sit on the nullable side of an
        # outer join, which PostgreSQL cannot lock.
        query = query.with_for_update(of=Invitation)
    invitation = db.session.scalar(query)
    return invitation if invitation is not None and invitation.is_open() else None


@transaction
def join(username, password, *, email=None, display_name="", invitation_code=None,
         application="", accepted_rules=False):
    """Create an account under the site's registration policy. Returns the new account; under
    registration by approval it is pending (and cannot log in yet)."""
    snapshot = site.current()
    if snapshot.has_rules() and not accepted_rules:
        raise Invalid(_l("Read the rules and accept them to join."), field="accept_rules")
    invitation = None
    approval = None
    application = (application or "").replace("\r\n", "\n").strip()
    if snapshot.registration == "invitation":
        invitation = open_invitation(invitation_code, lock=True)
        if invitation is None:
            raise Refused(_l("This invitation link is not valid: it was used, withdrawn or has "
                             "expired. Ask the member who invited you for a new one."))
    elif snapshot.registration == "approval":
        if len(application) < 10:
            raise Invalid(_l("Tell the moderators in a few words who you are."),
                          field="application")
        if len(application) > MAX_APPLICATION:
            raise Invalid(_l("At most %(n)d characters.", n=MAX_APPLICATION),
                          field="application")
        approval = "pending"
    user = accounts.new_account(username, password, email=email, display_name=display_name)
    user.approval = approval
    user.application_text = application if approval else ""
    if invitation is not None:
        user.invited_by_id = invitation.created_by_id
        db.session.flush()
        invitation.used_by_id = user.id
        invitation.used_at = utcnow()
    db.session.commit()
    return user


def invitations_of(user):
    """A member's invitations, newest first."""
    return db.session.scalars(
        select(Invitation)
        .where(Invitation.created_by_id == user.id)
        .order_by(Invitation.id.desc())
    ).all()


def open_count(user):
    """How many of the member's invitations can still be used."""
    now = utcnow()
    return db.session.scalar(
        select(func.count(Invitation.id)).where(
            Invitation.created_by_id == user.id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
    )


@transaction
def create_invitation(actor, note=""):
    """A new single-use invitation of `actor`. Returns (invitation, code): the code is shown
    once and never stored."""
    snapshot = site.current()
    if not access.can_invite(actor, snapshot.registration):
        raise NotFound()
    note = " ".join((note or "").split())
    if len(note) > MAX_NOTE:
        raise Invalid(_l("At most %(n)d characters.", n=MAX_NOTE), field="note")
    limit = snapshot.invitation_limit
    if limit and open_count(actor) >= limit:
        raise Refused(_l("You hold %(n)d unused invitations, the most a member may hold. "
                         "Withdraw one, or wait until one is used.", n=limit))
    code = secrets.token_urlsafe(24)
    now = utcnow()
    invitation = Invitation(
        code_hash=code_hash(code),
        created_by_id=actor.id,
        created_at=now,
        expires_at=now + timedelta(days=current_app.config["INVITATION_DAYS"]),
        note=note,
    )
    db.session.add(invitation)
    db.session.commit()
    return invitation, code


@transaction
def withdraw_invitation(actor, invitation):
    """Withdraw one's own unused invitation (an administrator may withdraw anyone's)."""
    if invitation is None or not (
        invitation.created_by_id == getattr(actor, "id", None) or access.is_admin(actor)
    ):
        raise NotFound()
    if not invitation.is_open():
        raise Refused(_l("This invitation can no longer be used anyway."))
    invitation.revoked_at = utcnow()
    db.session.commit()
    return invitation


def inviter_of(viewer, user):
    """Who invited `user`, for a viewer allowed to know it (administrators), else None."""
    if not access.can_see_inviter(viewer) or user.invited_by_id is None:
        return None
    return db.session.get(User, user.invited_by_id)


def pending_applications():
    """Applications waiting for a decision, oldest first."""
    return db.session.scalars(
        select(User).where(User.approval == "pending").order_by(User.created_at, User.id)
    ).all()


@act
def decide_application(actor, user, admit, reason):
    """Admit an applicant (the account can log in; published in the log, like any act on an
    account) or decline (not published: the applicant never joined, and their chosen name
    stays theirs; the reason is told to them at login and kept for the moderators)."""
    if not access.can_decide_applications(actor):
        raise NotFound()
    reason = clean_reason(reason)
    if user is None or user.approval != "pending":
        raise Refused(_l("This application was already decided."))
    user.approval = None if admit else "declined"
    user.approval_decided_by_id = actor.id
    user.approval_decided_at = utcnow()
    user.approval_reason = reason
    if admit:
        record(actor, access.current_term(actor), "user.admit", "user", user.id, reason)
    db.session.commit()
    _tell_applicant(user, admit)
    return user


def _tell_applicant(user, admitted):
    """An e-mail with the outcome, to an applicant who gave an address (best effort: logging in
    tells them too)."""
    from email.message import EmailMessage

    from flask_babel import force_locale

    from tribune.i18n import gettext as _
    from tribune.services.resets import deliver, mail_enabled

    if not user.email or not mail_enabled():
        return

    config = current_app.config
    snapshot = site.current()
    locale = user.locale or snapshot.default_locale
    with force_locale(locale):
        name = snapshot.name(locale)
        message = EmailMessage()
        message["Subject"] = _("Your application to %(site)s", site=name)
        message["From"] = config.get("MAIL_FROM") or config.get("SMTP_USER") or "tribune"
        message["To"] = user.email
        if admitted:
            body = _("The moderators admitted you. You can log in as %(username)s now.",
                     username=user.username)
        else:
            body = _("The moderators did not admit your application. Log in as %(username)s "
                     "to read their reason.", username=user.username)
        message.set_content(body)
    try:
        deliver(message)
    except OSError:
        current_app.logger.warning("could not send the outcome of an application by e-mail")
