"""Keeping the Whoosh index in step with the database: the change log, catch-up and rebuild.

The change log (`search_changes`) gets its rows in the same transaction as every searchable
change (the backend's `changed`). The indexer applies it in id order, a batch per whoosh commit:
each row is resolved by reading the database again (a row only says *what* changed) into the
posts whose documents must be replaced; each such post's documents are deleted and its visible
texts added again, which is idempotent. The index's position (`search_state` "whoosh") moves
only after whoosh has committed, and applied rows are pruned in the same transaction. A crash
between the two re-applies the batch: harmless.

Why reading "every row after my position" never misses one: this backend runs on SQLite only
(backends.py refuses it on PostgreSQL), where one transaction writes at a time and holds the write
lock from its first write to its commit, so ids are handed out in commit order and no row can
commit below a position already read. AUTOINCREMENT keeps pruned ids from ever being reused.

Every writer holds the store's lock (whoosh_index.WriterLock). The indexer uses its own database
sessions, so it never disturbs the session of the request that triggered it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tribune import access
from tribune.fulltext import texts as texts_module
from tribune.fulltext.analysis import ANALYZER_VERSION, filter_value, stem_field
from tribune.fulltext.whoosh_index import COMPOUND_SEGMENTS, IndexStore, IndexUnavailable
from tribune.models import (
    Association,
    PaperSignature,
    Post,
    SearchChange,
    SearchState,
    Section,
    Thread,
    User,
)

STATE_NAME = "whoosh"
# The state rows of generations being rebuilt ("whoosh:gen-..."): where their snapshot stands.
REBUILD_PREFIX = "whoosh:"
BATCH_SIZE = 500
# Megabytes whoosh may use to pool postings before spilling sorted runs to disk (its default,
# 128 per writer, peaked at 1.3 GB of RSS in LIBRARIES.md's bulk test).
LIMITMB_INCREMENTAL = 64
LIMITMB_REBUILD = 256


@dataclass
class Applied:
    """What one catch-up did."""

    changes: int = 0
    posts: int = 0
    last_id: int = 0


# The position


def state(session: Session) -> SearchState | None:
    return session.get(SearchState, STATE_NAME)


def position(session: Session) -> int | None:
    """The id of the last change the index holds, or None if this database never had one."""
    found = state(session)
    return None if found is None else found.last_change_id


def newest_change_id(session: Session) -> int:
    """The id of the newest change row (0 if none)."""
    return session.scalar(select(func.coalesce(func.max(SearchChange.id), 0))) or 0


def record_applied(session: Session, change_id: int, analyzer: int | None = None) -> None:
    """Move the served index's position to `change_id` and prune the rows every index (the
    served one, and one being rebuilt) has applied."""
    found = state(session)
    if found is None:
        found = SearchState(name=STATE_NAME, analyzer=ANALYZER_VERSION)
        session.add(found)
    found.last_change_id = change_id
    if analyzer is not None:
        found.analyzer = analyzer
    found.updated_at = datetime.now(UTC)
    session.flush()
    applied_by_all = select(func.min(SearchState.last_change_id)).where(
        (SearchState.name == STATE_NAME) | SearchState.name.startswith(REBUILD_PREFIX)
    )
    session.execute(delete(SearchChange).where(SearchChange.id <= applied_by_all.scalar_subquery()))
    session.commit()


def hold_from(session: Session, name: str, change_id: int) -> None:
    """Keep the rows after `change_id` until the generation `name` (being rebuilt) has applied
    them: the served index's indexer would otherwise prune them once it applied them."""
    session.merge(
        SearchState(
            name=REBUILD_PREFIX + name, last_change_id=change_id, updated_at=datetime.now(UTC)
        )
    )
    session.commit()


def release_holds(session: Session) -> None:
    """Forget the rows that rebuilds hold (after a swap, or when one fails)."""
    session.execute(delete(SearchState).where(SearchState.name.startswith(REBUILD_PREFIX)))
    session.commit()


def has_pending(session: Session) -> bool:
    """Whether some change is newer than the last one applied."""
    after = position(session) or 0
    return (
        session.scalar(select(SearchChange.id).where(SearchChange.id > after).limit(1)) is not None
    )


# Resolving changes into posts


def _posts_of(session: Session, kind: str, object_id: int) -> set[int]:
    if kind == "post":
        return {object_id}
    if kind == "thread":
        query = select(Post.id).where(Post.thread_id == object_id)
    elif kind == "user":
        query = select(Post.id).where(Post.author_id == object_id)
    elif kind == "section":
        query = (
            select(Post.id)
            .join(Thread, Thread.id == Post.thread_id)
            .where(Thread.section_id == object_id)
        )
    elif kind == "association":
        query = (
            select(Post.id)
            .join(PaperSignature, PaperSignature.thread_id == Post.thread_id)
            .where(PaperSignature.association_id == object_id)
        )
    else:
        raise ValueError(f"search change of unknown kind {kind!r}")
    return set(session.scalars(query))


# Documents


def _visible_rows(session: Session, post_ids) -> dict[int, object]:
    """{post id: what its documents filter on} for those posts a reader may see."""
    found = {}
    for chunk in texts_module.chunks(post_ids):
        rows = session.execute(
            select(
                Post.id,
                Post.thread_id,
                Post.created_at,
                User.username_key,
                Thread.kind,
                Section.area,
                Section.slug,
            )
            .join(Thread, Thread.id == Post.thread_id)
            .join(Section, Section.id == Thread.section_id)
            .join(User, User.id == Post.author_id)
            .where(
                Post.id.in_(chunk),
                access.visible_posts_clause(None),
                access.visible_threads_clause(None),
            )
        )
        found.update((row.id, row) for row in rows)
    return found


def _associations(session: Session, thread_ids) -> dict[int, list[str]]:
    """{thread id: slugs of the associations co-signing it} (withdrawn signatures don't)."""
    found: dict[int, list[str]] = {}
    for chunk in texts_module.chunks(thread_ids):
        rows = session.execute(
            select(PaperSignature.thread_id, Association.slug)
            .join(Association, Association.id == PaperSignature.association_id)
            .where(PaperSignature.thread_id.in_(chunk), PaperSignature.withdrawn_at.is_(None))
        )
        for thread_id, slug in rows:
            found.setdefault(thread_id, []).append(filter_value(slug))
    return found


def documents(session: Session, post_ids) -> dict[int, list[dict]]:
    """{post id: the whoosh documents of its texts} for the visible ones among `post_ids`."""
    rows = _visible_rows(session, post_ids)
    if not rows:
        return {}
    associations = _associations(session, {row.thread_id for row in rows.values()})
    found: dict[int, list[dict]] = {}
    for post_id, items in texts_module.post_texts(session, rows).items():
        row = rows[post_id]
        created = row.created_at.astimezone(UTC).replace(tzinfo=None)  # whoosh wants naive UTC
        docs = []
        for item in items:
            body = item.plain_body()
            doc = {
                "key": item.key,
                "post": str(post_id),
                "post_id": post_id,
                "thread_id": row.thread_id,
                "translation_id": item.translation_id,
                "title": item.title,
                "body": body,
                "area": row.area,
                "section": filter_value(row.slug),
                "author": row.username_key,
                "association": ",".join(associations.get(row.thread_id, [])),
                "lang": item.language,
                "kind": row.kind,
                "created": created,
            }
            stemmed = stem_field(item.language)
            if stemmed is not None:
                doc[stemmed] = f"{item.title}\n\n{body}"
            docs.append(doc)
        found[post_id] = docs
    return found


def write_posts(ix, session: Session, post_ids: set[int], limitmb: int) -> int:
    """Replace these posts' documents in one whoosh commit (none for posts readers may not see)."""
    found = documents(session, post_ids)
    writer = ix.writer(limitmb=limitmb, compound=COMPOUND_SEGMENTS)
    try:
        for post_id in sorted(post_ids):
            writer.delete_by_term("post", str(post_id))
            for doc in found.get(post_id, ()):
                writer.add_document(**doc)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return len(post_ids)


# Applying the log


def apply_changes(
    ix, session: Session, after: int, batch_size: int, deadline=None, record: bool = True
) -> Applied:
    """Apply the changes after id `after` to `ix`, recording each batch once whoosh committed.

    The caller holds the writer lock. Stops when caught up or past `deadline` (a
    time.monotonic() value) between batches. `record=False` leaves the position alone: the
    index being written is not served yet (rebuild records once it has swapped)."""
    result = Applied(last_id=after)
    while deadline is None or time.monotonic() < deadline:
        rows = session.execute(
            select(SearchChange.id, SearchChange.kind, SearchChange.object_id)
            .where(SearchChange.id > result.last_id)
            .order_by(SearchChange.id)
            .limit(batch_size)
        ).all()
        if not rows:
            break
        post_ids: set[int] = set()
        for row in rows:
            post_ids |= _posts_of(session, row.kind, row.object_id)
        result.posts += write_posts(ix, session, post_ids, LIMITMB_INCREMENTAL)
        result.last_id = rows[-1].id
        result.changes += len(rows)
        if record:
            record_applied(session, result.last_id)
        else:
            session.rollback()  # end the read transaction
    return result


def apply_pending(store: IndexStore, session: Session, batch_size: int, budget=None) -> Applied:
    """Apply what is pending to the current index. The caller holds the writer lock.

    An index is created here only when this database never had one (no state row): the change
    log then holds the whole history, since every searchable write since the database was made
    wrote its row. Otherwise a missing, damaged or outdated index, or a state that asks for a
    rebuild (an upgrade), raises IndexUnavailable until `flask search rebuild`."""
    found = state(session)
    if found is None:
        name, ix = store.create_generation()
        ix.close()
        store.swap(name)
        record_applied(session, 0, ANALYZER_VERSION)
        found = state(session)
    if found.analyzer != ANALYZER_VERSION:
        raise IndexUnavailable(
            "the search index must be rebuilt for this version: run `flask search rebuild`"
        )
    ix = store.open_current()
    deadline = None if budget is None else time.monotonic() + budget
    try:
        return apply_changes(ix, session, found.last_change_id, batch_size, deadline)
    finally:
        ix.close()


def catch_up(store: IndexStore, session_factory, wait=0.0, batch_size=BATCH_SIZE, budget=None):
    """Take the lock (waiting up to `wait` s) and apply pending changes; None if it was busy.

    After releasing, look once more: a process that committed while we held the lock found it
    taken and left its change to us. Whoever holds the lock last therefore sees every change
    committed before its final look."""
    total = Applied()
    lock = store.writer_lock()
    deadline = None if budget is None else time.monotonic() + budget
    while True:
        with lock.held(wait) as taken:
            if not taken:
                return total if total.changes else None
            with session_factory() as session:
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                result = apply_pending(store, session, batch_size, left)
        total.changes += result.changes
        total.posts += result.posts
        total.last_id = result.last_id
        if result.changes == 0 or (deadline is not None and time.monotonic() >= deadline):
            # Caught up, or out of time: what is left waits for the next catch-up.
            return total
        with session_factory() as session:
            if not has_pending(session):
                return total
