"""Moderation of threads: lock, pin, move, merge, rename, slow mode, split."""

from flask import abort, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from tribune import access
from tribune.extensions import db
from tribune.forms import attach_error
from tribune.i18n import gettext as _
from tribune.models import Section, Thread
from tribune.moderation import bp, queries, requires
from tribune.moderation.forms import (
    MergeForm,
    MoveForm,
    ReasonForm,
    SlowModeForm,
    SplitForm,
    TitleForm,
)
from tribune.moderation.helpers import done, get_or_404, locale, refused_answer
from tribune.services import Invalid, Refused, moderation


def _render_thread(thread, status=200, **forms):
    sections = queries.sections()
    section_choices = [
        SelectChoice(s.id, f"{_('Tribune') if s.area == 'tribune' else _('Agenda')} › "
                     f"{s.localized('title', locale())}")
        for s in sections
        if s.area in moderation.areas_for(thread.kind)
    ]
    defaults = {
        "lock_form": ReasonForm(prefix="lock"),
        "unlock_form": ReasonForm(prefix="unlock"),
        "pin_form": ReasonForm(prefix="pin"),
        "unpin_form": ReasonForm(prefix="unpin"),
        "move_form": MoveForm(prefix="move"),
        "merge_form": MergeForm(prefix="merge"),
        "title_form": TitleForm(prefix="title", data={"title": thread.title}),
        "slow_form": SlowModeForm(prefix="slow", data={"seconds": thread.slow_mode_seconds}),
    }
    for name, form in defaults.items():
        forms.setdefault(name, form)
    forms["move_form"].section.choices = [
        c for c in section_choices if c.value != thread.section_id
    ]
    return render_template("moderation/thread.html", thread=thread, **forms), status


def _thread_or_404(thread_id):
    return get_or_404(Thread, thread_id)


def _thread_act(thread, form_name, form, run, message, target=None):
    """Validate `form`, run the act, and answer: redirect on success, the tools page otherwise."""
    if form.validate_on_submit():
        try:
            result = run()
        except Invalid as error:
            attach_error(form, error)
        except Refused as refused:
            return refused_answer(refused, url_for(".thread", thread_id=thread.id))
        else:
            return done(message, target(result) if target else _forum_thread(thread.id))
    return _render_thread(thread, 400, **{form_name: form})


def _forum_thread(thread_id):
    return url_for("forum.thread", thread_id=thread_id)


@bp.route("/threads/<int:thread_id>")
@requires(access.can_moderate)
def thread(thread_id):
    """Every tool for a thread: lock, pin, move, merge, rename, slow mode, split."""
    thread = _thread_or_404(thread_id)
    return _render_thread(thread)


@bp.route("/threads/<int:thread_id>/<any(lock, unlock, pin, unpin):change>", methods=["POST"])
@requires(access.can_moderate)
def thread_flag(thread_id, change):
    """Lock, unlock, pin or unpin a thread."""
    thread = _thread_or_404(thread_id)
    form = ReasonForm(prefix=change)
    messages = {
        "lock": _("The thread is locked."),
        "unlock": _("The thread is unlocked."),
        "pin": _("The thread is pinned."),
        "unpin": _("The thread is unpinned."),
    }
    return _thread_act(
        thread,
        f"{change}_form",
        form,
        lambda: moderation.set_thread_flag(current_user, thread, change, form.reason.data),
        messages[change],
    )


@bp.route("/threads/<int:thread_id>/move", methods=["POST"])
@requires(access.can_moderate)
def move_thread(thread_id):
    """Move a thread to another section, possibly in the other space."""
    thread = _thread_or_404(thread_id)
    form = MoveForm(prefix="move")
    form.section.choices = [SelectChoice(s.id, s.slug) for s in queries.sections()]
    return _thread_act(
        thread,
        "move_form",
        form,
        lambda: moderation.move_thread(
            current_user, thread, db.session.get(Section, form.section.data), form.reason.data
        ),
        _("The thread was moved."),
    )


@bp.route("/threads/<int:thread_id>/merge", methods=["POST"])
@requires(access.can_moderate)
def merge_thread(thread_id):
    """Merge this thread into an older one; its posts keep their ids and addresses."""
    thread = _thread_or_404(thread_id)
    form = MergeForm(prefix="merge")
    return _thread_act(
        thread,
        "merge_form",
        form,
        lambda: moderation.merge_threads(
            current_user, thread, db.session.get(Thread, form.target.data), form.reason.data
        ),
        _("The threads were merged."),
        target=lambda merged: _forum_thread(merged.id),
    )


@bp.route("/threads/<int:thread_id>/title", methods=["POST"])
@requires(access.can_moderate)
def retitle_thread(thread_id):
    """Rename a thread; the old title stays in the log."""
    thread = _thread_or_404(thread_id)
    form = TitleForm(prefix="title")
    return _thread_act(
        thread,
        "title_form",
        form,
        lambda: moderation.retitle_thread(current_user, thread, form.title.data, form.reason.data),
        _("The thread was renamed."),
    )


@bp.route("/threads/<int:thread_id>/slow-mode", methods=["POST"])
@requires(access.can_moderate)
def slow_mode(thread_id):
    """Set or end slow mode on a thread."""
    thread = _thread_or_404(thread_id)
    form = SlowModeForm(prefix="slow")
    return _thread_act(
        thread,
        "slow_form",
        form,
        lambda: moderation.set_slow_mode(current_user, thread, form.seconds.data, form.reason.data),
        _("Slow mode was changed."),
    )


@bp.route("/threads/<int:thread_id>/split", methods=["GET", "POST"])
@requires(access.can_moderate)
def split_thread(thread_id):
    """Move selected replies, with their ids, into a new thread."""
    thread = _thread_or_404(thread_id)
    if thread.merged_into_id is not None:
        abort(404)
    posts = queries.thread_posts(thread)
    form = SplitForm()
    form.posts.choices = [SelectChoice(p.id, f"#{p.id}") for p in posts[1:]]
    form.section.choices = [
        SelectChoice(s.id, s.localized("title", locale())) for s in queries.sections()
    ]
    if request.method == "GET":
        form.section.data = thread.section_id
    if form.validate_on_submit():
        try:
            new = moderation.split_thread(
                current_user,
                thread,
                form.posts.data,
                form.title.data,
                db.session.get(Section, form.section.data),
                form.reason.data,
            )
        except Invalid as error:
            attach_error(form, error)
        except Refused as refused:
            return refused_answer(refused, url_for(".thread", thread_id=thread.id))
        else:
            return done(_("The replies were moved into a new thread."), _forum_thread(new.id))
    status = 400 if request.method == "POST" else 200
    return render_template("moderation/split.html", thread=thread, posts=posts, form=form), status
