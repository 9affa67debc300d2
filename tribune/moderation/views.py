"""Moderation pages: reports, acts on posts, and the public log (who may reach each route is
declared beside it with `requires`, tribune/moderation/__init__.py)."""

from flask import (
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from tribune import access
from tribune.extensions import db, limiter
from tribune.forms import attach_error
from tribune.i18n import gettext as _
from tribune.models import Post, Report
from tribune.models.moderation import ACTIONS
from tribune.moderation import bp, queries, requires
from tribune.moderation.forms import (
    HandleReportForm,
    HandoverForm,
    ReasonForm,
    ReportForm,
)
from tribune.moderation.helpers import done, get_or_404, refused_answer
from tribune.moderation.labels import (
    REPORT_REASON_LABELS,
    REPORT_STATE_LABELS,
    action_label,
    interval_label,
)
from tribune.services import (
    Invalid,
    Refused,
    moderation,
    moderation_log,
    reports,
    terms,
)
from tribune.web import existing_page, page_arg


def moderation_label(action):
    """The readable name of a logged act (templates)."""
    return action_label(action)


def slow_mode_label(seconds):
    """A slow-mode interval in words (templates)."""
    return interval_label(seconds)


# Public pages


@bp.route("/log")
@requires(access.anyone)
def log():
    """The public moderation log, filterable by moderator, act, section, thread and date."""
    log_filter = queries.LogFilter(request.args)
    pagination = existing_page(queries.log_page(log_filter, page_arg()))
    count, head = moderation_log.head()
    return render_template(
        "moderation/log.html",
        pagination=pagination,
        log_filter=log_filter,
        targets=queries.target_users(pagination.items),
        sections=queries.sections(),
        actions=ACTIONS,
        entry_count=count,
        head=head,
    )


@bp.route("/log/head.json")
@requires(access.anyone)
def log_head():
    """The log's head hash and entry count, for members and mirrors who keep them as witnesses."""
    count, head = moderation_log.head()
    response = jsonify({"entries": count, "head": head})
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/moderators")
@requires(access.anyone)
def moderators():
    """Who moderates now, who will, and who did: every term, with its dates and association."""
    current, upcoming, past = terms.split_by_time(terms.all_terms())
    return render_template(
        "moderation/moderators.html", current=current, upcoming=upcoming, past=past
    )


# Reporting (participants)


@bp.route("/report/<int:post_id>", methods=["GET", "POST"])
@requires(access.is_logged_in, login=True)
@limiter.limit("30 per hour", methods=["POST"])
def report_post(post_id):
    """Report a post to the moderators."""
    post = db.session.get(Post, post_id)
    if post is None or not access.can_report(current_user, post):
        abort(404)
    form = ReportForm()
    back = url_for("forum.permalink", post_id=post.id)
    if form.validate_on_submit():
        try:
            reports.file_report(current_user, post, form.reason.data, form.details.data)
        except Invalid as error:
            attach_error(form, error)
        except Refused as refused:
            flash(str(refused.message), "info")
            return redirect(back)
        else:
            return done(_("Thank you. The moderators will look at this post."), back)
    return render_template("moderation/report.html", post=post, form=form), (
        400 if form.errors else 200
    )


# Moderators: overview and reports


@bp.route("/")
@requires(access.can_moderate)
def dashboard():
    """A moderator's overview: open reports, the term, notes left by earlier moderators."""
    recent = queries.latest_entries(10)
    return render_template(
        "moderation/dashboard.html",
        term=access.current_term(current_user),
        open_reports=reports.reports_page("open", 1, 5),
        notes=terms.handover_notes(),
        recent=recent,
        targets=queries.target_users(recent),
    )


@bp.route("/reports")
@requires(access.can_moderate)
def reports_queue():
    """The report queue (open reports, oldest first) and the handled ones."""
    state = request.args.get("state", "open")
    if state not in REPORT_STATE_LABELS:
        abort(404)
    pagination = existing_page(reports.reports_page(state, page_arg(), 20))
    return render_template(
        "moderation/reports.html",
        pagination=pagination,
        state=state,
        states=REPORT_STATE_LABELS,
        reasons=REPORT_REASON_LABELS,
        form=HandleReportForm(),
    )


@bp.route("/reports/<int:report_id>", methods=["POST"])
@requires(access.can_moderate)
def handle_report(report_id):
    """Resolve or dismiss a report, with a published note."""
    report = get_or_404(Report, report_id)
    form = HandleReportForm()
    decision = request.form.get("decision", "")
    back = url_for(".reports_queue")
    if not form.validate_on_submit():
        flash(_("Write a note: it is published with your decision."), "error")
        return redirect(back)
    try:
        reports.handle_report(current_user, report, decision, form.note.data)
    except (Invalid, Refused) as error:
        return refused_answer(error, back)
    return done(_("The report was handled and the log updated."), back)


# Moderators: posts


def _render_post(post, status=200, **forms):
    forms.setdefault("hide_form", ReasonForm(prefix="hide"))
    forms.setdefault("unhide_form", ReasonForm(prefix="unhide"))
    post_reports = db.session.scalars(
        db.select(Report).where(Report.post_id == post.id).order_by(Report.id.desc())
    ).all()
    return render_template(
        "moderation/post.html",
        post=post,
        reports=post_reports,
        reasons=REPORT_REASON_LABELS,
        states=REPORT_STATE_LABELS,
        **forms,
    ), status


@bp.route("/posts/<int:post_id>")
@requires(access.can_moderate)
def post(post_id):
    """A post as moderators see it (hidden text included), its reports, hide or show it."""
    return _render_post(get_or_404(Post, post_id))


@bp.route("/posts/<int:post_id>/<any(hide, unhide):change>", methods=["POST"])
@requires(access.can_moderate)
def post_visibility(post_id, change):
    """Hide a post, or show a hidden one again."""
    post = get_or_404(Post, post_id)
    form = ReasonForm(prefix=change)
    if form.validate_on_submit():
        act = moderation.hide_post if change == "hide" else moderation.unhide_post
        try:
            act(current_user, post, form.reason.data)
        except Invalid as error:
            attach_error(form, error)
        except Refused as refused:
            return refused_answer(refused, url_for(".post", post_id=post_id))
        else:
            message = _("The post is hidden.") if change == "hide" else _("The post is shown.")
            return done(message, url_for("forum.permalink", post_id=post_id))
    return _render_post(post, 400, **{f"{change}_form": form})


# Moderators: the handover note


@bp.route("/handover", methods=["GET", "POST"])
@requires(access.can_moderate)
def handover():
    """The moderator in term writes a note for those who come next."""
    term = access.current_term(current_user)
    form = HandoverForm(data={"note": term.handover_note})
    if form.validate_on_submit():
        try:
            terms.save_handover_note(current_user, term, form.note.data)
        except Invalid as error:
            attach_error(form, error)
        else:
            return done(_("Your handover note was saved."), url_for(".dashboard"))
    status = 400 if form.errors else 200
    return render_template("moderation/handover.html", term=term, form=form), status
