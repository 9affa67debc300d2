"""Opening threads, replying and editing: every change to what participants wrote."""

from flask import current_app
from sqlalchemy import func, select

from tribune import access
from tribune.extensions import db
from tribune.i18n import lazy_gettext as _l
from tribune.models import LANGUAGES, THREAD_KINDS, Post, PostRevision, Section, Thread
from tribune.models.base import utcnow
from tribune.services import Invalid, NotFound, Refused, accounts, counters, notify, thread_days
from tribune.services.names import refuse_direction_controls
from tribune.services.rendering import render_post
from tribune.services.transaction import transaction


def clean_title(title):
    """A thread title as stored: one line, no direction controls, 3 to MAX_TITLE_LENGTH
    characters; Invalid on the `title` field otherwise (moderators' retitling uses it too)."""
    title = refuse_direction_controls(" ".join((title or "").split()), "title")
    limit = current_app.config["MAX_TITLE_LENGTH"]
    if len(title) < 3:
        raise Invalid(_l("The title needs at least 3 characters."), field="title")
    if len(title) > limit:
        raise Invalid(_l("The title can have at most %(n)d characters.", n=limit), field="title")
    return title


def _clean_body(body):
    body = (body or "").replace("\r\n", "\n").strip()
    limit = current_app.config["MAX_BODY_LENGTH"]
    if len(body) < 2:
        raise Invalid(_l("Write something first."), field="body")
    if len(body) > limit:
        raise Invalid(_l("A post can have at most %(n)d characters.", n=limit), field="body")
    return body


def _clean_language(language):
    if language not in LANGUAGES:
        raise Invalid(_l("Choose one of the offered languages."), field="language")
    return language


def _extend(extend, *objects):
    """Let a feature attach its rows (a paper's fields, an action's time, quotes) to what was
    just written, in the same transaction; nothing is kept if it fails (@transaction)."""
    if extend is not None:
        extend(*objects)


@transaction
def open_thread(actor, section, title, body, language="fa", kind="discussion", extend=None):
    """Open a thread in a section with its first post; `extend(thread, post)` runs before commit."""
    if not access.can_open_thread(actor, section):
        raise NotFound()
    if kind not in THREAD_KINDS:
        raise Invalid(_l("Unknown kind of thread."), field="kind")
    accounts.check_posting_limits(actor, opening_thread=True)
    now = utcnow()
    thread = Thread(
        section=section,
        author=actor,
        title=clean_title(title),
        kind=kind,
        language=_clean_language(language),
        created_at=now,
        last_post_at=now,
    )
    post = _new_post(actor, thread, body, language, now)
    counters.add(section, Section.thread_count)
    db.session.add_all([thread, post])
    db.session.flush()
    thread.last_post_id = post.id
    thread_days.count_opened(thread)
    accounts.touch_posting(actor)
    _extend(extend, thread, post)
    _notify(actor, post, opening=True)
    db.session.commit()
    return thread


@transaction
def reply(actor, thread, body, language="fa", extend=None):
    """Add a reply at the end of a thread; `extend(post)` runs before the commit."""
    if not access.can_view_thread(actor, thread):
        raise NotFound()
    if not access.can_reply(actor, thread):
        raise Refused(access.write_refusal(actor) or _l("This thread is closed to new replies."))
    wait = access.slow_mode_wait(actor, thread)
    if wait:
        # Slow mode (set by moderation): a clear answer, and the typed reply is kept by the view.
        raise Refused(
            _l("Slow mode: you can reply here again in %(n)d minute(s).", n=-(-wait // 60))
        )
    accounts.check_posting_limits(actor, opening_thread=False)
    now = utcnow()
    post = _new_post(actor, thread, body, language, now)
    db.session.add(post)
    db.session.flush()
    # In SQL, so that replies written at the same moment all count (services/counters.py).
    counters.add_reply(thread, post)
    accounts.touch_posting(actor)
    _extend(extend, post)
    _notify(actor, post, opening=False)
    db.session.commit()
    return post


def _notify(actor, post, opening):
    # In the post's transaction: the post and whom it tells are written together.
    notify.post_written(actor, post, opening)


EDIT_REASON_LIMIT = 300


@transaction
def edit_post(actor, post, body, language, title=None, reason=""):
    """Change a post, keeping the previous version as a revision; `reason` (optional, public)
    says why."""
    if not access.can_view_post(actor, post):
        raise NotFound()
    if not access.can_edit_post(actor, post):
        raise Refused(_l("You can no longer edit this post."))
    body = _clean_body(body)
    language = _clean_language(language)
    opening = is_opening_post(post)
    new_title = clean_title(title) if opening and title is not None else None
    reason = refuse_direction_controls(" ".join((reason or "").split()), "reason")
    if len(reason) > EDIT_REASON_LIMIT:
        raise Invalid(_l("The reason can have at most %(n)d characters.", n=EDIT_REASON_LIMIT),
                      field="reason")  # fmt: skip
    thread = post.thread
    if (
        body == post.body_source
        and language == post.language
        and (new_title is None or new_title == thread.title)
    ):
        return post
    now = utcnow()
    # Count the revision in SQL first: that locks the post, and the fresh row read back names
    # this revision and holds the version it replaces, even if another edit just committed.
    counters.add(post, Post.revision_count)
    db.session.flush()
    db.session.refresh(post)
    db.session.add(
        PostRevision(
            post=post,
            number=post.revision_count,
            title=thread.title if opening else None,
            body_source=post.body_source,
            body_html=post.body_html,
            language=post.language,
            edit_reason=post.edit_reason or "",
            written_at=post.edited_at or post.created_at,
            replaced_at=now,
            replaced_by_id=actor.id,
        )
    )
    previous_source = post.body_source
    post.body_source = body
    post.body_html = render_post(body)
    post.language = language
    post.edited_at = now
    post.edit_reason = reason
    if new_title is not None:
        thread.title = new_title
    if opening:
        thread.language = language
    notify.post_edited(actor, post, previous_source)
    db.session.commit()
    return post


def is_opening_post(post):
    """Whether the post opened its thread (the lowest id in it)."""
    first_id = db.session.scalar(select(func.min(Post.id)).where(Post.thread_id == post.thread_id))
    return first_id == post.id


def _new_post(actor, thread, body, language, now):
    body = _clean_body(body)
    return Post(
        thread=thread,
        author=actor,
        body_source=body,
        body_html=render_post(body),
        language=_clean_language(language),
        created_at=now,
    )
