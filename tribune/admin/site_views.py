"""Administration of the site itself: the first setup, identity and rules, registration."""

from flask import render_template, request, url_for
from flask_login import current_user

from tribune.admin import bp
from tribune.admin.forms import RegistrationForm, SectionForm, SetupForm, SiteTextsForm
from tribune.forms import attach_error
from tribune.i18n import LOCALE_NAMES, current_locale
from tribune.i18n import gettext as _
from tribune.models import AREAS
from tribune.moderation.helpers import done
from tribune.services import Invalid, sections, site
from tribune.services import registration as registration_service


@bp.route("/")
def index():
    """What administrators look after, and what the first setup still lacks."""
    snapshot = site.current()
    spaces = {area: sections.ordered(area, include_archived=False) for area in AREAS}
    pending = 0
    if snapshot.registration == "approval":
        pending = len(registration_service.pending_applications())
    return render_template("admin/index.html", snapshot=snapshot, spaces=spaces, pending=pending)


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    """The first setup: name, tagline and default language; then the first sections."""
    snapshot = site.current()
    form = SetupForm()
    if request.method == "GET":
        locale = snapshot.default_locale
        form.locale.data = locale
        form.name.data = snapshot.source("name", locale)
        form.tagline.data = snapshot.source("tagline", locale)
    if form.validate_on_submit():
        try:
            site.set_up(current_user, form.locale.data, form.name.data, form.tagline.data,
                        form.reason.data)
        except Invalid as error:
            attach_error(form, error)
        else:
            return done(_("The site is named. Now give it its first sections."),
                        url_for(".setup", _anchor="sections"))
    section_forms = {}
    for area in AREAS:
        section_form = SectionForm(prefix=f"new-{area}", formdata=None)
        section_form.area.data = area
        section_form.reason.data = _("First sections of the site")
        section_forms[area] = section_form
    return render_template(
        "admin/setup.html",
        form=form,
        snapshot=snapshot,
        spaces={area: sections.ordered(area, include_archived=False) for area in AREAS},
        section_forms=section_forms,
    ), 200 if request.method == "GET" else 400


@bp.route("/site", methods=["GET", "POST"])
def site_texts():
    """The site's name, tagline, about text and rules, one interface language at a time."""
    locale = request.args.get("locale") or current_locale()
    if locale not in LOCALE_NAMES:
        locale = current_locale()
    form = SiteTextsForm()
    if request.method == "GET":
        for key, value in site.texts_for_editing(locale).items():
            form[key].data = value
    if form.validate_on_submit():
        values = {key: form[key].data or "" for key in ("name", "tagline", "about", "rules")}
        try:
            site.update_texts(current_user, locale, values, form.reason.data)
        except Invalid as error:
            attach_error(form, error)
        else:
            return done(_("Saved. Every page shows it now."), url_for(".site_texts", locale=locale))
    return render_template(
        "admin/site.html", form=form, locale=locale, snapshot=site.current()
    ), 200 if request.method == "GET" else 400


@bp.route("/registration", methods=["GET", "POST"])
def registration():
    """How people join: open, by approval, or by invitation."""
    snapshot = site.current()
    form = RegistrationForm()
    if request.method == "GET":
        form.registration.data = snapshot.registration
        form.invitation_limit.data = snapshot.invitation_limit
    if form.validate_on_submit():
        try:
            site.set_registration(current_user, form.registration.data,
                                  form.invitation_limit.data, form.reason.data)
        except Invalid as error:
            attach_error(form, error)
        else:
            return done(_("Registration now follows the new policy."), url_for(".registration"))
    return render_template("admin/registration.html", form=form, snapshot=snapshot), (
        200 if request.method == "GET" else 400
    )
