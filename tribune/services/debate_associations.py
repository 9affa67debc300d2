"""Associations and the affiliations participants state with them (optional: privacy first).

Anyone may state an affiliation; it is private unless its holder makes it public, and it lets
them sign for the association only once a confirmed member (or an administrator) confirms it.
Leaving removes the affiliation entirely: it is personal data, not a public statement.
"""

import re

from sqlalchemy import select

from tribune import access
from tribune.extensions import db
from tribune.i18n import lazy_gettext as _l
from tribune.models import Association, Membership, MembershipConfirmation
from tribune.models.base import utcnow
from tribune.services import Invalid, NotFound
from tribune.services.debate import clean_line, clean_text
from tribune.services.transaction import transaction

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,78}[a-z0-9]$")


def membership_of(user, association):
    """The user's stated affiliation with the association, or None."""
    return db.session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.association_id == association.id
        )
    )


@transaction
def state_affiliation(actor, association, public=False):
    """State (or update the visibility of) the actor's affiliation with an association."""
    if not access.is_participant(actor) or association is None:
        raise NotFound()
    membership = membership_of(actor, association)
    if membership is None:
        membership = Membership(user=actor, association=association, created_at=utcnow())
        db.session.add(membership)
    membership.is_public = bool(public)
    db.session.commit()
    return membership


@transaction
def set_public(actor, membership, public):
    """Show or hide one's affiliation on the association's page."""
    if membership is None or membership.user_id != getattr(actor, "id", None):
        raise NotFound()
    membership.is_public = bool(public)
    db.session.commit()
    return membership


@transaction
def leave(actor, membership):
    """Withdraw one's affiliation; co-signatures made as a member stay the association's."""
    if membership is None or membership.user_id != getattr(actor, "id", None):
        raise NotFound()
    db.session.delete(membership)
    db.session.commit()


@transaction
def confirm(actor, membership):
    """Confirm someone's stated affiliation, as a confirmed member or an administrator."""
    if not access.can_confirm_member(actor, membership):
        raise NotFound()
    if membership.confirmation is None:
        membership.confirmation = MembershipConfirmation(
            confirmed_by_id=actor.id, confirmed_at=utcnow()
        )
    db.session.commit()
    return membership


@transaction
def create_association(actor, slug, name, city, country, description=""):
    """Add an association to the coalition (administrators)."""
    if not access.can_create_association(actor):
        raise NotFound()
    slug = (slug or "").strip().lower()
    if not SLUG_RE.match(slug):
        raise Invalid(
            _l("3 to 80 lower-case Latin letters, digits or '-', not starting or ending with '-'."),
            field="slug",
        )
    if db.session.scalar(select(Association.id).where(Association.slug == slug)) is not None:
        raise Invalid(_l("This address is taken."), field="slug")
    association = Association(
        slug=slug,
        name=clean_line(name, "name", minimum=2, limit=200),
        city=clean_line(city, "city", minimum=0, limit=100, required=False),
        country=clean_line(country, "country", minimum=0, limit=100, required=False),
        description=clean_text(description, "description", limit=5000, required=False),
    )
    db.session.add(association)
    db.session.commit()
    return association
