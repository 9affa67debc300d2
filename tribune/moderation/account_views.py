"""Moderation of accounts (suspend, silence, lift, disable spam) and the administrators' terms."""

from datetime import UTC, datetime, time, timedelta

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import SelectChoice

from tribune import access
from tribune.extensions import db
from tribune.forms import attach_error
from tribune.i18n import gettext as _
from tribune.models import Association, ModeratorTerm, Suspension
from tribune.moderation import bp, queries, requires
from tribune.moderation.forms import ReasonForm, RestrictForm, TermForm
from tribune.moderation.helpers import done, get_or_404, refused_answer, user_or_404
from tribune.services import Invalid, Refused, accounts, terms
from tribune.services import moderation_users as users_moderation


def _render_user(user, status=200, **forms):
    forms.setdefault("restrict_form", RestrictForm(prefix="restrict"))
    forms.setdefault("disable_form", ReasonForm(prefix="disable"))
    forms.setdefault("reinstate_form", ReasonForm(prefix="reinstate"))
    forms.setdefault("lift_form", ReasonForm(prefix="lift"))
    return render_template(
        "moderation/user.html",
        person=user,
        restrictions=users_moderation.restrictions_of(user),
        posts=queries.user_posts(user),
        **forms,
    ), status


@bp.route("/users/<username>")
@requires(access.can_moderate)
def user(username):
    """An account as moderators see it: restrictions, latest posts (hidden too), the tools."""
    return _render_user(user_or_404(username))


def _user_act(user, form_name, form, run, message):
    back = url_for(".user", username=user.username)
    if form.validate_on_submit():
        try:
            run()
        except Invalid as error:
            attach_error(form, error)
        except Refused as refused:
            return refused_answer(refused, back)
        else:
            return done(message, back)
    return _render_user(user, 400, **{form_name: form})


@bp.route("/users/<username>/restrict", methods=["POST"])
@requires(access.can_moderate)
def restrict_user(username):
    """Suspend or silence an account for a number of days."""
    user = user_or_404(username)
    form = RestrictForm(prefix="restrict")
    return _user_act(
        user,
        "restrict_form",
        form,
        lambda: users_moderation.restrict_user(
            current_user, user, form.kind.data, form.days.data, form.reason.data
        ),
        _("The restriction is in force."),
    )


@bp.route("/restrictions/<int:restriction_id>/lift", methods=["POST"])
@requires(access.can_moderate)
def lift_restriction(restriction_id):
    """Lift a suspension or silence early."""
    restriction = get_or_404(Suspension, restriction_id)
    form = ReasonForm(prefix="lift")
    return _user_act(
        restriction.user,
        "lift_form",
        form,
        lambda: users_moderation.lift_restriction(current_user, restriction, form.reason.data),
        _("The restriction was lifted."),
    )


@bp.route("/users/<username>/<any(disable, reinstate):change>", methods=["POST"])
@requires(access.can_moderate)
def account_state(username, change):
    """Disable a spam account and hide its posts in one step, or reinstate it."""
    user = user_or_404(username)
    form = ReasonForm(prefix=change)
    if change == "disable":
        run = users_moderation.disable_account
        message = _("The account is disabled and its posts are hidden.")
    else:
        run = users_moderation.reinstate_account
        message = _("The account is reinstated and its posts are shown again.")
    return _user_act(
        user, f"{change}_form", form, lambda: run(current_user, user, form.reason.data), message
    )


# Administrators: terms


def _term_form():
    form = TermForm()
    associations = db.session.scalars(db.select(Association).order_by(Association.name)).all()
    form.association.choices = [SelectChoice("", _("none"))] + [
        SelectChoice(a.slug, a.name) for a in associations
    ]
    return form


@bp.route("/terms", methods=["GET", "POST"])
@requires(access.is_admin)
def terms_page():
    """Administrators grant moderator terms and end them early."""
    form = _term_form()
    if form.validate_on_submit():
        person = accounts.find_by_username(form.username.data)
        association = db.session.scalar(
            db.select(Association).where(Association.slug == form.association.data)
        ) if form.association.data else None
        starts_at = datetime.combine(form.starts_on.data, time.min, tzinfo=UTC)
        ends_at = datetime.combine(form.ends_on.data + timedelta(days=1), time.min, tzinfo=UTC)
        try:
            terms.grant_term(
                current_user, person, starts_at, ends_at, form.reason.data, association
            )
        except Invalid as error:
            if error.field in ("starts_at", "ends_at"):
                error.field = {"starts_at": "starts_on", "ends_at": "ends_on"}[error.field]
            attach_error(form, error)
        else:
            return done(_("The term was granted."), url_for(".terms_page"))
    current, upcoming, past = terms.split_by_time(terms.all_terms())
    return render_template(
        "moderation/terms.html",
        form=form,
        end_form=ReasonForm(prefix="end"),
        current=current,
        upcoming=upcoming,
        past=past,
    ), (400 if form.errors else 200)


@bp.route("/terms/<int:term_id>/end", methods=["POST"])
@requires(access.is_admin)
def end_term(term_id):
    """End a term now."""
    term = get_or_404(ModeratorTerm, term_id)
    form = ReasonForm(prefix="end")
    back = url_for(".terms_page")
    if not form.validate_on_submit():
        flash(_("Give the reason; it is published."), "error")
        return redirect(back)
    try:
        terms.end_term(current_user, term, form.reason.data)
    except (Invalid, Refused) as error:
        return refused_answer(error, back)
    return done(_("The term has ended."), back)
