"""The PostgreSQL backend: search rows written in the writer's transaction, queried in SQL.

The rows (postgres_rows.py) are written by `changed`, inside the transaction that changed the
text (tracking.py), so a post is searchable the moment it commits, on every host at once, and a
rollback leaves nothing behind: no index directory, no worker, no lag, nothing to drift. Rows
exist for every post, hidden or not; a search (postgres_query.py) excludes what readers may not
see, so hiding, moving, renaming or suspending rewrites no row and nothing hidden can reach a
reader, a snippet or a total.

Large result sets: counting and ranking cost grows with the number of matches, so matches are
counted up to RANK_LIMIT. Past it the total is given as "more than RANK_LIMIT" and only the
RANK_LIMIT newest matches are ranked (a word in most posts says little; the newest of its
matches are what a reader of a forum most likely wants).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy import exists, func, select, text
from sqlalchemy.exc import OperationalError

from tribune.fulltext import postgres_query as query_sql
from tribune.fulltext.analysis import ANALYZER_VERSION
from tribune.fulltext.backend import (
    GROUP_LIMIT,
    MAX_RESULTS,
    Backend,
    Found,
    Hit,
    Rebuilt,
    SearchUnavailable,
    Status,
)
from tribune.fulltext.postgres_rows import STALE_ROWS, TABLE, apply_changes, derive
from tribune.models import Post, SearchState, Translation

STATE_NAME = "postgres"
RANK_LIMIT = 2_000
REBUILD_BATCH = 500


class PostgresBackend(Backend):
    """Search rows in PostgreSQL, derived in the writer's transaction (see the module doc)."""

    name = "postgres"
    derived_in_transaction = True

    def __init__(self, rank_limit: int = RANK_LIMIT) -> None:
        self.rank_limit = rank_limit

    # Deriving

    def changed(self, session, changes) -> None:
        """Rewrite the rows the flush made wrong, in the same transaction."""
        apply_changes(session.connection(), changes)

    # Searching

    def search(self, session, query, *, sort, page, per_page, group) -> Found:
        """One page of grouped or plain results, exact totals up to `rank_limit`."""
        found = Found()
        first = (page - 1) * per_page
        if query.matches_nothing or first >= MAX_RESULTS:
            return found
        try:
            self._check_built(session)
            top = query_sql.last_post_id(session)
            query_sql.tune(session)
            match = query_sql.words_matched(query)
            matching = query_sql.matching(query, match)
            # Past rank_limit matches, the newest rank_limit are ranked (the oldest for
            # sort=oldest).
            total, matching, capped = query_sql.bounded(
                session, matching, self.rank_limit, top, oldest=sort == "oldest"
            )
            statement = query_sql.page(matching, match, sort, first, per_page, group)
            rows = session.execute(statement).all()
            query_sql.untune(session)
        except OperationalError as error:
            raise SearchUnavailable(f"the database did not answer: {error.orig!r}") from error
        found.total = total
        found.total_is_exact = not capped
        found.has_next = len(rows) > per_page and first + per_page < MAX_RESULTS
        for row in rows[:per_page]:
            more = 0
            if group and row.place == GROUP_LIMIT:
                more = row.in_thread - GROUP_LIMIT
            found.hits.append(
                Hit(
                    post_id=row.post_id,
                    thread_id=row.thread_id,
                    translation_id=row.translation_id,
                    language=row.language,
                    more_in_thread=max(0, more),
                )
            )
        return found

    @staticmethod
    def _check_built(session) -> None:
        state = session.get(SearchState, STATE_NAME)
        if state is not None and state.analyzer is None:
            raise SearchUnavailable(
                "the search rows have not been derived yet: run `flask search rebuild`"
            )

    # Rebuilding and checking

    def rebuild(self, session_factory, progress=None) -> Rebuilt:
        """Derive every post's rows again, REBUILD_BATCH posts per transaction, while searches
        keep being answered from the rows already there."""
        started = time.monotonic()
        with session_factory() as session:
            total = session.scalar(select(func.count(Post.id))) or 0
            # Posts written from now on are derived by their own transactions.
            last = session.scalar(select(func.max(Post.id))) or 0
        done = written = 0
        after = 0
        while True:
            with session_factory() as session:
                ids = list(
                    session.scalars(
                        select(Post.id)
                        .where(Post.id > after, Post.id <= last)
                        .order_by(Post.id)
                        .limit(REBUILD_BATCH)
                    )
                )
                if not ids:
                    break
                written += derive(session.connection(), ids)
                session.commit()
            after = ids[-1]
            done += len(ids)
            if progress is not None:
                progress(done, max(total, done))
        with session_factory() as session:
            state = session.get(SearchState, STATE_NAME)
            if state is None:
                state = SearchState(name=STATE_NAME)
                session.add(state)
            state.analyzer = ANALYZER_VERSION
            state.last_change_id = 0
            state.updated_at = datetime.now(UTC)
            session.commit()
        return Rebuilt(texts=written, posts=done, seconds=time.monotonic() - started)

    def status(self, session_factory, thorough: bool = False) -> Status:
        """Rows against texts: missing, made by an older analyzer, and (thorough) not matching
        their text any more."""
        status = Status(self.name)
        with session_factory() as session:
            state = session.get(SearchState, STATE_NAME)
            posts = session.scalar(select(func.count(Post.id))) or 0
            translations = session.scalar(select(func.count(Translation.id))) or 0
            rows = session.scalar(select(func.count()).select_from(TABLE)) or 0
            missing_posts = session.scalar(
                select(func.count(Post.id)).where(
                    ~exists().where(TABLE.c.post_id == Post.id, TABLE.c.translation_id.is_(None))
                )
            )
            missing_translations = session.scalar(
                select(func.count(Translation.id)).where(
                    ~exists().where(TABLE.c.translation_id == Translation.id)
                )
            )
            older = session.scalar(
                select(func.count()).select_from(TABLE).where(TABLE.c.analyzer != ANALYZER_VERSION)
            )
            status.facts += [
                ("backend", "postgres (rows written in each writing transaction; no lag)"),
                ("texts", f"{posts + translations} ({posts} posts, {translations} translations)"),
                ("rows", str(rows)),
            ]
            if state is not None and state.analyzer is None:
                status.problems.append(
                    "search rows were never derived for the posts written before this "
                    "version: run `flask search rebuild`"
                )
            missing = (missing_posts or 0) + (missing_translations or 0)
            if missing:
                status.problems.append(
                    f"{missing} texts have no search row (drift): run `flask search rebuild`"
                )
            if older:
                status.problems.append(
                    f"{older} rows were made by an older analyzer (version != "
                    f"{ANALYZER_VERSION}): run `flask search rebuild`"
                )
            if thorough:
                stale, misplaced = session.execute(text(STALE_ROWS)).one()
                status.facts.append(("rows checked against their text", str(rows)))
                if stale:
                    status.problems.append(
                        f"{stale} rows do not match their text any more (drift): "
                        "run `flask search rebuild`"
                    )
                if misplaced:
                    status.problems.append(
                        f"{misplaced} rows do not say where their post stands (thread, author "
                        "or date; drift): run `flask search rebuild`"
                    )
        return status
