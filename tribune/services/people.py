"""People, as administrators see them: accounts listed by role and state (never by e-mail),
one account's history, administrator rights granted and ended, and associations renamed,
moved or merged.

Granting and ending administrator rights, and every change to an association, are
administration acts: a reason, one entry in the public log, one transaction (`@act`).
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, or_, select, update

from tribune import access
from tribune.extensions import db
from tribune.i18n import lazy_gettext as _l
from tribune.models import (
    Association,
    Membership,
    ModerationLogEntry,
    ModeratorTerm,
    PaperSignature,
    PaperSignatureEvent,
    User,
)
from tribune.models.base import utcnow
from tribune.services import Invalid, NotFound, Refused
from tribune.services.moderation import clean_reason
from tribune.services.moderation_log import record
from tribune.services.names import refuse_direction_controls
from tribune.services.transaction import act

PER_PAGE = 50


def _require_admin(actor):
    if not access.can_administer(actor):
        raise NotFound()


@dataclass
class PeopleFilter:
    """The filters of the accounts list, read from the query string (bad values are ignored)."""

    role: str = ""
    state: str = ""
    seen_weeks: int | None = None
    prefix: str = ""

    @classmethod
    def from_args(cls, args):
        weeks = args.get("seen_weeks", "")
        return cls(
            role=args.get("role", "") if args.get("role") in ("admin", "moderator",
                                                              "participant") else "",
            state=args.get("state", "") if args.get("state") in STATES else "",
            seen_weeks=int(weeks) if weeks.isascii() and weeks.isdigit() and len(weeks) < 5
            else None,
            prefix=(args.get("q", "") or "").strip()[:40],
        )


STATES = ("active", "suspended", "disabled", "placeholder", "pending")


def _in_term(at):
    return select(ModeratorTerm.user_id).where(
        ModeratorTerm.starts_at <= at, ModeratorTerm.ends_at > at
    )


def accounts_query(people_filter, at=None):
    """The accounts matching the filter, newest first (deleted accounts are left out)."""
    at = at or utcnow()
    query = select(User).where(User.deleted_at.is_(None))
    if people_filter.role == "admin":
        query = query.where(User.role == "admin")
    elif people_filter.role == "moderator":
        query = query.where(User.id.in_(_in_term(at)))
    elif people_filter.role == "participant":
        query = query.where(User.role != "admin", User.id.not_in(_in_term(at)))
    state = people_filter.state
    if state == "suspended":
        query = query.where(or_(User.suspended_until > at, User.silenced_until > at))
    elif state == "disabled":
        query = query.where(User.is_disabled.is_(True), User.is_placeholder.is_(False))
    elif state == "placeholder":
        query = query.where(User.is_placeholder.is_(True))
    elif state == "pending":
        query = query.where(User.approval.is_not(None))
    elif state == "active":
        query = query.where(
            User.is_disabled.is_(False),
            User.is_placeholder.is_(False),
            User.approval.is_(None),
            or_(User.suspended_until.is_(None), User.suspended_until <= at),
        )
    if people_filter.seen_weeks:
        since = at - timedelta(weeks=people_filter.seen_weeks)
        query = query.where(or_(User.last_seen_at.is_(None), User.last_seen_at < since),
                            User.is_placeholder.is_(False))
    if people_filter.prefix:
        query = query.where(User.username_key.startswith(people_filter.prefix.casefold(),
                                                         autoescape=True))
    return query.order_by(User.id.desc())


def moderators_now(user_ids, at=None):
    """The ids among `user_ids` holding a term now (one query for a page of accounts)."""
    if not user_ids:
        return set()
    at = at or utcnow()
    return set(db.session.scalars(_in_term(at).where(ModeratorTerm.user_id.in_(user_ids))))


def users_by_id(ids):
    """{id: User} for these ids, in one query."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def history(user, limit=50):
    """The log entries about an account (acts on it) and by it (acts it did), newest first."""
    return db.session.scalars(
        select(ModerationLogEntry)
        .where(
            or_(
                (ModerationLogEntry.target_kind == "user")
                & (ModerationLogEntry.target_id == user.id),
                ModerationLogEntry.actor_id == user.id,
            )
        )
        .order_by(ModerationLogEntry.id.desc())
        .limit(limit)
    ).all()


def invited_by_user(user):
    """The accounts this one invited."""
    return db.session.scalars(
        select(User).where(User.invited_by_id == user.id).order_by(User.id)
    ).all()


@act
def set_admin(actor, user, grant, reason):
    """Grant (`grant=True`) or end administrator rights; never one's own."""
    _require_admin(actor)
    reason = clean_reason(reason)
    if not access.can_change_admin_role(actor, user):
        raise Refused(_l("Administrator rights are granted and ended by another "
                         "administrator, never by oneself."))
    if grant and (not user.is_active):
        raise Refused(_l("Only an active account can administer."))
    if (user.role == "admin") == grant:
        raise Refused(_l("This account is already an administrator.") if grant
                      else _l("This account is not an administrator."))
    user.role = "admin" if grant else "participant"
    record(actor, None, "user.admin_grant" if grant else "user.admin_end", "user", user.id,
           reason, details={"username": user.username})
    db.session.commit()
    return user


# Associations


def clean_association(name, city, country):
    name = " ".join((name or "").split())
    city = " ".join((city or "").split())
    country = " ".join((country or "").split())
    if not 2 <= len(name) <= 200:
        raise Invalid(_l("Between 2 and 200 characters."), field="name")
    if len(city) > 100:
        raise Invalid(_l("At most %(n)d characters.", n=100), field="city")
    if len(country) > 100:
        raise Invalid(_l("At most %(n)d characters.", n=100), field="country")
    for value, field in ((name, "name"), (city, "city"), (country, "country")):
        refuse_direction_controls(value, field)
    return name, city, country


@act
def edit_association(actor, association, name, city, country, reason):
    """Change an association's name and place (its address, the slug, stays)."""
    _require_admin(actor)
    reason = clean_reason(reason)
    name, city, country = clean_association(name, city, country)
    old = {"name": association.name, "city": association.city, "country": association.country}
    new = {"name": name, "city": city, "country": country}
    if old == new:
        raise Invalid(_l("Nothing was changed."), field="name")
    association.name, association.city, association.country = name, city, country
    record(actor, None, "association.edit", "association", association.id, reason,
           details={"slug": association.slug, "old": old, "new": new})
    db.session.commit()
    return association


@act
def merge_associations(actor, source, target, reason):
    """Merge a duplicate into `target`: its co-signatures and members move there (a member of
    both keeps the membership they had in `target`); the duplicate's page leads nowhere new,
    its row stays (empty) so old links and the log still name it."""
    _require_admin(actor)
    reason = clean_reason(reason)
    if target is None or target.id == source.id:
        raise Invalid(_l("Choose another association to merge into."), field="target")
    # Through the ORM, row by row, so search's tracking sees every signature that changes
    # association (the association: filter finds papers by their co-signers). The same
    # association signed twice under two names: one signature stays. A member of both keeps
    # the membership (and confirmation) they had in `target`; the other goes with its
    # confirmation (cascade).
    _keep_signature_history(source, target)
    moved_signatures, dropped_signatures = _move_rows(
        PaperSignature, PaperSignature.thread_id, source, target
    )
    moved_members, dropped = _move_rows(Membership, Membership.user_id, source, target)
    for term in db.session.scalars(
        select(ModeratorTerm).where(ModeratorTerm.association_id == source.id)
    ).all():
        term.association_id = target.id
    record(actor, None, "association.merge", "association", source.id, reason,
           details={"from": source.slug, "to": target.slug, "signatures": moved_signatures,
                    "members": moved_members, "members_in_both": dropped,
                    "signatures_in_both": dropped_signatures})
    db.session.commit()
    db.session.expire_all()
    return target


def _keep_signature_history(source, target):
    """A paper both associations signed keeps one signature: the acts on the dropped one join
    the kept one's history, so who signed and who withdrew is never lost."""
    kept = dict(
        db.session.execute(
            select(PaperSignature.thread_id, PaperSignature.id).where(
                PaperSignature.association_id == target.id
            )
        ).all()
    )
    for signature in db.session.scalars(
        select(PaperSignature).where(
            PaperSignature.association_id == source.id, PaperSignature.thread_id.in_(kept)
        )
    ).all():
        db.session.execute(
            update(PaperSignatureEvent)
            .where(PaperSignatureEvent.signature_id == signature.id)
            .values(signature_id=kept[signature.thread_id])
        )


def _move_rows(model, unique_by, source, target):
    """Give `source`'s rows of `model` to `target`, deleting those whose `unique_by` value
    `target` already has; (moved, deleted)."""
    taken = set(db.session.scalars(select(unique_by).where(model.association_id == target.id)))
    moved = deleted = 0
    rows = db.session.scalars(select(model).where(model.association_id == source.id)).all()
    for row in rows:
        if getattr(row, unique_by.key) in taken:
            db.session.delete(row)
            deleted += 1
        else:
            row.association_id = target.id
            moved += 1
    return moved, deleted


def association_counts():
    """{association id: (members, signatures)} for the administrators' list."""
    members = dict(db.session.execute(
        select(Membership.association_id, func.count(Membership.id))
        .group_by(Membership.association_id)
    ).all())
    signatures = dict(db.session.execute(
        select(PaperSignature.association_id, func.count(PaperSignature.id))
        .group_by(PaperSignature.association_id)
    ).all())
    return {key: (members.get(key, 0), signatures.get(key, 0))
            for key in set(members) | set(signatures)}


def all_associations():
    return db.session.scalars(select(Association).order_by(Association.name)).all()
