"""Which writes change what search shows, noticed in the same transaction as the write.

A `before_flush` listener looks at what a session is about to write; whatever touches what search
holds or filters by (a post's text or visibility, a thread's title, section or lock, a
translation, an account's name, a co-signature, ...) becomes a `Change`, and after the flush (ids
known, still inside the transaction) the application's search backend is handed the changes:
the PostgreSQL backend derives the posts' search rows there and then, the Whoosh backend writes
change-log rows for its indexer. Either way the change and what search makes of it commit or roll
back together, and services need not remember to call anything, so no write path can forget.

The backend is found through the engine the session is bound to (`register`), so sessions
without a Tribune application behind them (Alembic's, a bare script's) are left alone.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

from sqlalchemy import event, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tribune.models import Association, PaperSignature, Post, Section, Thread, Translation, User

# For each model: the kind of change and the attributes that matter to search. A change to any
# other attribute (counters, timestamps of activity, session tokens) is no change to search.
WATCHED: dict[type, tuple[str, frozenset[str]]] = {
    Post: (
        "post",
        frozenset({"body_source", "language", "is_hidden", "thread_id", "author_id", "created_at"}),
    ),
    Thread: (
        "thread",
        frozenset({"title", "section_id", "kind", "is_hidden", "merged_into_id", "author_id"}),
    ),
    Translation: ("translation", frozenset({"body_source", "title", "language", "post_id"})),
    User: (
        "user",
        frozenset({"username", "display_name", "is_disabled", "is_placeholder", "deleted_at"}),
    ),
    Section: ("section", frozenset({"slug", "area", "title"})),
    Association: ("association", frozenset({"slug", "name"})),
    # A paper's co-signing associations are what the association: filter finds.
    PaperSignature: ("signature", frozenset({"withdrawn_at", "association_id", "thread_id"})),
}

_PENDING = "tribune.search.pending"
_CHANGED = "tribune.search.changed"
_BACKENDS: weakref.WeakKeyDictionary[Engine, object] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Change:
    """One object whose searchable side changed in a flush.

    `attributes` are the watched ones that changed (all of them when the object is new or
    deleted). `refs` name what the object hangs on: a post's thread (and the thread it left, on a
    move), a translation's post, a signature's thread."""

    kind: str
    object_id: int
    attributes: frozenset[str]
    created: bool = False
    deleted: bool = False
    refs: dict[str, tuple[int, ...]] = field(default_factory=dict)


def register(engine: Engine, backend) -> None:
    """Hand the changes of every session bound to `engine` to `backend`."""
    _BACKENDS[engine] = backend


def backend_of(session: Session):
    """The search backend of the application `session` belongs to, or None."""
    try:
        bind = session.get_bind()
    except Exception:  # an unbound session (never Tribune's own)
        return None
    return _BACKENDS.get(getattr(bind, "engine", bind))


def _rule_for(obj) -> tuple[str, frozenset[str]] | None:
    for model, rule in WATCHED.items():
        if isinstance(obj, model):
            return rule
    return None


def _changed_attributes(obj, attributes: frozenset[str]) -> frozenset[str]:
    state = inspect(obj)
    changed = {name for name in attributes if state.attrs[name].history.has_changes()}
    # `thread.section = other` changes section_id only during the flush, after this listener
    # ran: a many-to-one relationship over a watched key column counts as that column.
    for relation in state.mapper.relationships:
        if relation.direction.name != "MANYTOONE":
            continue
        keys = {state.mapper.get_property_by_column(c).key for c in relation.local_columns}
        if keys & attributes and state.attrs[relation.key].history.has_changes():
            changed |= keys & attributes
    return frozenset(changed)


def _previous_threads(session: Session, posts) -> dict[int, tuple[int, ...]]:
    """{id(post): the thread it was in before this flush} for moved posts. A post moved after
    a commit expired it keeps no old value in memory: the rows, not yet flushed, still hold
    them, read in one statement however many posts move (a merge moves a whole thread)."""
    found: dict[int, tuple[int, ...]] = {}
    unknown: dict[int, object] = {}
    for post in posts:
        history = inspect(post).attrs["thread_id"].history
        old = tuple(value for value in history.deleted if value is not None)
        key = inspect(post).identity
        if old or key is None:
            found[id(post)] = old
        else:
            unknown[key[0]] = post
    if unknown:
        # The session's connection, not a query: a query would autoflush inside this flush.
        rows = session.connection().execute(
            select(Post.id, Post.thread_id).where(Post.id.in_(sorted(unknown)))
        )
        for post_id, thread_id in rows:
            found[id(unknown[post_id])] = () if thread_id is None else (thread_id,)
    return found


@event.listens_for(Session, "before_flush")
def _collect(session, flush_context, instances):
    if backend_of(session) is None:
        return
    pending = []
    for obj in (*session.new, *session.dirty, *session.deleted):
        rule = _rule_for(obj)
        if rule is None:
            continue
        kind, attributes = rule
        created, deleted = obj in session.new, obj in session.deleted
        changed = attributes if created or deleted else _changed_attributes(obj, attributes)
        if not changed:
            continue
        pending.append((obj, kind, changed, created, deleted, {}))
    moved = [
        obj
        for obj, kind, changed, created, _deleted, _previous in pending
        if kind == "post" and "thread_id" in changed and not created
    ]
    if moved:
        threads = _previous_threads(session, moved)
        for obj, _kind, _changed, _created, _deleted, previous in pending:
            if id(obj) in threads:
                previous["thread_id"] = threads[id(obj)]
    if pending:
        # New objects have no id before the flush: they are turned into changes after it.
        session.info.setdefault(_PENDING, []).extend(pending)


def _refs(obj, kind: str, previous: dict) -> dict[str, tuple[int, ...]]:
    if kind == "post":
        threads = {obj.thread_id, *previous.get("thread_id", ())} - {None}
        return {"thread": tuple(sorted(threads))}
    if kind == "translation":
        return {"post": (obj.post_id,)}
    if kind == "signature":
        return {"thread": (obj.thread_id,)}
    return {}


@event.listens_for(Session, "after_flush")
def _hand_over(session, flush_context):
    pending = session.info.pop(_PENDING, None)
    backend = backend_of(session)
    if not pending or backend is None:
        return
    changes = [
        Change(kind, obj.id, changed, created, deleted, _refs(obj, kind, previous))
        for obj, kind, changed, created, deleted, previous in pending
        if obj.id is not None
    ]
    if changes:
        backend.changed(session, changes)
        session.info[_CHANGED] = True


def changed_in_sql(session: Session, obj, attributes) -> None:
    """Tell search that an SQL statement the ORM did not see (a bulk UPDATE of counters and
    state) changed these watched `attributes` of `obj`, in the session's transaction."""
    backend = backend_of(session)
    rule = _rule_for(obj)
    if backend is None or rule is None:
        return
    kind, watched = rule
    changed = frozenset(attributes) & watched
    if changed:
        backend.changed(session, [Change(kind, obj.id, changed)])
        session.info[_CHANGED] = True


def take_committed(session: Session) -> bool:
    """Whether the transaction `session` just committed changed anything search holds (asked
    once per commit: the answer is forgotten)."""
    return session.info.pop(_CHANGED, False)


@event.listens_for(Session, "after_rollback")
def _forget(session):
    session.info.pop(_PENDING, None)
    session.info.pop(_CHANGED, None)
