"""The agenda's calendar: months and six months of actions and commemorations, in either
calendar; announcing actions; commemorations; iCalendar feeds.

Routes live under /calendar/ so they never meet the forum's /agenda/<section>/ pages.
"""

from datetime import date

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from wtforms import SelectChoice

from tribune import access
from tribune.agenda import bp, display, ics, queries
from tribune.agenda.forms import ActionEditForm, ActionForm, CommemorationForm
from tribune.extensions import db
from tribune.forms import attach_error
from tribune.i18n import current_locale
from tribune.i18n import gettext as _
from tribune.models import Commemoration, Thread
from tribune.models.base import utcnow
from tribune.services import Invalid, Refused, agenda, agenda_commemorations
from tribune.services.debate import ID_RULE as ID
from tribune.text.months import Month, month_of, weeks
from tribune.text.recurrence import GREGORIAN, JALALI

bp.record_once(lambda state: display.init_app(state.app))


def _month_or_404(calendar, year, month):
    try:
        return Month(calendar, year, month)
    except ValueError:
        abort(404)


def _today():
    return utcnow().date()


def month_url(month, endpoint="month"):
    """The permanent address of a month page (or six-month page) in its calendar."""
    return url_for(f".{endpoint}", calendar=month.calendar, year=month.year, month=month.month)


def _render_month(month):
    today = _today()
    other = GREGORIAN if month.calendar == JALALI else JALALI
    return render_template(
        "agenda/month.html",
        month=month,
        weeks=weeks(month, display.first_weekday()),
        today=today,
        other_month=month_of(month.first, other),
        **queries.month_page(current_user, month, today),
    )


@bp.route("/")
def index():
    """This month of the agenda, in the reader's calendar, with the coming actions."""
    return _render_month(month_of(_today(), display.reader_calendar()))


@bp.route("/<int:year>/<int(fixed_digits=2):month>", defaults={"calendar": GREGORIAN})
@bp.route("/jalali/<int:year>/<int(fixed_digits=2):month>", defaults={"calendar": JALALI})
def month(calendar, year, month):
    """A month, Gregorian or Jalali: its actions and commemorations (permanent address)."""
    return _render_month(_month_or_404(calendar, year, month))


def _render_six_months(first):
    today = _today()
    return render_template(
        "agenda/six_months.html",
        first=first,
        today=today,
        **queries.six_months_page(current_user, first, today),
    )


@bp.route("/six-months")
def six_months():
    """The coalition's six-month work calendar, from this month on."""
    return _render_six_months(month_of(_today(), display.reader_calendar()))


@bp.route("/six-months/<int:year>/<int(fixed_digits=2):month>", defaults={"calendar": GREGORIAN})
@bp.route("/jalali/six-months/<int:year>/<int(fixed_digits=2):month>",
          defaults={"calendar": JALALI})  # fmt: skip
def six_months_from(calendar, year, month):
    """Six months from a month, Gregorian or Jalali."""
    return _render_six_months(_month_or_404(calendar, year, month))


def _action_thread_or_404(thread_id):
    thread = db.session.get(Thread, thread_id)
    if thread is None or thread.action is None or not access.can_view_thread(current_user, thread):
        abort(404)
    return thread


@bp.route(f"/actions/<{ID}:thread_id>")
def month_of_action(thread_id):
    """The month page (reader's calendar) on which an action stands."""
    thread = _action_thread_or_404(thread_id)
    month = month_of(thread.action.local_start.date(), display.reader_calendar())
    return redirect(month_url(month) + f"#action-{thread.id}")


def _ics_response(calendar, filename):
    return Response(
        ics.to_bytes(calendar),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


def _host():
    return request.host.split(":")[0] or "tribune"


def _thread_url(thread):
    return url_for("forum.thread", thread_id=thread.id, _external=True)


@bp.route(f"/actions/<{ID}:thread_id>.ics")
def action_ics(thread_id):
    """One action as an iCalendar file."""
    thread = _action_thread_or_404(thread_id)
    if not access.can_view_thread_title(current_user, thread):
        abort(404)
    calendar = ics.new_calendar(thread.title)
    opening = queries.opening_posts([thread]).get(thread.id)
    calendar.add_component(ics.action_event(thread, opening, _thread_url(thread), _host()))
    return _ics_response(calendar, f"action-{thread.id}.ics")


@bp.route("/agenda.ics")
def agenda_ics():
    """The whole agenda as an iCalendar feed: every action and commemoration."""
    from tribune.services import site

    calendar = ics.new_calendar(
        _("%(site)s: agenda", site=site.current().name(current_locale()))
    )
    # The feed is the same for everyone (calendar apps subscribe without logging in);
    # ?lang=en names the commemorations in another language than Persian.
    threads = queries.all_actions(None)
    openings = queries.opening_posts(threads)
    host = _host()
    for thread in threads:
        calendar.add_component(
            ics.action_event(thread, openings.get(thread.id), _thread_url(thread), host)
        )
    locale = request.args.get("lang")
    if locale not in current_app.config["LOCALES"]:
        locale = current_locale()
    # ?year=2040 writes the commemorations that cannot recur by RRULE (Jalali ones) around
    # that year instead of this one (issue 17: they stopped after five years).
    year = request.args.get("year", type=int)
    if year is not None and not ics.FIRST_YEAR <= year <= ics.LAST_YEAR:
        abort(404)
    commemorations_url = url_for(".commemorations", _external=True)
    for commemoration in agenda_commemorations.active():
        for event in ics.commemoration_events(
            commemoration,
            host,
            _today(),
            commemorations_url,
            commemoration.localized_title(locale),
            year=year,
        ):
            calendar.add_component(event)
    return _ics_response(calendar, "agenda.ics")


def _agenda_section_choices(form):
    sections = queries.agenda_sections()
    form.section.choices = [
        SelectChoice(s.slug, s.localized("title", current_locale())) for s in sections
    ]
    return {s.slug: s for s in sections}


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_action():
    """Announce an action in a working group."""
    if not access.may_write(current_user):
        abort(404)
    form = ActionForm()
    sections = _agenda_section_choices(form)
    form.setup_zones()
    if request.method == "GET" and request.args.get("section") in sections:
        form.section.data = request.args["section"]
    if form.validate_on_submit():
        day, start, end = form.parsed_times()
        try:
            thread = agenda.open_action(
                current_user,
                sections.get(form.section.data),
                form.title.data,
                form.body.data,
                form.language.data,
                day,
                start,
                form.timezone.data,
                form.city.data,
                form.place.data,
                end,
            )
        except Invalid as error:
            attach_error(form, error)
        except Refused as refused:
            # New-account posting limits: say why and keep what was typed.
            form.form_errors.append(str(refused.message))
        else:
            return redirect(url_for("forum.thread", thread_id=thread.id))
    return render_template("agenda/new_action.html", form=form)


@bp.route(f"/actions/<{ID}:thread_id>/edit", methods=["GET", "POST"])
@login_required
def edit_action(thread_id):
    """Change an action's time, place or status."""
    thread = _action_thread_or_404(thread_id)
    if not access.can_edit_action(current_user, thread):
        abort(404)
    action = thread.action
    form = ActionEditForm()
    form.setup_zones()
    if request.method == "GET":
        local = action.local_start
        form.day.data = local.date().isoformat()
        form.start.data = local.strftime("%H:%M")
        form.end.data = action.local_end.strftime("%H:%M") if action.ends_at else ""
        form.timezone.data = action.timezone
        form.city.data = action.city
        form.place.data = action.place
        form.status.data = action.status
    if form.validate_on_submit():
        day, start, end = form.parsed_times()
        try:
            agenda.update_action(
                current_user,
                thread,
                day,
                start,
                form.timezone.data,
                form.city.data,
                form.place.data,
                end,
                form.status.data,
            )
        except Invalid as error:
            attach_error(form, error)
        except Refused:
            abort(404)
        else:
            flash(_("The action was updated; calendar apps will pick up the change."), "success")
            return redirect(url_for("forum.thread", thread_id=thread.id))
    return render_template("agenda/edit_action.html", form=form, thread=thread)


@bp.route("/commemorations/")
def commemorations():
    """Every commemoration and its next date."""
    today = _today()
    items = [(c, agenda_commemorations.next_date(c, today)) for c in agenda_commemorations.active()]
    items.sort(key=lambda pair: (pair[1] is None, pair[1] or date.max))
    retired = []
    if access.is_participant(current_user):
        retired = [
            c
            for c in agenda_commemorations.retired()
            if access.can_edit_commemoration(current_user, c)
        ]
    return render_template("agenda/commemorations.html", items=items, retired=retired)


def _commemoration_sections(form):
    sections = queries.agenda_sections()
    form.section.choices = [SelectChoice("", _("None"))] + [
        SelectChoice(str(s.id), s.localized("title", current_locale())) for s in sections
    ]
    return {str(s.id): s for s in sections}


def _save_commemoration(form, sections, commemoration=None):
    values = {
        "title": form.title.data,
        "calendar": form.calendar.data,
        "month": int(form.month.data),
        "day": form.day.data,
        "description": form.description.data or "",
        "since_year": form.since_year.data,
        "section": sections.get(form.section.data or ""),
        "translations": form.translations(),
    }
    if commemoration is None:
        return agenda_commemorations.add(current_user, **values)
    return agenda_commemorations.update(
        current_user, commemoration, is_active=form.is_active.data, **values
    )


@bp.route("/commemorations/new", methods=["GET", "POST"])
@login_required
def new_commemoration():
    """Enter a commemoration once; it comes back every year."""
    if not access.can_add_commemoration(current_user):
        abort(404)
    form = CommemorationForm()
    sections = _commemoration_sections(form)
    if form.validate_on_submit():
        try:
            _save_commemoration(form, sections)
        except Invalid as error:
            attach_error(form, error)
        else:
            flash(_("The commemoration is in the calendar, every year."), "success")
            return redirect(url_for(".commemorations"))
    return render_template("agenda/commemoration_form.html", form=form, commemoration=None)


@bp.route(f"/commemorations/<{ID}:commemoration_id>/edit", methods=["GET", "POST"])
@login_required
def edit_commemoration(commemoration_id):
    """Change or retire a commemoration."""
    commemoration = db.session.get(Commemoration, commemoration_id)
    if not access.can_edit_commemoration(current_user, commemoration):
        abort(404)
    form = CommemorationForm(obj=commemoration)
    sections = _commemoration_sections(form)
    if request.method == "GET":
        form.month.data = str(commemoration.month)
        form.section.data = str(commemoration.section_id or "")
        for code in form.TRANSLATED:
            getattr(form, f"title_{code}").data = (commemoration.translations or {}).get(code, "")
    if form.validate_on_submit():
        try:
            _save_commemoration(form, sections, commemoration)
        except Invalid as error:
            attach_error(form, error)
        else:
            flash(_("The commemoration was saved."), "success")
            return redirect(url_for(".commemorations"))
    return render_template("agenda/commemoration_form.html", form=form, commemoration=commemoration)


def agenda_context():
    # The home page lists coming actions without its view knowing about the agenda.
    return {
        "coming_actions": lambda limit=5: queries.coming(current_user, limit=limit),
    }
