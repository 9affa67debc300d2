"""Rebuilding the index from the database, and telling how far it lags (`flask search ...`).

A rebuild writes a new generation beside the served one (store.py), then, holding the writer
lock, applies whatever the change log gained meanwhile and swaps it in. See indexer.py for the
change log itself.
"""

from __future__ import annotations

import contextlib
import gc
import os
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tribune.fulltext import documents
from tribune.fulltext.bulk import WorkerFailed, bulk_writer, parallel_segments
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

__all__ = ["Rebuilt", "Status", "WorkerFailed", "default_procs", "rebuild", "status"]


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

# Below this many posts per process, starting processes costs more than it saves (and each
# process adds a segment that every query then visits).
MIN_POSTS_PER_PROC = 5_000


def default_procs() -> int:
    """Indexing processes when none are asked for: one per usable CPU, at most 4.

    More processes than CPUs would only take turns. The cap bounds memory and segments: each
    process holds its own posting pool (SEARCH_REBUILD_LIMITMB; measured ~450 MB of RSS at the
    default 256) and adds a segment that every query then visits.
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 4))


@dataclass
class Rebuilt:
    """What `rebuild` did."""

    posts: int
    up_to: int
    seconds: float
    directory: str
    applied_after: int
    procs: int = 1


def rebuild(
    store: IndexStore,
    session_factory,
    batch_size: int = BATCH_SIZE,
    limitmb: int = LIMITMB_REBUILD,
    procs: int = 1,
    lock_wait: float = 300.0,
    progress=None,
    min_posts_per_proc: int | None = None,
) -> Rebuilt:
    """Build a fresh index from the database aside, swap it in, then apply what changed meanwhile.

    Search keeps answering from the current index (and the incremental indexer keeps updating
    it) until the swap. The newest change id is read *before* reading any post, so everything
    after it is applied to the new index under the lock just before the swap.

    With `procs` > 1 the posts are split into id ranges of about equal counts (at least
    `min_posts_per_proc` each, MIN_POSTS_PER_PROC by default), and each range is indexed by a
    process of its own into a segment of its own (see bulk.py). `progress(count)` is called in
    this process as posts get indexed. Whatever stops the build (an error here or in a worker,
    a killed worker, Ctrl-C) discards the new generation and raises; nothing served changes.
    """
    started = time.monotonic()
    with session_factory() as session:
        up_to = newest_change_id(session)
        if procs > 1:
            minimum = MIN_POSTS_PER_PROC if min_posts_per_proc is None else min_posts_per_proc
            ranges = documents.id_ranges(session, procs, minimum)
        else:
            ranges = []
    name, ix = store.create_generation()
    try:
        with _collector_paused():
            if len(ranges) > 1:
                count = parallel_segments(
                    ix, session_factory, ranges, batch_size, limitmb, progress
                )
            else:
                count = _one_segment(ix, session_factory, batch_size, limitmb, progress)
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
    seconds = time.monotonic() - started
    return Rebuilt(count, applied.last_id, seconds, name, applied.changes, max(1, len(ranges)))


@contextlib.contextmanager
def _collector_paused():
    # Indexing allocates millions of small objects (tokens, postings) and frees them in order;
    # the cyclic garbage collector would walk the growing posting pool again and again for
    # nothing (measured: 16% of a 10k rebuild). Reference counting frees nearly everything:
    # ~100 objects in cycles per 2,000 posts wait for the collector to resume afterwards.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _one_segment(ix, session_factory, batch_size, limitmb, progress) -> int:
    """Index every visible post in this process (small sites, `--procs 1`)."""
    done = 0

    def report(step):
        nonlocal done
        done += step
        if progress is not None:
            progress(done)

    writer = bulk_writer(ix, limitmb)
    try:
        count = documents.add_range(writer, session_factory, batch_size, 1, None, report)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return count


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
