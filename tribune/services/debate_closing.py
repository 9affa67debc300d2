"""Closing a debate with a written synthesis, and reopening it; every event is kept.

A closed thread is read-only (access.is_closed): no replies, edits, translations or signatures,
for moderators too. Nothing is removed, and reopening is recorded with its reason.

A moderator closing or reopening someone else's debate acts as moderator: the act also goes to
the public moderation log, under their term, in the same transaction. The author closing their
own debate is not moderation and is only in the thread's closure history.
"""

from sqlalchemy import select

from tribune import access
from tribune.extensions import db
from tribune.i18n import lazy_gettext as _l
from tribune.models import ClosureEvent, Thread
from tribune.models.base import utcnow
from tribune.services import Invalid, NotFound, Refused, counters, notify
from tribune.services.debate import clean_text
from tribune.services.moderation import MAX_REASON_LENGTH
from tribune.services.moderation_log import record
from tribune.services.transaction import act
from tribune.text import markup

REASON_LIMIT = 2000


def _log_as_moderation(actor, thread, action, reason, event):
    """Log the act if `actor` used a moderator's power (it is not their own thread)."""
    if access.is_own_thread(actor, thread):
        return
    term = access.current_term(actor)
    if term is None:  # pragma: no cover - access.can_* let only authors or moderators through
        raise NotFound()
    db.session.flush()  # the event's id, for the log entry's details
    if len(reason) > MAX_REASON_LENGTH:
        reason = reason[: MAX_REASON_LENGTH - 1].rstrip() + "…"
    record(actor, term, action, "thread", thread.id, reason, thread=thread,
           section=thread.section, details={"closure_event": event.id})  # fmt: skip


def history(thread):
    """Every close and reopen event of the thread, oldest first (no query if there are none)."""
    if not thread.closure_count:
        return []
    return db.session.scalars(
        select(ClosureEvent).where(ClosureEvent.thread_id == thread.id).order_by(ClosureEvent.id)
    ).all()


def current_closing(thread, events=None):
    """The close event in force, or None when the thread is open."""
    if not access.is_closed(thread):
        return None
    events = history(thread) if events is None else events
    closes = [event for event in events if event.kind == "close"]
    return closes[-1] if closes else None


@act
def close(actor, thread, agreed, disputed):
    """Close a debate with a synthesis: what was agreed and what remains disputed."""
    if thread is None or not access.can_view_thread(actor, thread):
        raise NotFound()
    if access.is_closed(thread):
        raise Refused(_l("This debate is already closed."))
    if not access.can_close_debate(actor, thread):
        raise NotFound()
    agreed = clean_text(agreed, "agreed", required=False)
    disputed = clean_text(disputed, "disputed", required=False)
    if not agreed and not disputed:
        raise Invalid(_l("Write what was agreed, what remains disputed, or both."), field="agreed")
    now = utcnow()
    event = ClosureEvent(
        thread=thread,
        kind="close",
        actor_id=actor.id,
        agreed_source=agreed,
        agreed_html=markup.render(agreed) if agreed else "",
        disputed_source=disputed,
        disputed_html=markup.render(disputed) if disputed else "",
        created_at=now,
    )
    db.session.add(event)
    thread.closed_at = now
    counters.add(thread, Thread.closure_count)
    _log_as_moderation(actor, thread, "thread.close", agreed or disputed, event)
    notify.debate_closed(actor, thread, event)
    db.session.commit()
    return event


@act
def reopen(actor, thread, reason):
    """Reopen a closed debate, saying why; its synthesis stays in the history."""
    if thread is None or not access.can_view_thread(actor, thread):
        raise NotFound()
    if not access.is_closed(thread):
        raise Refused(_l("This debate is open."))
    if not access.can_reopen_debate(actor, thread, current_closing(thread)):
        raise NotFound()
    reason = clean_text(reason, "reason", minimum=3, limit=REASON_LIMIT)
    event = ClosureEvent(
        thread=thread, kind="reopen", actor_id=actor.id, reason=reason, created_at=utcnow()
    )
    db.session.add(event)
    thread.closed_at = None
    counters.add(thread, Thread.closure_count)
    _log_as_moderation(actor, thread, "thread.reopen", reason, event)
    db.session.commit()
    return event
