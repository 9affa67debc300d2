"""Administration of people and associations: thin views over services/people.py."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from tribune.accounts.forms import EmptyForm
from tribune.admin import bp
from tribune.admin.forms import AdminReasonForm, AssociationForm, MergeAssociationForm
from tribune.extensions import db
from tribune.forms import attach_error
from tribune.i18n import gettext as _
from tribune.models import Association
from tribune.moderation.helpers import done, get_or_404, refused_answer, user_or_404
from tribune.moderation.queries import target_users
from tribune.services import Invalid, NotFound, Refused, people, registration, resets
from tribune.web import existing_page, page_arg


@bp.route("/people/")
def people_page():
    """Accounts, filtered by role, state and how long unused; never their e-mail addresses."""
    people_filter = people.PeopleFilter.from_args(request.args)
    pagination = existing_page(db.paginate(
        people.accounts_query(people_filter), page=page_arg(), per_page=people.PER_PAGE,
        error_out=False,
    ))
    ids = [user.id for user in pagination.items]
    return render_template(
        "admin/people.html",
        pagination=pagination,
        people_filter=people_filter,
        moderators=people.moderators_now(ids),
        inviters=people.users_by_id({u.invited_by_id for u in pagination.items} - {None}),
    )


def _render_person(person, status=200, reset_link=None, **forms):
    forms.setdefault("admin_form", AdminReasonForm(prefix="admin"))
    entries = people.history(person)
    return render_template(
        "admin/person.html",
        person=person,
        entries=entries,
        targets=target_users(entries),
        inviter=registration.inviter_of(current_user, person),
        invited=people.invited_by_user(person),
        reset_link=reset_link,
        reset_form=EmptyForm(),
        **forms,
    ), status


@bp.route("/people/<username>")
def person(username):
    """One account: its state, who invited it, whom it invited, its log history, the tools."""
    return _render_person(user_or_404(username))


@bp.route("/people/<username>/admin", methods=["POST"])
def set_admin(username):
    """Grant or end administrator rights (never one's own)."""
    person = user_or_404(username)
    form = AdminReasonForm(prefix="admin")
    back = url_for(".person", username=person.username)
    grant = request.form.get("grant") == "1"
    if form.validate_on_submit():
        try:
            people.set_admin(current_user, person, grant, form.reason.data)
        except Invalid as error:
            attach_error(form, error)
        except Refused as refused:
            return refused_answer(refused, back)
        else:
            return done(
                _("Administrator rights granted.") if grant else _("Administrator rights ended."),
                back,
            )
    return _render_person(person, 400, admin_form=form)


@bp.route("/people/<username>/reset-link", methods=["POST"])
def reset_link(username):
    """A single-use password-reset link to hand over in person (as `flask users reset-link`)."""
    person = user_or_404(username)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for(".person", username=person.username))
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    try:
        link = resets.issue_admin_link(current_user, person, base)
    except NotFound:
        flash(_("This account cannot log in, so it has no password to reset."), "error")
        return redirect(url_for(".person", username=person.username))
    return _render_person(person, reset_link=link)


# Associations


@bp.route("/associations/")
def associations_page():
    """Every association with its members and co-signatures, and the tools."""
    return render_template(
        "admin/associations.html",
        associations=people.all_associations(),
        counts=people.association_counts(),
    )


@bp.route("/associations/<int:association_id>", methods=["GET", "POST"])
def association(association_id):
    """Rename an association or change its place; merge it into another."""
    association = get_or_404(Association, association_id)
    form = AssociationForm(obj=association if request.method == "GET" else None)
    merge_form = MergeAssociationForm(prefix="merge", formdata=None)
    merge_form.target.choices = _merge_choices(association)
    if form.validate_on_submit():
        try:
            people.edit_association(current_user, association, form.name.data, form.city.data,
                                    form.country.data, form.reason.data)
        except Invalid as error:
            attach_error(form, error)
        else:
            return done(_("The association was changed."), url_for(".associations_page"))
    return render_template(
        "admin/association.html", association=association, form=form, merge_form=merge_form
    ), 200 if request.method == "GET" else 400


def _merge_choices(association):
    return [
        SelectChoice(a.id, f"{a.name} ({a.city})" if a.city else a.name)
        for a in people.all_associations()
        if a.id != association.id
    ]


@bp.route("/associations/<int:association_id>/merge", methods=["POST"])
def merge_association(association_id):
    """Merge a duplicate association into another: signatures and members move."""
    association = get_or_404(Association, association_id)
    merge_form = MergeAssociationForm(prefix="merge")
    merge_form.target.choices = _merge_choices(association)
    if merge_form.validate_on_submit():
        try:
            target = people.merge_associations(
                current_user, association, db.session.get(Association, merge_form.target.data),
                merge_form.reason.data,
            )
        except Invalid as error:
            attach_error(merge_form, error)
        except Refused as refused:
            return refused_answer(refused, url_for(".associations_page"))
        else:
            return done(_("Merged into %(name)s.", name=target.name), url_for(".associations_page"))
    return render_template(
        "admin/association.html", association=association, form=AssociationForm(obj=association),
        merge_form=merge_form,
    ), 400
