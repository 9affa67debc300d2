"""Administration of sections and working groups: thin views over services/sections.py."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from tribune.admin import bp
from tribune.admin.forms import AdminReasonForm, MergeSectionForm, OrderForm, SectionForm
from tribune.extensions import db
from tribune.forms import attach_error
from tribune.i18n import current_locale
from tribune.i18n import gettext as _
from tribune.models import AREAS, Section
from tribune.moderation.helpers import done, get_or_404, refused_answer
from tribune.services import Invalid, Refused, sections


@bp.route("/sections/")
def sections_page():
    """Both spaces' sections in their order, archived ones apart, with the tools."""
    return render_template(
        "admin/sections.html",
        spaces=[(area, sections.ordered(area)) for area in AREAS],
        order_forms={area: OrderForm(prefix=area) for area in AREAS},
        archive_form=AdminReasonForm(prefix="archive"),
    )


def _back(default="admin.sections_page"):
    target = request.args.get("next")
    return url_for("admin.setup") if target == "setup" else url_for(default)


@bp.route("/sections/new", methods=["GET", "POST"])
def new_section():
    """Create a section in either space: its address, and its texts in each language."""
    area = request.args.get("area")
    # The setup page holds one form per space, each under its own prefix.
    from_setup = request.args.get("next") == "setup" and area in AREAS
    form = SectionForm(prefix=f"new-{area}" if from_setup else "")
    if request.method == "GET" and area in AREAS:
        form.area.data = area
    if form.validate_on_submit():
        try:
            section = sections.create_section(
                current_user, form.area.data, form.slug.data, form.texts(), form.reason.data
            )
        except Invalid as error:
            attach_error(form, error)
        else:
            flash(_("The section %(name)s was created.", name=section.title), "success")
            return redirect(_back())
    return render_template(
        "admin/section_form.html", form=form, section=None,
        default_locale=sections.default_locale(),
    ), 200 if request.method == "GET" else 400


@bp.route("/sections/<int:section_id>/edit", methods=["GET", "POST"])
def edit_section(section_id):
    """Change a section's titles and descriptions (its address never changes)."""
    section = get_or_404(Section, section_id)
    form = SectionForm(area=section.area, slug=section.slug)
    if request.method == "GET":
        form.fill(sections.texts_of(section))
    # The space and address are shown, not submitted: they never change.
    form.area.data, form.slug.data = section.area, section.slug
    if form.validate_on_submit():
        try:
            sections.edit_section(current_user, section, form.texts(), form.reason.data)
        except Invalid as error:
            attach_error(form, error)
        else:
            return done(_("The section was changed."), url_for(".sections_page"))
    return render_template(
        "admin/section_form.html", form=form, section=section,
        default_locale=sections.default_locale(),
    ), 200 if request.method == "GET" else 400


@bp.route("/sections/order", methods=["POST"])
def order_sections():
    """Save the order of one space's sections, from the place number typed beside each."""
    area = request.form.get("space", "")
    form = OrderForm(prefix=area if area in AREAS else "none")
    back = url_for(".sections_page")
    if area not in AREAS or not form.validate_on_submit():
        flash(_("Give the reason for the new order."), "error")
        return redirect(back)
    current = sections.ordered(area, include_archived=False)
    places = []
    for index, section in enumerate(current):
        raw = request.form.get(f"place-{section.id}", "").strip()
        try:
            place = int(raw)
        except ValueError:
            place = index + 1
        places.append((place, index, section.id))
    try:
        sections.reorder(current_user, area, [sid for _p, _i, sid in sorted(places)],
                         form.reason.data)
    except (Invalid, Refused) as error:
        return refused_answer(error, back)
    return done(_("The new order is saved."), back)


@bp.route("/sections/<int:section_id>/archive", methods=["POST"])
def archive_section(section_id):
    """Archive a section, or bring it back (`undo`)."""
    section = get_or_404(Section, section_id)
    form = AdminReasonForm(prefix="archive")
    back = url_for(".sections_page")
    if not form.validate_on_submit():
        flash(_("Give the reason; it is published."), "error")
        return redirect(back)
    undo = request.form.get("undo") == "1"
    run = sections.unarchive_section if undo else sections.archive_section
    try:
        run(current_user, section, form.reason.data)
    except (Invalid, Refused) as error:
        return refused_answer(error, back)
    return done(
        _("The section is open again.") if undo else _("The section is archived."), back
    )


@bp.route("/sections/<int:section_id>/merge", methods=["GET", "POST"])
def merge_section(section_id):
    """Merge a section into another of the same space: its threads move there."""
    section = get_or_404(Section, section_id)
    form = MergeSectionForm()
    form.target.choices = [
        SelectChoice(s.id, s.localized("title", current_locale()))
        for s in sections.open_sections(section.area)
        if s.id != section.id
    ]
    if form.validate_on_submit():
        try:
            target = sections.merge_sections(
                current_user, section, db.session.get(Section, form.target.data), form.reason.data
            )
        except Invalid as error:
            attach_error(form, error)
        except Refused as refused:
            return refused_answer(refused, url_for(".sections_page"))
        else:
            return done(
                _("The threads moved to %(name)s.", name=target.title),
                url_for(".sections_page"),
            )
    return render_template("admin/section_merge.html", form=form, section=section), (
        200 if request.method == "GET" else 400
    )
