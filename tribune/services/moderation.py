"""Moderation acts on posts and threads: check -> change -> log -> commit, one commit per act.

Every act needs a moderator term in force (access.current_term) and a written reason, and writes
exactly one log entry through moderation_log.record in the same transaction. Nothing is deleted:
hiding keeps the text, merging and splitting move posts with their ids, and the log keeps what
is needed to undo an act. Counters that readers see (reply counts, last posts, section thread
counts) are recomputed from visible posts after every act, so "hidden means hidden" holds there.
"""

from sqlalchemy import func, select

from tribune import access
from tribune.extensions import db
from tribune.fulltext import tracking
from tribune.i18n import lazy_gettext as _l
from tribune.models import AREAS, Post, Report, Section, Thread
from tribune.models.base import utcnow
from tribune.services import Invalid, NotFound, Refused, counters, thread_days
from tribune.services.moderation_log import record
from tribune.services.posting import clean_title
from tribune.services.transaction import act

MAX_REASON_LENGTH = 1000
# Slow-mode intervals offered to moderators, in seconds (0 turns slow mode off).
SLOW_MODE_CHOICES = (0, 60, 300, 900, 3600, 21600, 86400)


def acting_term(actor):
    """The term under which `actor` acts now; NotFound for anyone without one."""
    term = access.current_term(actor)
    if term is None:
        raise NotFound()
    return term


def clean_reason(reason, field="reason"):
    """A stated reason: required, a few words at least, bounded."""
    reason = " ".join((reason or "").split())
    if len(reason) < 3:
        raise Invalid(_l("Give the reason, in a few words; it is published."), field=field)
    if len(reason) > MAX_REASON_LENGTH:
        raise Invalid(
            _l("The reason can have at most %(n)d characters.", n=MAX_REASON_LENGTH), field=field
        )
    return reason


def opening_post_id(thread):
    """The id of the post that opened the thread (its lowest), or None for an emptied thread."""
    return db.session.scalar(select(func.min(Post.id)).where(Post.thread_id == thread.id))


def recount_thread(thread):
    """Recompute what readers see of a thread from its visible posts: hidden state (that of the
    opening post), reply count and last post. Tells search if visibility changed."""
    was_hidden = thread.is_hidden
    counters.recount(thread, counters.VISIBLE_POST_VALUES)
    if thread.is_hidden != was_hidden:
        # The recount is one SQL UPDATE the ORM does not see: tell search itself.
        tracking.changed_in_sql(db.session, thread, {"is_hidden"})


def recount_section(section):
    """A section's thread count and its archive days: the threads a reader sees listed there."""
    counters.recount(section, counters.SECTION_VALUES)
    thread_days.recount(section)


def close_reports(post_ids, actor, note):
    """Resolve the open reports on these posts (an act on the posts answers them). Ids closed."""
    if not post_ids:
        return []
    reports = db.session.scalars(
        select(Report).where(Report.post_id.in_(post_ids), Report.state == "open")
    ).all()
    now = utcnow()
    for report in reports:
        report.state = "resolved"
        report.handled_by_id = actor.id
        report.handled_at = now
        report.resolution_note = note
    return [report.id for report in reports]


@act
def hide_post(actor, post, reason):
    """Hide a post: readers see "hidden by moderation: reason"; the text is kept."""
    return _set_hidden(actor, post, True, reason)


@act
def unhide_post(actor, post, reason):
    """Show a hidden post again."""
    return _set_hidden(actor, post, False, reason)


def _set_hidden(actor, post, hidden, reason):
    """Hiding and showing again, one act and its undo: the reports on a post close when it is
    hidden (the hiding answers them)."""
    term = acting_term(actor)
    reason = clean_reason(reason)
    if post.is_hidden == hidden:
        raise Refused(
            _l("This post is already hidden.") if hidden else _l("This post is not hidden.")
        )
    post.is_hidden = hidden
    post.hidden_reason = reason if hidden else ""
    closed = close_reports([post.id], actor, reason) if hidden else []
    thread = post.thread
    recount_thread(thread)
    recount_section(thread.section)
    details = {"reports_closed": closed} if closed else {}
    record(actor, term, "post.hide" if hidden else "post.unhide", "post", post.id, reason,
           thread=thread, section=thread.section, details=details)  # fmt: skip
    db.session.commit()
    return post


# (attribute, value it takes, log action, message when it already has that value)
THREAD_FLAGS = {
    "lock": ("is_locked", True, "thread.lock", _l("This thread is already locked.")),
    "unlock": ("is_locked", False, "thread.unlock", _l("This thread is not locked.")),
    "pin": ("is_pinned", True, "thread.pin", _l("This thread is already pinned.")),
    "unpin": ("is_pinned", False, "thread.unpin", _l("This thread is not pinned.")),
}


@act
def set_thread_flag(actor, thread, change, reason):
    """Lock, unlock, pin or unpin a thread (`change` is one of THREAD_FLAGS)."""
    term = acting_term(actor)
    if change not in THREAD_FLAGS:
        raise NotFound()
    attribute, value, action, already = THREAD_FLAGS[change]
    reason = clean_reason(reason)
    _require_not_merged(thread)
    if getattr(thread, attribute) == value:
        raise Refused(already)
    setattr(thread, attribute, value)
    record(actor, term, action, "thread", thread.id, reason, thread=thread,
           section=thread.section)
    db.session.commit()
    return thread


@act
def move_thread(actor, thread, section, reason):
    """Move a thread to another section, in the same space or across (agenda <-> tribune)."""
    term = acting_term(actor)
    reason = clean_reason(reason)
    _require_not_merged(thread)
    if section is None:
        raise Invalid(_l("Choose a section."), field="section")
    if section.id == thread.section_id:
        raise Invalid(_l("The thread is already in this section."), field="section")
    if section.is_archived:
        raise Invalid(_l("This section is archived; choose another."), field="section")
    if section.area not in areas_for(thread.kind):
        # docs/decisions/0402: a paper lives in the tribune, wherever else it is read.
        raise Invalid(
            _l("A position paper belongs in the tribune: choose a section of the tribune."),
            field="section",
        )
    source = thread.section
    place_thread(thread, section)
    recount_section(source)
    recount_section(section)
    details = {
        "from": f"{source.area}/{source.slug}",
        "to": f"{section.area}/{section.slug}",
    }
    record(actor, term, "thread.move", "thread", thread.id, reason, thread=thread,
           section=source, related_section=section, details=details)
    db.session.commit()
    return thread


def place_thread(thread, section):
    """Put a thread in another section, through the ORM so that search's tracking sees the
    change of section in this transaction (fulltext/tracking.py). The caller recounts both
    sections and logs the act: a moderator's move, or an administrator's merge of sections."""
    thread.section = section
    db.session.flush()


@act
def retitle_thread(actor, thread, title, reason):
    """Change a thread's title; the old one stays in the log."""
    term = acting_term(actor)
    reason = clean_reason(reason)
    _require_not_merged(thread)
    title = clean_title(title)
    if title == thread.title:
        raise Invalid(_l("This is already the title."), field="title")
    details = {"old": thread.title, "new": title}
    thread.title = title
    record(actor, term, "thread.retitle", "thread", thread.id, reason, thread=thread,
           section=thread.section, details=details)
    db.session.commit()
    return thread


@act
def set_slow_mode(actor, thread, seconds, reason):
    """Set the minimum interval between a participant's replies in a thread (0: off)."""
    term = acting_term(actor)
    reason = clean_reason(reason)
    _require_not_merged(thread)
    if seconds not in SLOW_MODE_CHOICES:
        raise Invalid(_l("Choose one of the offered intervals."), field="seconds")
    if seconds == (thread.slow_mode_seconds or 0):
        raise Invalid(_l("Slow mode is already set so."), field="seconds")
    details = {"old": thread.slow_mode_seconds or 0, "new": seconds}
    thread.slow_mode_seconds = seconds
    record(actor, term, "thread.slow_mode", "thread", thread.id, reason, thread=thread,
           section=thread.section, details=details)
    db.session.commit()
    return thread


@act
def merge_threads(actor, source, target, reason):
    """Move every post of `source` into `target` (the older thread), keeping post ids.

    Posts are ordered by id, so they interleave in the order they were written. The emptied
    thread stays, pointing to `target`: its address redirects there.
    """
    term = acting_term(actor)
    reason = clean_reason(reason)
    if target is None or target.id == source.id:
        raise Invalid(_l("Choose another thread to merge into."), field="target")
    _require_not_merged(source)
    if target.merged_into_id is not None:
        raise Invalid(_l("That thread was itself merged; choose the one it went to."),
                      field="target")
    if opening_post_id(target) > opening_post_id(source):
        raise Invalid(_l("Merge the newer thread into the older one."), field="target")
    posts = db.session.scalars(select(Post).where(Post.thread_id == source.id)).all()
    for post in posts:
        post.thread_id = target.id
    source.merged_into_id = target.id
    source.is_pinned = False
    db.session.flush()
    recount_thread(source)
    recount_thread(target)
    for section in {source.section, target.section}:
        recount_section(section)
    details = {"post_ids": [post.id for post in posts], "title": source.title}
    record(actor, term, "thread.merge", "thread", source.id, reason, thread=source,
           related_thread=target, section=source.section, related_section=target.section,
           details=details)
    db.session.commit()
    return target


@act
def split_thread(actor, thread, post_ids, title, section, reason):
    """Move selected replies, with their ids, into a new thread opened by the first of them."""
    term = acting_term(actor)
    reason = clean_reason(reason)
    _require_not_merged(thread)
    title = clean_title(title)
    section = section or thread.section
    ids = sorted({int(post_id) for post_id in post_ids or ()})
    if not ids:
        raise Invalid(_l("Select the replies to move."), field="posts")
    if ids[0] == opening_post_id(thread):
        raise Invalid(_l("The opening post stays in its thread."), field="posts")
    posts = db.session.scalars(
        select(Post).where(Post.id.in_(ids), Post.thread_id == thread.id).order_by(Post.id)
    ).all()
    if len(posts) != len(ids):
        raise Invalid(_l("Select replies of this thread only."), field="posts")
    first = posts[0]
    new = Thread(
        section=section,
        author=first.author,
        title=title,
        language=first.language,
        created_at=first.created_at,
        last_post_at=first.created_at,
    )
    db.session.add(new)
    db.session.flush()
    for post in posts:
        post.thread_id = new.id
    db.session.flush()
    recount_thread(thread)
    recount_thread(new)
    for concerned in {thread.section, section}:
        recount_section(concerned)
    details = {"post_ids": ids, "title": title}
    record(actor, term, "thread.split", "thread", thread.id, reason, thread=thread,
           related_thread=new, section=thread.section, related_section=section,
           details=details)
    db.session.commit()
    return new


def _require_not_merged(thread):
    if thread.merged_into_id is not None:
        raise Refused(_l("This thread was merged into another one."))


def areas_for(kind):
    """The spaces a thread of `kind` may live in: a position paper only in the tribune
    (docs/decisions/0402); discussions and actions in either."""
    return ("tribune",) if kind == "paper" else AREAS


def section_choices():
    """Every section one can post in, tribune first, for the move and split forms."""
    return db.session.scalars(
        select(Section)
        .where(Section.archived_at.is_(None))
        .order_by(Section.area.desc(), Section.position, Section.id)
    ).all()
