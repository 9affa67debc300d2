"""Sections, threads and posts of both spaces: thin views over forum.queries and services."""

from urllib.parse import quote

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from tribune import access
from tribune.extensions import db
from tribune.forms import attach_error
from tribune.forum import bp, queries
from tribune.forum.forms import EditForm, ReplyForm, ThreadForm
from tribune.i18n import gettext as _
from tribune.models import AREAS, LANGUAGES, Post, Section, Thread
from tribune.papers import thread_page
from tribune.services import Invalid, Refused, debate_posts, notify, posting, reading
from tribune.text.diff import word_diff
from tribune.web import existing_page, page_arg


def _area_or_404(area):
    if area not in AREAS:
        abort(404)
    return area


def _thread_or_404(thread_id):
    thread = db.session.get(Thread, thread_id)
    if not access.can_view_thread(current_user, thread):
        abort(404)
    return thread


def thread_url(thread, page=None, anchor=None, read=None):
    """The canonical address of a thread page (`read`: a language to show translations in)."""
    return url_for(
        "forum.thread",
        thread_id=thread.id,
        page=page if page and page > 1 else None,
        read=read,
        _anchor=anchor,
    )


@bp.route("/<area>/")
def area(area):
    """One of the two spaces: its sections and latest threads."""
    _area_or_404(area)
    sections = queries.sections_by_area().get(area, [])
    latest = queries.latest_threads(sections, limit=15)
    return render_template("forum/area.html", area=area, sections=sections, latest=latest)


@bp.route("/<area>/<slug>/")
def section(area, slug):
    """A section's threads, pinned first, newest activity next, paginated."""
    section = queries.section_by_slug(_area_or_404(area), slug)
    if section is None:
        abort(404)
    if section.merged_into_id is not None:
        # Merged by an administrator: its threads (same addresses) now live in the other one.
        target = db.session.get(Section, section.merged_into_id)
        flash(_("This section was merged into this one."), "info")
        return redirect(url_for(".section", area=target.area, slug=target.slug))
    pagination = existing_page(
        queries.section_threads(section, page_arg(), current_app.config["THREADS_PER_PAGE"])
    )
    last_posts = queries.last_posts(pagination.items)
    return render_template(
        "forum/section.html", section=section, pagination=pagination, last_posts=last_posts
    )


@bp.route("/<area>/<slug>/new", methods=["GET", "POST"])
@login_required
def new_thread(area, slug):
    """Open a thread in a section."""
    section = queries.section_by_slug(_area_or_404(area), slug)
    if section is not None and access.write_refusal(current_user):
        flash(access.write_refusal(current_user), "error")
        return redirect(url_for(".section", area=section.area, slug=section.slug))
    if section is None or not access.can_open_thread(current_user, section):
        abort(404)
    form = ThreadForm()
    if form.validate_on_submit():
        try:
            thread = posting.open_thread(
                current_user, section, form.title.data, form.body.data, form.language.data
            )
        except Invalid as error:
            attach_error(form, error)
        except Refused as refused:
            # New-account posting limits: say why and keep what was typed.
            form.form_errors.append(str(refused.message))
        else:
            return redirect(thread_url(thread))
    return render_template("forum/new_thread.html", section=section, form=form)


@bp.route("/t/<int:thread_id>")
def thread(thread_id):
    """A thread: its posts in the order written, paginated, with the reply form."""
    thread = _thread_or_404(thread_id)
    if thread.merged_into_id is not None:
        # Merged by moderation: its posts (same ids, same permalinks) now live in the other thread.
        flash(_("This thread was merged into this one by moderation."), "info")
        return redirect(url_for(".thread", thread_id=thread.merged_into_id))
    per_page = current_app.config["POSTS_PER_PAGE"]
    if "page" not in request.args:
        # A participant who read part of it before comes back to their first unread post.
        first = reading.first_unread(current_user, thread)
        if first is not None:
            page = queries.page_of_post(first, per_page)
            read = request.args.get("read")
            return redirect(url_for(".thread", thread_id=thread.id, page=page,
                                    read=read if read in LANGUAGES else None,
                                    _anchor=f"p{first.id}"))  # fmt: skip
    # Seen: what this thread told the reader is read now (before the page counts the unread).
    notify.mark_thread_seen(current_user, thread)
    pagination = existing_page(queries.thread_posts(thread, page_arg(), per_page))
    can_reply = access.can_reply(current_user, thread)
    # The reply form only for those who may reply: building it was 7 % of the page (issue 14).
    form = ReplyForm(language=thread.language) if can_reply else None
    page = render_template(
        "forum/thread.html",
        thread=thread,
        pagination=pagination,
        form=form,
        can_reply=can_reply,
        moderation_acts=queries.thread_moderation_acts(thread),
        debate=thread_page.context(thread, pagination.items, form, request.args, pagination.page),
    )
    # ... and its posts on this page, once they are rendered: marking commits, a commit expires
    # every row loaded, and a page rendered after it read each post again (issue 14).
    reading.mark_seen(current_user, thread, pagination.items)
    return page


@bp.route("/t/<int:thread_id>/reply", methods=["POST"])
@login_required
def reply(thread_id):
    """Add a reply to a thread."""
    thread = _thread_or_404(thread_id)
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            post = debate_posts.reply(
                current_user,
                thread,
                form.body.data,
                form.language.data,
                reply_to=form.reply_to.data,
                quotes=form.quote_pairs(),
            )
        except Invalid as error:
            attach_error(form, error)
        except Refused as refused:
            # Locked, read-only account or slow mode: say why and keep what was typed.
            form.form_errors.append(str(refused.message))
        else:
            return redirect(url_for(".permalink", post_id=post.id))
    # Show the last page again with the form and its messages; nothing typed is lost.
    per_page = current_app.config["POSTS_PER_PAGE"]
    last_page = max(1, -(-(thread.reply_count + 1) // per_page))
    pagination = queries.thread_posts(thread, last_page, per_page)
    return render_template(
        "forum/thread.html",
        thread=thread,
        pagination=pagination,
        form=form,
        can_reply=access.can_reply(current_user, thread),
        moderation_acts=queries.thread_moderation_acts(thread),
        debate=thread_page.context(thread, pagination.items, None, {}, pagination.page),
    ), 400


@bp.route("/p/<int:post_id>")
def permalink(post_id):
    """The permanent address of a post: the page of its thread where it stands.

    A hidden post keeps its address; it leads to the placeholder shown in its place. `?read=de`
    carries on to the thread page, which then shows the German translations (a search hit in a
    translation links so).
    """
    post = db.session.get(Post, post_id)
    if post is None:
        abort(404)
    page = queries.page_of_post(post, current_app.config["POSTS_PER_PAGE"])
    read = request.args.get("read")
    read = read if read in LANGUAGES else None
    return redirect(thread_url(post.thread, page=page, anchor=f"p{post.id}", read=read))


@bp.route("/p/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit(post_id):
    """Edit one's own post; the previous version is kept."""
    post = queries.visible_post(current_user, post_id)
    if post is None or not access.can_edit_post(current_user, post):
        abort(404)
    opening = posting.is_opening_post(post)
    form = EditForm(obj=post, title=post.thread.title if opening else "")
    if request.method == "GET":
        form.body.data = post.body_source
    if form.validate_on_submit():
        try:
            posting.edit_post(
                current_user,
                post,
                form.body.data,
                form.language.data,
                title=form.title.data if opening else None,
                reason=form.reason.data,
            )
        except Invalid as error:
            attach_error(form, error)
        except Refused:
            abort(404)
        else:
            flash(_("Your changes were saved; the earlier version is kept."), "success")
            return redirect(url_for(".permalink", post_id=post.id))
    return render_template("forum/edit.html", post=post, form=form, opening=opening)


@bp.route("/p/<int:post_id>/history")
def history(post_id):
    """Every earlier version of a post, newest first."""
    post = queries.post_with_revisions(post_id)
    if post is None or not access.can_view_post(current_user, post):
        abort(404)
    # Oldest first: each version with the word-level changes from the one before it.
    versions = [*post.revisions, post]
    changes = {
        id(newer): word_diff(older.body_source, newer.body_source)
        for older, newer in zip(versions, versions[1:], strict=False)
    }
    return render_template(
        "forum/history.html", post=post, changes=lambda version: changes.get(id(version))
    )


# Links a thread page makes once per post (50 on a page). url_for was a fifth of the page's time
# (issue 14): a post's permanent link and an author's profile link are each built from one
# url_for per request (a page has up to 50 authors: one url_for each was 7 % of the page).
_SAMPLE_ID = 2**31 - 1


def post_link(post_id):
    """The permanent link of a post, `url_for('forum.permalink', post_id=post_id)`."""
    pattern = g.get("tribune_post_link")
    if pattern is None:
        sample = url_for("forum.permalink", post_id=_SAMPLE_ID)
        head, _sample, tail = sample.rpartition(str(_SAMPLE_ID))
        pattern = g.tribune_post_link = (head, tail)
    return f"{pattern[0]}{int(post_id)}{pattern[1]}"


# How werkzeug's default (string) converter writes a path segment: url_for's own quoting, so a
# profile link built here is the link url_for builds (tests/web compares them on hostile names).
_SEGMENT_SAFE = "!$&'()*+,/:;=@"


def profile_link(username):
    """`url_for('accounts.profile', username=username)`, from one url_for per request."""
    pattern = g.get("tribune_profile_link")
    if pattern is None:
        sample = url_for("accounts.profile", username="_")
        head, _sample, tail = sample.rpartition("_")
        pattern = g.tribune_profile_link = (head, tail)
    return f"{pattern[0]}{quote(str(username), safe=_SEGMENT_SAFE)}{pattern[1]}"
