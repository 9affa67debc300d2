"""The notification list, marking read, watch buttons and notification settings."""

from urllib.parse import urlsplit

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from tribune import access
from tribune.accounts.forms import EmptyForm
from tribune.extensions import csrf, db
from tribune.forms import attach_error
from tribune.i18n import current_locale, display_timezone
from tribune.i18n import gettext as _
from tribune.models import AREAS, Association, Section, Thread
from tribune.net import safe_next
from tribune.notifications import bp, queries
from tribune.notifications.forms import MAIL_MODE_NAMES, SettingsForm, WatchForm
from tribune.services import Invalid, mail, notify, reading
from tribune.services.debate import position_key
from tribune.text import bidi, calendars
from tribune.web import page_arg

PER_PAGE = 20


@bp.route("/")
@login_required
def index():
    """My notifications, grouped and paged; those shown become read."""
    page = queries.groups(current_user, page_arg(), PER_PAGE)
    if page.page > page.pages:
        abort(404)
    response = render_template("notifications/index.html", page=page, form=EmptyForm())
    # Seen now: shown as new this once, read from the next page load on.
    unread = [group.latest.group_key for group in page.items if group.unread]
    if unread:
        notify.mark_read(current_user, unread)
    return response


@bp.route("/read", methods=["POST"])
@login_required
def read_all():
    """Mark every notification read."""
    if EmptyForm().validate_on_submit():
        notify.mark_read(current_user)
        flash(_("All notifications are marked read."), "success")
    return redirect(url_for(".index"))


def _target(kind, key):
    """The (kind, stored key) of a watch request if its target exists and may be seen."""
    if kind == "thread":
        thread = db.session.get(Thread, _as_int(key))
        if thread is None or thread.merged_into_id is not None:
            return None
        return access.can_view_thread_title(current_user, thread) and ("thread", str(thread.id))
    if kind == "section":
        section = db.session.get(Section, _as_int(key))
        return section is not None and ("section", str(section.id))
    if kind == "space":
        return key in AREAS and ("space", key)
    if kind == "position":
        folded = position_key(key or "")
        return bool(folded) and ("position", folded)
    if kind == "association":
        association = db.session.get(Association, _as_int(key))
        return association is not None and ("association", str(association.id))
    return None


def _as_int(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return -1
    return number if 0 < number < 2**31 else -1


@bp.route("/watch", methods=["POST"])
@login_required
def watch():
    """Watch, mute or stop following a thread, section, space, position or association."""
    form = WatchForm()
    back = safe_next(form.next.data, url_for(".index"))
    if not form.validate_on_submit():
        return redirect(back)
    target = _target(form.kind.data, form.key.data)
    if not target:
        abort(404)
    level = form.level.data if form.level.data in ("watch", "mute") else None
    try:
        notify.set_watch(current_user, *target, level)
    except Invalid:
        abort(404)
    messages = {
        "watch": _("You will be told of what is new here."),
        "mute": _("This thread is muted: it will tell you nothing."),
        None: _("You no longer follow this."),
    }
    flash(messages[level], "success")
    return redirect(back)


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Whether opening a thread or replying watches it; e-mail, when this site sends any."""
    current = notify.settings_of(current_user)
    mail_on = mail.enabled()
    form = SettingsForm(
        auto_watch=current.auto_watch,
        mail_mode=current.mail_mode or "off",
        mail_address=current.mail_address or current_user.email,
    )
    if form.validate_on_submit():
        try:
            notify.save_settings(
                current_user,
                form.auto_watch.data,
                form.mail_mode.data if mail_on else None,
                form.mail_address.data if mail_on else None,
            )
        except Invalid as error:
            attach_error(form, error)
        else:
            flash(_("Your notification settings are saved."), "success")
            return redirect(url_for(".settings"))
    return render_template(
        "notifications/settings.html",
        form=form,
        mail_on=mail_on,
        watches=notify.watches_of(current_user),
        follow_form=WatchForm(formdata=None),
    )


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token):
    """The one-click link of every e-mail: POST (a mail client, RFC 8058, or the button) stops
    all e-mail; GET asks first, so that a link scanner opening it changes nothing."""
    user = mail.user_from_token(token)
    if user is None:
        abort(404)
    if request.method == "POST":
        notify.unsubscribe(user)
        return render_template("notifications/unsubscribe.html", done=True, token=token)
    return render_template("notifications/unsubscribe.html", done=False, token=token)


@bp.route("/threads-read", methods=["POST"])
@login_required
def mark_everything_read():
    """Mark every thread read, everywhere."""
    if EmptyForm().validate_on_submit():
        reading.mark_all_read(current_user)
        flash(_("Every thread is marked read."), "success")
    back = _path_of(request.referrer) if request.referrer else None
    return redirect(safe_next(back, url_for("main.index")))


@bp.route("/sections/<int:section_id>/read", methods=["POST"])
@login_required
def mark_section_read(section_id):
    """Mark every thread of a section read."""
    section = db.session.get(Section, section_id)
    if section is None:
        abort(404)
    if EmptyForm().validate_on_submit():
        reading.mark_all_read(current_user, section)
        flash(_("Every thread here is marked read."), "success")
    return redirect(url_for("forum.section", area=section.area, slug=section.slug))


def _path_of(url):
    """The path and query of a same-site URL (the Referer), for going back."""
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def notification_context():
    def unread_notifications():
        # Asked by the header on every page of a logged-in participant: once per request.
        if not access.is_participant(current_user):
            return 0
        if "tribune_unread" not in g:
            g.tribune_unread = queries.unread_count(current_user)
        return g.tribune_unread

    def watch_form(kind, key):
        """The watch button's form for a target, with its current level."""
        level = notify.watch_level(current_user, kind, str(key))
        form = WatchForm(formdata=None, kind=kind, key=key, next=request.full_path.rstrip("?"))
        return form, level

    def unread_threads(threads):
        """The ids of the listed threads with posts the reader has not read."""
        return reading.unread_threads(current_user, list(threads))

    def mail_date(dt):
        """A date and time as text, in the reader's calendar (Jalali in Persian)."""
        return calendars.format_datetime(dt, current_locale(), tz=display_timezone())

    return {
        "bdi_wrap": bidi.bdi,
        "isolate_wrap": bidi.isolate,
        "mail_date": mail_date,
        "mail_mode_name": lambda mode: str(MAIL_MODE_NAMES.get(mode, mode)),
        "unread_notifications": unread_notifications,
        "watch_form": watch_form,
        "unread_threads": unread_threads,
    }


