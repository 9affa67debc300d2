"""The Whoosh backend: an embedded index on one host, for sites on the SQLite default.

Deriving: `changed` writes change-log rows in the writing transaction; once the request or command
ends (`settle`), or before a search finds the log ahead of the index, the indexer applies them
(whoosh_indexer.py). Deployments with several web workers on the host may leave indexing to
`flask search worker` (SEARCH_INDEX_IN_REQUEST = false).

Searching: whoosh's own searcher through its public API (whoosh_query.py).
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from sqlalchemy import func, select

from tribune import access
from tribune.fulltext import whoosh_indexer as indexer
from tribune.fulltext.analysis import ANALYZER_VERSION
from tribune.fulltext.backend import (
    MAX_RESULTS,
    Backend,
    Found,
    Rebuilt,
    SearchUnavailable,
    Status,
)
from tribune.fulltext.texts import all_post_ids
from tribune.fulltext.whoosh_index import (
    COMPOUND_SEGMENTS,
    DAMAGE,
    IndexStore,
    IndexUnavailable,
    collect_quietly,
    forget_searcher,
)
from tribune.fulltext.whoosh_query import result_page
from tribune.models import Post, SearchChange, Thread, Translation

log = logging.getLogger(__name__)

# A change waiting longer than this means nobody is applying the log (no worker running, or a
# worker that keeps failing): `flask search status` says so.
STUCK_AFTER = 60.0
_CHANGED = "tribune.search.whoosh.changed"


def _change_rows(changes) -> list[dict]:
    """The change-log rows for a flush's changes: what the indexer must look at again."""
    rows: set[tuple[str, int]] = set()
    for change in changes:
        if change.kind == "post" or (
            # A thread, account, section or association made just now holds no post that is
            # not logged by its own change: reading all its posts again would index each twice
            # (an import: every thread with its posts).
            change.kind in ("thread", "user", "section", "association") and not change.created
        ):
            rows.add((change.kind, change.object_id))
        moved = "thread_id" in change.attributes and not change.created
        if change.kind == "post" and (change.deleted or moved):
            # The first post of a thread carries its title: moving or deleting posts may change
            # which post that is (a new post is never a thread's first but in its own thread).
            rows.update(("thread", thread) for thread in change.refs.get("thread", ()))
        elif change.kind == "translation":
            rows.update(("post", post) for post in change.refs.get("post", ()))
        elif change.kind == "signature":
            rows.update(("thread", thread) for thread in change.refs.get("thread", ()))
    return [{"kind": kind, "object_id": object_id} for kind, object_id in sorted(rows)]


class WhooshBackend(Backend):
    """An index directory on this host, kept by an indexer that applies the change log."""

    name = "whoosh"

    def __init__(
        self,
        index_dir,
        in_request: bool = True,
        each_commit: bool = False,
        batch_size: int = indexer.BATCH_SIZE,
        request_budget: float = 5.0,
        rebuild_limitmb: int = indexer.LIMITMB_REBUILD,
        session_factory=None,
    ) -> None:
        self.store = IndexStore(index_dir)
        self.in_request = in_request
        self.each_commit = each_commit
        self.batch_size = batch_size
        self.request_budget = request_budget
        self.rebuild_limitmb = rebuild_limitmb
        self.session_factory = session_factory

    # Deriving

    def changed(self, session, changes) -> None:
        """Log the changes in the writing transaction; the indexer applies them after it."""
        rows = _change_rows(changes)
        if rows:
            session.connection().execute(SearchChange.__table__.insert(), rows)

    def settle(self, budget: float | None = None) -> None:
        """Apply the log now, in this process, unless another process holds the writer lock
        (it will see our changes before it lets go) or a worker does it (in_request off)."""
        if self.in_request:
            self.catch_up_quietly(budget)

    def catch_up(self, wait: float = 0.0, budget: float | None = None):
        """Apply pending changes if the writer lock is free (or frees within `wait` seconds)."""
        return indexer.catch_up(self.store, self.session_factory, wait, self.batch_size, budget)

    def catch_up_quietly(self, budget: float | None = None) -> None:
        """catch_up() for hooks: a failure is logged, never raised into the request or command
        that committed (the change stays in the log)."""
        try:
            self.catch_up(budget=budget)
        except IndexUnavailable as error:
            log.error("search index not updated: %s (run `flask search rebuild`)", error)
        except Exception:
            log.exception("search index not updated; the change stays in the log")

    # Searching

    def search(self, session, query, *, sort, page, per_page, group) -> Found:
        """One page; every match collected, so totals and "N more in this thread" are exact."""
        first = (page - 1) * per_page
        if query.matches_nothing or first >= MAX_RESULTS:
            return Found()
        self._ready()
        try:
            with self.store.searcher() as opened:
                return result_page(opened, query, sort, first, per_page, group)
        except DAMAGE as error:
            # A merge in another process may have removed files this searcher had yet to open:
            # try once more on the index as it is now before calling it damaged.
            log.warning("search retried on a fresh searcher after %r", error)
        collect_quietly()
        try:
            return result_page(self.store.fresh_searcher(), query, sort, first, per_page, group)
        except DAMAGE as error:
            failure = f"cannot read the index in {self.store.current_dir()}: {error!r}"
        forget_searcher(self.store.path)
        collect_quietly()
        raise IndexUnavailable(failure)

    def _ready(self) -> None:
        """Refuse an index made for another version; with in-request indexing, catch up first:
        a change whose catch-up was skipped (another process held the lock and finished just
        before it arrived) is applied before searching, and a new site's first search makes its
        (empty) index."""
        with self.session_factory() as session:
            state = indexer.state(session)
            if state is not None and state.analyzer != ANALYZER_VERSION:
                raise IndexUnavailable(
                    "the search index must be rebuilt for this version: run `flask search rebuild`"
                )
            behind = state is None or indexer.has_pending(session)
        if behind and self.in_request:
            self.catch_up_quietly(self.request_budget)

    # Rebuilding and checking

    def rebuild(self, session_factory, progress=None, lock_wait: float = 300.0) -> Rebuilt:
        """Build a fresh generation from the database aside, then swap it in under the writer
        lock after applying what the change log gained meanwhile. Search keeps answering from
        the current generation until the swap; any failure (or Ctrl-C, or SIGTERM) discards
        the new generation and leaves the served one as it was."""
        started = time.monotonic()
        name, ix = self.store.create_generation()
        with session_factory() as session:
            # Read before any post: whatever commits later is applied from the log below, and
            # held in the log until then.
            up_to = indexer.newest_change_id(session)
            indexer.hold_from(session, name, up_to)
            total = session.scalar(select(func.count(Post.id))) or 0
            last = session.scalar(select(func.max(Post.id))) or 0
        texts = done = 0
        try:
            writer = ix.writer(limitmb=self.rebuild_limitmb, compound=COMPOUND_SEGMENTS)
            try:
                with session_factory() as session:
                    for ids in all_post_ids(session, last):
                        for docs in indexer.documents(session, ids).values():
                            for doc in docs:
                                writer.add_document(**doc)
                                texts += 1
                        done += len(ids)
                        if progress is not None:
                            progress(done, max(total, done))
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            lock = self.store.writer_lock()
            if not lock.acquire(lock_wait):
                raise IndexUnavailable("the index writer lock stayed taken; rebuild not swapped in")
            try:
                with session_factory() as session:
                    applied = indexer.apply_changes(
                        ix, session, up_to, self.batch_size, record=False
                    )
                    self.store.swap(name)
                    indexer.release_holds(session)
                    indexer.record_applied(session, applied.last_id, ANALYZER_VERSION)
            finally:
                lock.release()
        except BaseException:
            ix.close()
            self.store.discard(name)
            with session_factory() as session:
                indexer.release_holds(session)
            raise
        ix.close()
        detail = (
            f"into {self.store.path / name}; {applied.changes} changes applied after the snapshot"
        )
        return Rebuilt(texts=texts, posts=done, seconds=time.monotonic() - started, detail=detail)

    def status(self, session_factory, thorough: bool = False) -> Status:
        """The index against the database: readable, current, complete; `thorough` reads every
        stored document and every posting, and compares the index's texts with the database's."""
        status = Status(self.name)
        with session_factory() as session:
            position = indexer.position(session)
            state = indexer.state(session)
            newest = max(indexer.newest_change_id(session), position or 0)
            pending = (
                session.scalar(
                    select(func.count(SearchChange.id)).where(SearchChange.id > (position or 0))
                )
                or 0
            )
            oldest = session.scalar(
                select(func.min(SearchChange.created_at)).where(SearchChange.id > (position or 0))
            )
            expected = self._expected_texts(session)
        status.facts += [
            ("backend", "whoosh (an index directory on this host)"),
            ("directory", str(self.store.current_dir() or f"{self.store.path} (none)")),
            (
                "position in the change log",
                f"{position if position is not None else '-'} (newest change {newest})",
            ),
        ]
        age = 0.0
        if oldest is not None:
            age = (datetime.now(oldest.tzinfo) - oldest).total_seconds()
        status.facts.append(
            ("lag", f"{pending} changes" + (f", oldest {age:.1f} s old" if pending else ""))
        )
        if state is not None and state.analyzer != ANALYZER_VERSION:
            status.problems.append(
                "the index was made by an older version: run `flask search rebuild`"
            )
        if pending and age > STUCK_AFTER:
            status.problems.append(
                f"{pending} changes have waited {age:.0f} s: nothing is applying the change log "
                "(run `flask search worker`, or check its log)"
            )
        damage = None
        try:
            with self.store.inspecting() as reader:
                documents = reader.doc_count()
                status.facts.append(("documents", str(documents)))
                keys = self._read_everything(reader, status) if thorough else None
        except IndexUnavailable as problem:
            damage = str(problem)
        except DAMAGE as error:
            damage = f"the index is damaged ({error!r})"
        if damage is not None:
            collect_quietly()
            status.problems.append(f"{damage}: run `flask search rebuild`")
            return status
        status.facts.append(("texts readers may see", str(len(expected))))
        if not pending:
            if keys is not None:
                missing, extra = len(expected - keys), len(keys - expected)
            else:
                missing, extra = (
                    max(0, len(expected) - documents),
                    max(0, documents - len(expected)),
                )
            if missing or extra:
                status.problems.append(
                    f"the index has drifted from the database ({missing} texts missing, "
                    f"{extra} documents too many): run `flask search rebuild`"
                )
        return status

    @staticmethod
    def _expected_texts(session) -> set[str]:
        visible = (
            select(Post.id)
            .join(Thread, Thread.id == Post.thread_id)
            .where(access.visible_posts_clause(None), access.visible_threads_clause(None))
        )
        posts = {f"p{post_id}" for post_id in session.scalars(visible)}
        translations = session.scalars(
            select(Translation.id).where(Translation.post_id.in_(visible))
        )
        return posts | {f"t{translation_id}" for translation_id in translations}

    @staticmethod
    def _read_everything(reader, status: Status) -> set[str]:
        """Read every posting and every stored document (what a search could ever touch);
        the keys of the documents."""
        postings = 0
        for fieldname, word in reader.all_terms():
            postings += sum(1 for _ in reader.postings(fieldname, word).all_ids())
        keys = {fields["key"] for fields in reader.all_stored_fields()}
        status.facts.append(("postings read", str(postings)))
        return keys


__all__ = ["SearchUnavailable", "WhooshBackend"]
