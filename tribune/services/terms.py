"""Moderator terms: administrators grant and end them; the holder leaves a handover note.

Moderation rotates, as coordination does in the coalition: a term has a start and an end, and
the holder's powers begin and stop with it without anyone having to act. Granting and ending
terms are administration acts; they go into the public log too, with no term of their own.
"""

from datetime import timedelta

from sqlalchemy import select

from tribune import access
from tribune.extensions import db
from tribune.i18n import lazy_gettext as _l
from tribune.models import ModeratorTerm
from tribune.models.base import utcnow
from tribune.services import Invalid, NotFound, Refused
from tribune.services.moderation import clean_reason
from tribune.services.moderation_log import record
from tribune.services.transaction import act, transaction

# A term is meant to rotate (every six months in the coalition); a year and a bit is the most.
MAX_TERM = timedelta(days=400)
MAX_NOTE_LENGTH = 10_000


def _require_admin(actor):
    if not access.is_admin(actor):
        raise NotFound()


@act
def grant_term(actor, user, starts_at, ends_at, reason, association=None):
    """Grant `user` a moderator term from `starts_at` to `ends_at` (UTC-aware datetimes)."""
    _require_admin(actor)
    reason = clean_reason(reason)
    if user is None or not user.is_active:
        raise Invalid(_l("Choose an active participant."), field="username")
    if starts_at is None or ends_at is None or starts_at.tzinfo is None:
        raise Invalid(_l("Give the start and the end of the term."), field="starts_at")
    if ends_at <= starts_at:
        raise Invalid(_l("The term must end after it starts."), field="ends_at")
    if ends_at - starts_at > MAX_TERM:
        raise Invalid(_l("A term can last at most %(n)d days.", n=MAX_TERM.days), field="ends_at")
    if ends_at <= utcnow():
        raise Invalid(_l("The term must end in the future."), field="ends_at")
    overlapping = db.session.scalar(
        select(ModeratorTerm.id).where(
            ModeratorTerm.user_id == user.id,
            ModeratorTerm.starts_at < ends_at,
            ModeratorTerm.ends_at > starts_at,
        )
    )
    if overlapping is not None:
        raise Invalid(_l("This participant already holds a term in that period."),
                      field="starts_at")
    term = ModeratorTerm(
        user=user,
        association=association,
        starts_at=starts_at,
        ends_at=ends_at,
        granted_by_id=actor.id,
        granted_at=utcnow(),
    )
    db.session.add(term)
    db.session.flush()
    details = {
        "user_id": user.id,
        "username": user.username,
        "starts_at": starts_at.isoformat(timespec="seconds"),
        "ends_at": ends_at.isoformat(timespec="seconds"),
        "association": association.slug if association is not None else None,
    }
    record(actor, None, "term.grant", "term", term.id, reason, details=details)
    db.session.commit()
    access.forget_terms()
    return term


@act
def end_term(actor, term, reason):
    """End a term now, before its planned end (a term not yet begun then never begins)."""
    _require_admin(actor)
    reason = clean_reason(reason)
    now = utcnow()
    if term.ends_at <= now:
        raise Refused(_l("This term has already ended."))
    planned = term.ends_at
    term.ends_at = max(now, term.starts_at)
    term.ended_early_at = now
    details = {
        "user_id": term.user_id,
        "username": term.user.username,
        "planned_end": planned.isoformat(timespec="seconds"),
    }
    record(actor, None, "term.end", "term", term.id, reason, details=details)
    db.session.commit()
    access.forget_terms()
    return term


@transaction
def save_handover_note(actor, term, note):
    """The holder of a term in force writes (or rewrites) the note for the next moderators."""
    if term is None or term.user_id != getattr(actor, "id", None) or not term.is_current():
        raise NotFound()
    note = (note or "").replace("\r\n", "\n").strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise Invalid(_l("At most %(n)d characters.", n=MAX_NOTE_LENGTH), field="note")
    term.handover_note = note
    term.handover_at = utcnow()
    db.session.commit()
    return term


def all_terms():
    """Every term, the latest start first (users, granters and associations loaded with them)."""
    return db.session.scalars(
        select(ModeratorTerm).order_by(ModeratorTerm.starts_at.desc(), ModeratorTerm.id.desc())
    ).all()


def split_by_time(terms, at=None):
    """(current, upcoming, past) lists of the given terms."""
    at = at or utcnow()
    current = [t for t in terms if t.is_current(at)]
    upcoming = [t for t in terms if t.starts_at > at]
    past = [t for t in terms if t.ends_at <= at and t.starts_at < t.ends_at]
    return current, upcoming, past


def handover_notes(limit=10):
    """The latest handover notes left by moderators, newest first."""
    return db.session.scalars(
        select(ModeratorTerm)
        .where(ModeratorTerm.handover_note != "")
        .order_by(ModeratorTerm.handover_at.desc())
        .limit(limit)
    ).all()
