"""The PostgreSQL backend: search rows written in the writer's transaction, queried in SQL.

Deriving. Each text of a post (texts.py) becomes one `search_texts` row whose `vector` is a
tsvector built from the shared analyzer's tokens, written as a tsvector literal: PostgreSQL's own
parsers and dictionaries are never used, so both backends agree on what a word is. Title words
carry weight A, body words D; the body's positions start after a gap, so no phrase runs from the
title into the body. A text in en/de/fr/nl also holds its stemmed words, marked with the
language («de:republ»), at the same positions. The rows are written by `changed`, inside the
transaction that changed the text (tracking.py), so a post is searchable the moment it commits,
on every host at once, and a rollback leaves nothing behind: no index directory, no worker, no
lag, nothing to drift.

Rows exist for every post, hidden or not. A search joins the readers' visibility rule
(`access.visible_posts_clause`, `visible_threads_clause`) and reads sections, authors, kinds and
co-signatures from their own tables, so hiding, moving, renaming or suspending needs no row
rewritten, and nothing hidden can reach a reader, a snippet or a total.

Ranking: `ts_rank` with title words counting twice body words, normalized by the text's length
(flag 1: rank / (1 + log(length))). Its weight for a word grows with the word's occurrences and
saturates, like BM25's term frequency; unlike BM25 it does not weigh rare words above common ones
within one query. docs/decisions/0002 says why that was chosen and how it compares.

Large result sets: counting and ranking cost grows with the number of matches, so matches are
counted up to RANK_LIMIT. Past it the total is given as "more than RANK_LIMIT" and only the
RANK_LIMIT newest matches are ranked (a word in most posts says little; the newest of its
matches are what a reader of a forum most likely wants).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from datetime import time as clock

from sqlalchemy import (
    Select,
    bindparam,
    cast,
    delete,
    distinct,
    exists,
    func,
    insert,
    literal,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import TSQUERY, distinct_on
from sqlalchemy.exc import OperationalError

from tribune import access
from tribune.fulltext import texts as texts_module
from tribune.fulltext.analysis import ANALYZER_VERSION, GENERIC, STEM_LANGUAGES, analyzer_for
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
from tribune.fulltext.texts import Text
from tribune.models import (
    Association,
    PaperSignature,
    Post,
    SearchState,
    SearchText,
    Section,
    Thread,
    Translation,
    User,
)

log = logging.getLogger(__name__)

STATE_NAME = "postgres"
RANK_LIMIT = 10_000
# tsvector limits: positions 1..16383 (larger ones would be clamped by PostgreSQL anyway), at
# most 256 positions kept per word.
MAX_POSITION = 16383
MAX_POSITIONS = 256
# Positions left empty between a title and its body, so "a b" never matches across them.
TITLE_GAP = 8
# ts_rank weights for labels D, C, B, A: body words are D, title words A.
WEIGHTS = "{0.5,0.5,0.5,1.0}"
LENGTH_NORMALIZATION = 1
REBUILD_BATCH = 500

_TABLE = SearchText.__table__


# Deriving rows


def lexeme(field: str, word: str) -> str:
    """The tsvector word for `word` of a querylang.Alternative field: as is for the generic
    analysis, marked with its language for a stemmed one ("de:republ")."""
    return word if field == GENERIC else f"{field.removeprefix('stem_')}:{word}"


def _quote(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _add_tokens(positions, analyzer, value: str, start: int, mark: str, weight: str) -> int:
    """Add `value`'s index tokens at positions from `start`; return the next free position."""
    last = start - 1
    for token in analyzer(value, positions=True, mode="index", start_pos=start):
        position = min(token.pos, MAX_POSITION)
        positions[mark + token.text].add((position, weight))
        last = max(last, token.pos)
    return last + 1


def vector_literal(item: Text) -> str:
    """The tsvector literal of one text: 'word':1A,7 'other':3 ..."""
    positions: dict[str, set[tuple[int, str]]] = defaultdict(set)
    body = item.plain_body()
    analyzers = [(analyzer_for("fa"), "")]
    if item.language in STEM_LANGUAGES:
        analyzers.append((analyzer_for(item.language), f"{item.language}:"))
    for analyzer, mark in analyzers:
        after_title = _add_tokens(positions, analyzer, item.title, 1, mark, "A")
        start = after_title + TITLE_GAP if item.title else 1
        _add_tokens(positions, analyzer, body, start, mark, "")
    parts = []
    for word, places in positions.items():
        kept = sorted(places)[:MAX_POSITIONS]
        parts.append(f"{_quote(word)}:" + ",".join(f"{p}{w}" for p, w in kept))
    return " ".join(parts)


def digest(item: Text) -> str:
    """md5 of what a row is made from; `flask search status` computes the same in SQL."""
    source = f"{item.language}\x1f{item.title}\x1f{item.body_source}"
    return hashlib.md5(source.encode("utf-8"), usedforsecurity=False).hexdigest()


def derive(connection, post_ids: Iterable[int]) -> int:
    """Write the rows of these posts' texts again (none for posts that no longer exist).

    The posts are locked first (FOR UPDATE, in id order): two transactions deriving the same
    post (one renaming its thread, one editing its body) then run one after the other, and the
    later one reads what the earlier one committed, so the row ends up matching both."""
    ids = sorted(set(post_ids))
    if not ids:
        return 0
    written = 0
    for start in range(0, len(ids), texts_module.CHUNK):
        chunk = ids[start : start + texts_module.CHUNK]
        connection.execute(
            select(Post.id).where(Post.id.in_(chunk)).order_by(Post.id).with_for_update()
        ).all()
        found = texts_module.post_texts(connection, chunk)
        connection.execute(delete(_TABLE).where(_TABLE.c.post_id.in_(chunk)))
        rows = [
            {
                "key": item.key,
                "post_id": item.post_id,
                "translation_id": item.translation_id,
                "language": item.language,
                "titled": bool(item.title),
                "vector": vector_literal(item),
                "analyzer": ANALYZER_VERSION,
                "digest": digest(item),
            }
            for items in found.values()
            for item in items
        ]
        if rows:
            connection.execute(insert(_TABLE), rows)
        written += len(rows)
    return written


def _posts_to_derive(connection, changes) -> set[int]:
    """The posts whose rows a flush's changes make wrong: new or edited texts, and the title
    carriers of threads whose first post may have changed (a move, merge or split)."""
    posts: set[int] = set()
    threads: set[int] = set()
    for change in changes:
        if change.kind == "post":
            moved = "thread_id" in change.attributes and not change.created
            if change.deleted or moved:
                threads.update(change.refs.get("thread", ()))
            if not change.deleted and (
                change.created or moved or change.attributes & {"body_source", "language"}
            ):
                posts.add(change.object_id)
        elif change.kind == "thread" and "title" in change.attributes and not change.created:
            threads.add(change.object_id)
        elif change.kind == "translation":
            posts.update(change.refs.get("post", ()))
    if threads:
        posts.update(texts_module.opening_post_ids(connection, threads).values())
        posts.update(
            connection.scalars(
                select(_TABLE.c.post_id)
                .join(Post, Post.id == _TABLE.c.post_id)
                .where(_TABLE.c.titled, Post.thread_id.in_(sorted(threads)))
            )
        )
    return posts


# Querying


def _alternative(alternative) -> str:
    words = [_quote(lexeme(alternative.field, word)) for word in alternative.words]
    if alternative.prefix:
        return words[0] + ":*"
    return words[0] if len(words) == 1 else "(" + " <-> ".join(words) + ")"


def tsquery(query) -> str | None:
    """The tsquery text of a querylang.CompiledQuery's words; None when it has none (a search by
    filters alone, which may still exclude words: "@sara -Demonstration")."""
    clauses = ["(" + " | ".join(map(_alternative, clause)) + ")" for clause in query.required]
    if query.excluded:
        clauses.append("!(" + " | ".join(map(_alternative, query.excluded)) + ")")
    return " & ".join(clauses) if clauses else None


def _utc(day, end: bool) -> datetime:
    return datetime.combine(day, clock.max if end else clock.min, tzinfo=UTC)


def _matching(query, ranked: bool) -> Select:
    """The texts that match `query` in posts readers may see: (post, translation, language,
    thread, date, score)."""
    words = tsquery(query)
    vector = _TABLE.c.vector
    if words is not None and ranked:
        match = cast(bindparam("words", words), TSQUERY)
        score = func.ts_rank(
            literal_column(f"'{WEIGHTS}'::float4[]"), vector, match, LENGTH_NORMALIZATION
        )
    else:
        score = literal(0.0)
    statement = (
        select(
            _TABLE.c.post_id,
            _TABLE.c.translation_id,
            _TABLE.c.language,
            Post.thread_id,
            Post.created_at,
            score.label("score"),
        )
        .select_from(_TABLE)
        .join(Post, Post.id == _TABLE.c.post_id)
        .join(Thread, Thread.id == Post.thread_id)
        .where(access.visible_posts_clause(None), access.visible_threads_clause(None))
    )
    if words is not None:
        statement = statement.where(vector.op("@@")(cast(bindparam("words", words), TSQUERY)))
    filters = query.filters
    if "area" in filters or "section" in filters:
        statement = statement.join(Section, Section.id == Thread.section_id)
        if "area" in filters:
            statement = statement.where(Section.area == filters["area"])
        if "section" in filters:
            statement = statement.where(func.lower(Section.slug) == filters["section"])
    if "author" in filters:
        statement = statement.join(User, User.id == Post.author_id).where(
            User.username_key == filters["author"]
        )
    if "association" in filters:
        statement = statement.where(
            exists(
                select(PaperSignature.id)
                .join(Association, Association.id == PaperSignature.association_id)
                .where(
                    PaperSignature.thread_id == Thread.id,
                    PaperSignature.withdrawn_at.is_(None),
                    func.lower(Association.slug) == filters["association"],
                )
            )
        )
    if "lang" in filters:
        statement = statement.where(_TABLE.c.language == filters["lang"])
    if "kind" in filters:
        statement = statement.where(Thread.kind == filters["kind"])
    if query.after is not None:
        statement = statement.where(Post.created_at >= _utc(query.after, end=False))
    if query.before is not None:
        statement = statement.where(Post.created_at <= _utc(query.before, end=True))
    if query.thread_id is not None:
        statement = statement.where(Post.thread_id == query.thread_id)
    return statement


def _order(columns, sort: str):
    if sort == "newest":
        return (columns.created_at.desc(), columns.post_id.desc())
    if sort == "oldest":
        return (columns.created_at.asc(), columns.post_id.asc())
    return (columns.score.desc(), columns.created_at.desc(), columns.post_id.desc())


class PostgresBackend(Backend):
    """Search rows in PostgreSQL, derived in the writer's transaction (see the module doc)."""

    name = "postgres"
    derived_in_transaction = True

    def __init__(self, rank_limit: int = RANK_LIMIT) -> None:
        self.rank_limit = rank_limit

    # Deriving

    def changed(self, session, changes) -> None:
        """Rewrite the rows the flush made wrong, in the same transaction."""
        connection = session.connection()
        derive(connection, _posts_to_derive(connection, changes))

    # Searching

    def search(self, session, query, *, sort, page, per_page, group) -> Found:
        """One page of grouped or plain results, exact totals up to `rank_limit`."""
        found = Found()
        first = (page - 1) * per_page
        if query.matches_nothing or first >= MAX_RESULTS:
            return found
        try:
            self._check_built(session)
            matching = _matching(query, ranked=sort == "relevance")
            limited = matching.with_only_columns(_TABLE.c.post_id).limit(self.rank_limit + 1)
            counted = limited.subquery()
            total = session.scalar(select(func.count(distinct(counted.c.post_id))))
            capped = total > self.rank_limit
            if capped:
                # Rank the newest `rank_limit` matches (the oldest for sort=oldest).
                newest_first = Post.created_at.asc() if sort == "oldest" else Post.created_at.desc()
                matching = matching.order_by(newest_first).limit(self.rank_limit)
                total = self.rank_limit
            rows = session.execute(self._page(matching, sort, first, per_page, group)).all()
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
    def _page(matching: Select, sort: str, first: int, per_page: int, group: bool) -> Select:
        matched = matching.cte("matched")
        # A post whose own text and a translation both match is one result: its best text,
        # its own text first on a tie.
        best = (
            select(matched)
            .ext(distinct_on(matched.c.post_id))
            .order_by(
                matched.c.post_id,
                matched.c.score.desc(),
                matched.c.translation_id.asc().nulls_first(),
            )
            .cte("best")
        )
        if not group:
            return select(best).order_by(*_order(best.c, sort)).offset(first).limit(per_page + 1)
        ranked = select(
            best,
            func.row_number()
            .over(partition_by=best.c.thread_id, order_by=_order(best.c, sort))
            .label("place"),
            func.count().over(partition_by=best.c.thread_id).label("in_thread"),
        ).subquery("ranked")
        return (
            select(ranked)
            .where(ranked.c.place <= GROUP_LIMIT)
            .order_by(*_order(ranked.c, sort))
            .offset(first)
            .limit(per_page + 1)
        )

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
            rows = session.scalar(select(func.count()).select_from(_TABLE)) or 0
            missing_posts = session.scalar(
                select(func.count(Post.id)).where(
                    ~exists().where(_TABLE.c.post_id == Post.id, _TABLE.c.translation_id.is_(None))
                )
            )
            missing_translations = session.scalar(
                select(func.count(Translation.id)).where(
                    ~exists().where(_TABLE.c.translation_id == Translation.id)
                )
            )
            older = session.scalar(
                select(func.count())
                .select_from(_TABLE)
                .where(_TABLE.c.analyzer != ANALYZER_VERSION)
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
                stale = session.scalar(text(_STALE_ROWS))
                status.facts.append(("rows checked against their text", str(rows)))
                if stale:
                    status.problems.append(
                        f"{stale} rows do not match their text any more (drift): "
                        "run `flask search rebuild`"
                    )
        return status


# The same digest as `digest()`, computed in SQL for every row: the opening post of a thread (its
# smallest id) and its translations carry the title.
_STALE_ROWS = """
WITH openers AS (SELECT min(id) AS id FROM posts GROUP BY thread_id)
SELECT count(*)
FROM search_texts s
JOIN posts p ON p.id = s.post_id
JOIN threads t ON t.id = p.thread_id
LEFT JOIN openers o ON o.id = p.id
LEFT JOIN translations tr ON tr.id = s.translation_id
WHERE s.digest IS DISTINCT FROM md5(
    CASE WHEN s.translation_id IS NULL
    THEN p.language || chr(31) || CASE WHEN o.id IS NULL THEN '' ELSE coalesce(t.title, '') END
         || chr(31) || coalesce(p.body_source, '')
    ELSE tr.language || chr(31) || CASE WHEN o.id IS NULL THEN '' ELSE coalesce(tr.title, '') END
         || chr(31) || coalesce(tr.body_source, '')
    END
)
"""
