"""Rebuilding the index from the database, and telling how far it lags (`flask search ...`).

A rebuild writes a new generation beside the served one (store.py), then, holding the writer
lock, applies whatever the change log gained meanwhile and swaps it in. See indexer.py for the
change log itself.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tribune.fulltext import documents
from tribune.fulltext.indexer import (
    BATCH_SIZE,
    LIMITMB_REBUILD,
    apply_changes,
    last_applied,
    newest_change_id,
    record_applied,
)
from tribune.fulltext.store import IndexStore, IndexUnavailable
from tribune.models import SearchChange


@dataclass
class Status:
    """How far the index lags the database (`flask search status`)."""

    last_applied: int
    newest: int
    pending: int
    oldest_pending_at: datetime | None
    documents: int | None
    directory: str | None
    error: str | None = None


# Rebuilding


@dataclass
class Rebuilt:
    """What `rebuild` did."""

    posts: int
    up_to: int
    seconds: float
    directory: str
    applied_after: int


def rebuild(
    store: IndexStore,
    session_factory,
    batch_size: int = BATCH_SIZE,
    limitmb: int = LIMITMB_REBUILD,
    procs: int = 1,
    lock_wait: float = 300.0,
    progress=None,
) -> Rebuilt:
    """Build a fresh index from the database aside, swap it in, then apply what changed meanwhile.

    Search keeps answering from the current index (and the incremental indexer keeps updating
    it) until the swap. The newest change id is read *before* reading any post, so everything
    after it is applied to the new index under the lock just before the swap.
    """
    started = time.monotonic()
    with session_factory() as session:
        up_to = newest_change_id(session)
    name, ix = store.create_generation()
    count = 0
    try:
        writer = ix.writer(limitmb=limitmb, procs=procs, multisegment=procs > 1)
        try:
            with session_factory() as session:
                for posts in documents.iter_visible(session, batch_size):
                    for doc in documents.documents(session, posts):
                        writer.add_document(**doc)
                    count += len(posts)
                    if progress is not None:
                        progress(count)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        lock = store.writer_lock()
        if not lock.acquire(lock_wait):
            raise IndexUnavailable("the index writer lock stayed taken; rebuild not swapped in")
        try:
            with session_factory() as session:
                # Crash before the swap: the old generation and its state row stay as they
                # were, consistent; the unfinished generation is discarded below or pruned later.
                applied = apply_changes(ix, session, up_to, batch_size, record=False)
                store.swap(name)
                record_applied(session, applied.last_id)
        finally:
            lock.release()
    except BaseException:
        ix.close()
        store.discard(name)
        raise
    ix.close()
    return Rebuilt(count, applied.last_id, time.monotonic() - started, name, applied.changes)


# Status


def status(store: IndexStore, session: Session) -> Status:
    """Where the index stands against the database."""
    last = last_applied(session) or 0
    newest = newest_change_id(session)
    pending = session.scalar(select(func.count()).where(SearchChange.id > last)) or 0
    oldest = session.scalar(select(func.min(SearchChange.created_at)).where(SearchChange.id > last))
    docs = error = None
    try:
        ix = store.open_current()
        try:
            docs = ix.doc_count()
        finally:
            ix.close()
    except IndexUnavailable as problem:
        error = str(problem)
    current = store.current_dir()
    return Status(last, newest, pending, oldest, docs, str(current) if current else None, error)
