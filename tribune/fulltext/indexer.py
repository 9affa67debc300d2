"""Bring the index up to date with the database: apply the change log, or rebuild from scratch.

The change log (`search_changes`, written in the same transaction as every searchable change by
services/changes.py) is applied in id order, a batch per whoosh commit. Each change is resolved by
reading the database again — a row only says *what* changed — into the posts whose documents
must be replaced or deleted. `search_state.last_change_id` moves only after whoosh has committed,
so a crash between the two re-applies the batch, which is harmless: replacing a document by its
post id is idempotent.

Every writer holds the store's lock (store.WriterLock). The indexer uses its own database session,
so it never disturbs the request's session that triggered it.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tribune.fulltext import documents
from tribune.fulltext.codec import CODEC
from tribune.fulltext.store import IndexStore
from tribune.models import Post, SearchChange, SearchState, Thread
from tribune.models.base import utcnow

log = logging.getLogger(__name__)

STATE_NAME = "main"
BATCH_SIZE = 500
# Megabytes whoosh may use to pool postings before spilling sorted runs to disk. Whoosh's default
# (128 per writer, and per process with procs>1) peaked at 1.3 GB RSS in LIBRARIES.md's bulk
# test because Python objects weigh several times the pooled bytes; bench/ measures ours.
LIMITMB_INCREMENTAL = 64
LIMITMB_REBUILD = 256
# Every writer (here and bulk.py's) writes segments as separate files, never as whoosh's default
# compound file: a searcher opens a compound segment by copying each of its files into memory
# (BytesIO), which at 100k posts cost 220 MB and 350 ms per new searcher, i.e. after every
# commit. Separate files are read in place.
COMPOUND_SEGMENTS = False
# On PostgreSQL a sequence hands out ids before commit, so a transaction that commits late leaves
# a temporary hole below ids already visible. The indexer waits this long for a hole to fill
# before treating it as a rolled-back transaction. (SQLite serializes writers: no such holes.)
GAP_GRACE = timedelta(seconds=10)


@dataclass
class Applied:
    """What one `apply_pending` call did."""

    changes: int = 0
    posts: int = 0
    last_id: int = 0
    waiting_for_gap: bool = False


# The state row


def last_applied(session: Session) -> int | None:
    """The id of the last change the index holds, or None if no index was ever built."""
    state = session.get(SearchState, STATE_NAME)
    return None if state is None else state.last_change_id


def newest_change_id(session: Session) -> int:
    """The id of the newest change row (0 if none)."""
    return session.scalar(select(func.coalesce(func.max(SearchChange.id), 0))) or 0


def record_applied(session: Session, change_id: int) -> None:
    state = session.get(SearchState, STATE_NAME)
    if state is None:
        session.add(SearchState(name=STATE_NAME, last_change_id=change_id, updated_at=utcnow()))
    else:
        state.last_change_id = change_id
        state.updated_at = utcnow()
    session.commit()


def has_pending(session: Session) -> bool:
    """Whether some change is newer than the last one applied."""
    last = last_applied(session) or 0
    newer = select(SearchChange.id).where(SearchChange.id > last).limit(1)
    return session.scalar(newer) is not None


# Resolving changes into posts


def _posts_of(session: Session, kind: str, object_id: int, depth: int = 0) -> set[int]:
    if kind == "post":
        return {object_id}
    if kind == "thread":
        query = select(Post.id).where(Post.thread_id == object_id)
    elif kind == "user":
        query = select(Post.id).where(Post.author_id == object_id)
    elif kind == "section":
        query = select(Post.id).join(Post.thread).where(Thread.section_id == object_id)
    elif kind == "association":
        signature = documents.signature_model()
        if signature is None:
            return set()
        query = (
            select(Post.id)
            .join(signature, signature.thread_id == Post.thread_id)
            .where(signature.association_id == object_id)
        )
    else:
        return _extra_kind(session, kind, object_id, depth)
    return set(session.scalars(query))


def _extra_kind(session: Session, kind: str, object_id: int, depth: int) -> set[int]:
    # Kinds registered with changes.watch() on a model without search_target() keep their own
    # name; ask the object where it belongs now.
    from tribune.services import changes

    for model, (watched_kind, _attributes) in changes.EXTRA_WATCHED.items():
        if watched_kind != kind:
            continue
        obj = session.get(model, object_id)
        if obj is None or depth >= 3:
            return set()
        if hasattr(obj, "search_target"):
            target_kind, target_id = obj.search_target()
        elif getattr(obj, "thread_id", None) is not None:  # e.g. a paper's signature
            target_kind, target_id = "thread", obj.thread_id
        elif getattr(obj, "post_id", None) is not None:
            target_kind, target_id = "post", obj.post_id
        else:
            return set()
        return _posts_of(session, target_kind, target_id, depth + 1) if target_id else set()
    log.warning("search change of unknown kind %r (id %s) skipped", kind, object_id)
    return set()


def _next_changes(session: Session, after: int, limit: int) -> tuple[list[SearchChange], bool]:
    """The next changes to apply in id order, stopping before a young hole (see GAP_GRACE)."""
    rows = session.scalars(
        select(SearchChange).where(SearchChange.id > after).order_by(SearchChange.id).limit(limit)
    ).all()
    if session.get_bind().dialect.name == "sqlite":
        return list(rows), False
    ready: list[SearchChange] = []
    expected = after + 1
    now = utcnow()
    for row in rows:
        if row.id != expected and now - row.created_at < GAP_GRACE:
            return ready, True
        ready.append(row)
        expected = row.id + 1
    return ready, False


# Writing


def _never_indexed(session: Session, post_ids, after: int | None) -> set[int]:
    """Posts first logged after change `after`: no index generation can hold them yet.

    Replacing a document makes whoosh open a reader over the whole index to find the old one
    (measured: ~0.2 s per commit at 100k posts); a brand-new post only needs adding. A rebuild's
    catch-up passes after=None: its snapshot may already hold newer posts, so it replaces.
    """
    if after is None or not post_ids:
        return set()
    ids = sorted(post_ids)
    fresh: set[int] = set()
    for start in range(0, len(ids), documents.CHUNK):
        fresh.update(
            session.scalars(
                select(SearchChange.object_id)
                .where(
                    SearchChange.kind == "post",
                    SearchChange.object_id.in_(ids[start : start + documents.CHUNK]),
                )
                .group_by(SearchChange.object_id)
                .having(func.min(SearchChange.id) > after)
            )
        )
    return fresh


def _intent_path(ix) -> Path:
    return Path(ix.storage.folder) / "applying"


def _intent(ix) -> int:
    """The highest change id a batch was ever about to commit into this index generation."""
    try:
        return int(_intent_path(ix).read_text(encoding="ascii").strip() or 0)
    except (FileNotFoundError, ValueError):
        return 0


def _set_intent(ix, change_id: int) -> None:
    # Written before whoosh commits, so after a crash between whoosh's commit and the state
    # update, posts logged up to here are replaced (not added twice) when the batch reruns.
    if change_id <= _intent(ix):
        return
    path = _intent_path(ix)
    temporary = path.with_suffix(".tmp")
    with open(temporary, "w", encoding="ascii") as handle:
        handle.write(str(change_id))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _write(
    ix,
    session: Session,
    post_ids: set[int],
    after: int | None = None,
    limitmb: int = LIMITMB_INCREMENTAL,
) -> int:
    """Add, replace or delete the documents of these posts in one whoosh commit."""
    visible = documents.load_sources(session, post_ids)
    fresh = _never_indexed(session, post_ids, after)
    writer = ix.writer(limitmb=limitmb, compound=COMPOUND_SEGMENTS, codec=CODEC)
    try:
        sources = [visible[post_id] for post_id in sorted(visible)]
        for start in range(0, len(sources), documents.CHUNK):
            for doc in documents.documents(session, sources[start : start + documents.CHUNK]):
                if int(doc["post_id"]) in fresh:
                    writer.add_document(**doc)
                else:
                    writer.update_document(**doc)
        for post_id in post_ids - visible.keys() - fresh:
            writer.delete_by_term("post_id", str(post_id))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return len(post_ids)


def apply_changes(
    ix,
    session: Session,
    after: int,
    batch_size: int = BATCH_SIZE,
    deadline: float | None = None,
    record: bool = True,
) -> Applied:
    """Apply the changes after id `after` to `ix`, recording each batch once whoosh committed.

    The caller holds the writer lock. Stops when caught up, at a young hole, or past `deadline`
    (a time.monotonic() value) between batches. `record=False` leaves search_state alone: the
    index being written is not served yet (rebuild records once it has swapped).
    """
    result = Applied(last_id=after)
    while deadline is None or time.monotonic() < deadline:
        rows, waiting = _next_changes(session, result.last_id, batch_size)
        result.waiting_for_gap = waiting
        if not rows:
            break
        post_ids: set[int] = set()
        for row in rows:
            post_ids |= _posts_of(session, row.kind, row.object_id)
        last_id = rows[-1].id
        session.rollback()  # end the read transaction; whoosh may take a while
        # Only the served index can tell new posts by the log (see _never_indexed), and only
        # past what an interrupted earlier attempt may already have written (the marker).
        threshold = max(result.last_id, _intent(ix)) if record else None
        _set_intent(ix, last_id)
        result.posts += _write(ix, session, post_ids, threshold)
        if record:
            record_applied(session, last_id)
        result.changes += len(rows)
        result.last_id = last_id
        session.expunge_all()
        if waiting:
            break
    return result


def apply_pending(
    store: IndexStore, session: Session, batch_size: int = BATCH_SIZE, budget: float | None = None
) -> Applied:
    """Apply what is pending to the current index. The caller holds the writer lock.

    A missing index is created only if none was ever built (a fresh install: the change log
    then holds the whole history); once built, a missing or damaged one raises IndexUnavailable
    and waits for `flask search rebuild`, which rebuilds it from the database itself.
    """
    after = last_applied(session)
    if after is None and not store.exists():
        name, _ix = store.create_generation()
        store.swap(name)
        after = 0
    ix = store.open_current()
    deadline = None if budget is None else time.monotonic() + budget
    try:
        return apply_changes(ix, session, after or 0, batch_size, deadline)
    finally:
        ix.close()


def catch_up(
    store: IndexStore,
    session_factory,
    wait: float = 0.0,
    batch_size: int = BATCH_SIZE,
    budget: float | None = None,
) -> Applied | None:
    """Take the lock (waiting up to `wait` s) and apply pending changes; None if it was busy.

    After releasing, look once more: a process that committed while we held the lock found it
    taken and left its change to us. Whoever holds the lock last therefore sees every change
    committed before its final look.
    """
    total = Applied()
    lock = store.writer_lock()
    while True:
        with lock.held(wait) as taken:
            if not taken:
                return total if total.changes else None
            with session_factory() as session:
                result = apply_pending(store, session, batch_size, budget)
        total.changes += result.changes
        total.posts += result.posts
        total.last_id = result.last_id
        total.waiting_for_gap = result.waiting_for_gap
        if result.waiting_for_gap or result.changes == 0:
            return total
        with session_factory() as session:
            if not has_pending(session):
                return total
