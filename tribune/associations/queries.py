"""Reading associations: their public members, their memberships and the papers they signed."""

from sqlalchemy import func, select

from tribune import access
from tribune.extensions import db
from tribune.models import Membership, MembershipConfirmation, Paper, PaperSignature, Thread


def public_member_counts():
    """{association id: how many confirmed members chose to be shown}."""
    return dict(
        db.session.execute(
            select(Membership.association_id, func.count())
            .join(MembershipConfirmation)
            .where(Membership.is_public.is_(True))
            .group_by(Membership.association_id)
        ).all()
    )


def signature_counts():
    """{association id: how many papers it co-signs now}."""
    return dict(
        db.session.execute(
            select(PaperSignature.association_id, func.count())
            .where(PaperSignature.withdrawn_at.is_(None))
            .group_by(PaperSignature.association_id)
        ).all()
    )


def memberships_of(association):
    """Every stated membership of the association, oldest first."""
    return db.session.scalars(
        select(Membership)
        .where(Membership.association_id == association.id)
        .order_by(Membership.created_at, Membership.id)
    ).all()


def papers_signed_by(association, reader):
    """The papers the association co-signs now, that `reader` may see, newest first."""
    return db.session.scalars(
        select(Thread)
        .join(Paper, Paper.thread_id == Thread.id)
        .join(PaperSignature, PaperSignature.thread_id == Thread.id)
        .where(
            PaperSignature.association_id == association.id,
            PaperSignature.withdrawn_at.is_(None),
            access.visible_threads_clause(reader),
        )
        .order_by(Thread.created_at.desc())
    ).all()
