"""Association pages (name, city, country, public members, papers signed) and the page where
participants state their affiliations (optional: privacy first)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import SelectChoice

from tribune import access
from tribune.accounts.forms import EmptyForm
from tribune.associations import bp, queries
from tribune.associations.forms import AffiliationForm, AssociationForm
from tribune.extensions import db
from tribune.forms import attach_error
from tribune.i18n import gettext as _
from tribune.models import (
    Association,
    Membership,
)
from tribune.papers import queries as paper_queries
from tribune.services import Invalid, debate_associations
from tribune.services.debate import ID_RULE as ID
from tribune.text.bidi import isolate


def _association_or_404(slug):
    association = paper_queries.association_by_slug(slug)
    if association is None:
        abort(404)
    return association


@bp.route("/")
def index():
    """Every association of the coalition, with its public members and papers signed."""
    return render_template(
        "associations/index.html",
        associations=paper_queries.associations(),
        members=queries.public_member_counts(),
        papers=queries.signature_counts(),
    )


@bp.route("/<slug>")
def show(slug):
    """An association: where it is, its members who chose to be shown, the papers it signed."""
    association = _association_or_404(slug)
    memberships = queries.memberships_of(association)
    public = [m for m in memberships if m.is_public and m.confirmation is not None]
    pending = []
    if access.can_see_pending_members(current_user, association):
        pending = [m for m in memberships if m.confirmation is None]
    signed = queries.papers_signed_by(association, current_user)
    return render_template(
        "associations/show.html",
        association=association,
        members=public,
        pending=pending,
        papers=signed,
        signatures=paper_queries.signatures_of(signed),
    )


@bp.route(f"/<slug>/members/<{ID}:membership_id>/confirm", methods=["POST"])
@login_required
def confirm(slug, membership_id):
    """Confirm someone's stated membership (confirmed members and administrators)."""
    association = _association_or_404(slug)
    membership = db.session.get(Membership, membership_id)
    if (
        membership is None
        or membership.association_id != association.id
        or not EmptyForm().validate_on_submit()
    ):
        abort(404)
    debate_associations.confirm(current_user, membership)
    flash(_("The membership is confirmed."), "success")
    return redirect(url_for(".show", slug=association.slug))


@bp.route("/mine", methods=["GET", "POST"])
@login_required
def mine():
    """My affiliations: state one, show or hide it, withdraw it."""
    form = AffiliationForm()
    mine = {m.association_id: m for m in current_user.memberships}
    form.association.choices = [
        # An <option> holds no markup: each name is isolated by FSI ... PDI (text/bidi.py).
        SelectChoice(a.id, f"{isolate(a.name)} ({isolate(a.city)})" if a.city else isolate(a.name))
        for a in paper_queries.associations()
        if a.id not in mine
    ]
    if form.validate_on_submit():
        association = db.session.get(Association, form.association.data)
        debate_associations.state_affiliation(current_user, association, form.public.data)
        flash(
            _("Your affiliation is recorded; a member of the association will confirm it."),
            "success",
        )
        return redirect(url_for(".mine"))
    return render_template(
        "associations/mine.html",
        form=form,
        memberships=sorted(mine.values(), key=lambda m: m.association.name),
    )


@bp.route(f"/mine/<{ID}:membership_id>", methods=["POST"])
@login_required
def change_mine(membership_id):
    """Show, hide or withdraw one of my affiliations."""
    membership = db.session.get(Membership, membership_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if request.form.get("action") == "leave":
        debate_associations.leave(current_user, membership)
        flash(_("The affiliation was removed."), "success")
    else:
        debate_associations.set_public(
            current_user, membership, request.form.get("action") == "show"
        )
        flash(_("Saved."), "success")
    return redirect(url_for(".mine"))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Add an association (administrators)."""
    if not access.can_create_association(current_user):
        abort(404)
    form = AssociationForm()
    if form.validate_on_submit():
        try:
            association = debate_associations.create_association(
                current_user,
                form.slug.data,
                form.name.data,
                form.city.data,
                form.country.data,
                form.description.data,
            )
        except Invalid as error:
            attach_error(form, error)
        else:
            return redirect(url_for(".show", slug=association.slug))
    return render_template("associations/new.html", form=form)
