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
import itertools
import json
import logging
import math
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
    exists,
    func,
    insert,
    literal,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import TSQUERY, distinct_on
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ClauseElement, Executable

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
RANK_LIMIT = 2_000
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


def pair(first: str, second: str) -> str:
    """The word that stands for `first` followed by `second` (see vector_literal)."""
    return f"~{first}_{second}"


def _add_tokens(positions, analyzer, value: str, start: int, mark: str, weight: str) -> int:
    """Add `value`'s index tokens at positions from `start`, and the pairs of tokens at
    neighbouring positions; return the next free position."""
    last = start - 1
    at: dict[int, list[str]] = defaultdict(list)
    for token in analyzer(value, positions=True, mode="index", start_pos=start):
        position = min(token.pos, MAX_POSITION)
        positions[mark + token.text].add((position, weight))
        at[token.pos].append(token.text)
        last = max(last, token.pos)
    if not mark:  # phrases match exact words only (querylang.alternatives): no stemmed pairs
        for position, words in at.items():
            for following in at.get(position + 1, ()):
                for word in words:
                    positions[pair(word, following)].add((min(position, MAX_POSITION), weight))
    return last + 1


def vector_literal(item: Text) -> str:
    """The tsvector literal of one text: 'word':1A,7 'other':3 ...

    Beside each word, each pair of neighbouring words is a word of its own («~جمهوری_اسلامی»):
    a phrase then matches by its pairs through the GIN index alone, where PostgreSQL would
    otherwise read every post holding all its words to compare positions (at a million posts,
    a phrase of common words is tens of thousands of them)."""
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


# Where a post stands: its rows' copies of these (see models/search.py). All are the post's own,
# so the post's row lock, which every change of them takes, orders their writers.
_PLACE = (Post.thread_id, Post.author_id, Post.created_at)


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
        places = {
            row.id: row
            for row in connection.execute(
                select(Post.id, *_PLACE)
                .where(Post.id.in_(chunk))
                .order_by(Post.id)
                .with_for_update()
            )
        }
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
                **{column.key: getattr(places[item.post_id], column.key) for column in _PLACE},
            }
            for items in found.values()
            for item in items
            if item.post_id in places
        ]
        if rows:
            connection.execute(insert(_TABLE), rows)
        written += len(rows)
    return written


def refresh_places(connection, post_ids) -> None:
    """Copy the posts' thread, author and date onto their rows again (a post moved by a merge
    or a split): no text changed, nothing to analyse."""
    connection.execute(
        update(_TABLE)
        .where(_TABLE.c.post_id == Post.id, _TABLE.c.post_id.in_(sorted(post_ids)))
        .values({column.key: column for column in _PLACE})
    )


def _apply(connection, changes) -> None:
    """Bring the rows a flush's changes made wrong up to date: new or edited texts analysed
    again; moved posts given their new place; and the title carriers of threads whose first
    post may have changed (a move, merge or split) analysed again. A thread's section and kind
    are read from the thread when searching: moving a thread rewrites no row."""
    posts: set[int] = set()
    moved: set[int] = set()
    threads: set[int] = set()
    for change in changes:
        if change.kind == "post":
            if change.created or change.attributes & {"body_source", "language"}:
                posts.add(change.object_id)
            elif change.attributes & {"thread_id", "author_id", "created_at"}:
                moved.add(change.object_id)
            if change.deleted or ("thread_id" in change.attributes and not change.created):
                threads.update(change.refs.get("thread", ()))
        elif change.kind == "thread" and "title" in change.attributes and not change.created:
            threads.add(change.object_id)
        elif change.kind == "translation":
            posts.update(change.refs.get("post", ()))
    posts = {post for post in posts if not _deleted(changes, post)}
    if threads:
        posts.update(texts_module.opening_post_ids(connection, threads).values())
        posts.update(
            connection.scalars(
                select(_TABLE.c.post_id)
                .join(Post, Post.id == _TABLE.c.post_id)
                .where(_TABLE.c.titled, Post.thread_id.in_(sorted(threads)))
            )
        )
    moved -= posts
    if moved:
        refresh_places(connection, moved)
    derive(connection, posts)


def _deleted(changes, post_id: int) -> bool:
    return any(c.kind == "post" and c.deleted and c.object_id == post_id for c in changes)


# Querying


def _alternative(alternative) -> str:
    words = [lexeme(alternative.field, word) for word in alternative.words]
    if alternative.prefix:
        return _quote(words[0]) + ":*"
    if len(words) == 1:
        return _quote(words[0])
    # A phrase of two words is one pair; a longer one needs its pairs, and its words in order.
    pairs = [
        _quote(pair(lexeme(alternative.field, a), b))
        for a, b in itertools.pairwise(alternative.words)
    ]
    if len(pairs) == 1:
        return pairs[0]
    return "(" + " & ".join(pairs) + " & (" + " <-> ".join(map(_quote, words)) + "))"


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
    thread, date, score).

    Only `search_texts` is scanned: what readers may not see is excluded by the few hidden posts
    (access.hidden_post_ids), and filters become sets of thread or author ids from their own
    tables, so the match is found through the GIN index alone, whatever the size of the forum."""
    words = tsquery(query)
    table = _TABLE.c
    match = cast(bindparam("words", words), TSQUERY) if words is not None else None
    if match is not None and ranked:
        weights = literal_column(f"'{WEIGHTS}'::float4[]")
        score = func.ts_rank(weights, table.vector, match, LENGTH_NORMALIZATION)
    else:
        score = literal(0.0)
    statement = (
        select(
            table.post_id,
            table.translation_id,
            table.language,
            table.thread_id,
            table.created_at,
            score.label("score"),
        )
        .select_from(_TABLE)
        .where(table.post_id.not_in(access.hidden_post_ids()))
    )
    if match is not None:
        statement = statement.where(table.vector.op("@@")(match))
    filters = query.filters
    threads = None
    if "area" in filters or "section" in filters:
        threads = select(Thread.id).join(Section, Section.id == Thread.section_id)
        if "area" in filters:
            threads = threads.where(Section.area == filters["area"])
        if "section" in filters:
            threads = threads.where(func.lower(Section.slug) == filters["section"])
    if "kind" in filters:
        threads = select(Thread.id) if threads is None else threads
        threads = threads.where(Thread.kind == filters["kind"])
    if threads is not None:
        statement = statement.where(table.thread_id.in_(threads))
    if "author" in filters:
        authors = select(User.id).where(User.username_key == filters["author"])
        statement = statement.where(table.author_id.in_(authors))
    if "association" in filters:
        signed = (
            select(PaperSignature.thread_id)
            .join(Association, Association.id == PaperSignature.association_id)
            .where(
                PaperSignature.withdrawn_at.is_(None),
                func.lower(Association.slug) == filters["association"],
            )
        )
        statement = statement.where(table.thread_id.in_(signed))
    if "lang" in filters:
        statement = statement.where(table.language == filters["lang"])
    if query.after is not None:
        statement = statement.where(table.created_at >= _utc(query.after, end=False))
    if query.before is not None:
        statement = statement.where(table.created_at <= _utc(query.before, end=True))
    if query.thread_id is not None:
        statement = statement.where(table.thread_id == query.thread_id)
    return statement


# For the statements of a search, until the end of the transaction: no JIT (its compiling
# cost tens of milliseconds a statement at a million posts and saved nothing); no parallel
# workers (a search reads one index and a few thousand rows: extra processes only compete with
# the other requests); room to keep the bitmap of a common word exact rather than lossy.
_SEARCH_SETTINGS = {"jit": "off", "max_parallel_workers_per_gather": "0", "work_mem": "32MB"}


def _tune(session) -> None:
    settings = [func.set_config(name, value, True) for name, value in _SEARCH_SETTINGS.items()]
    session.execute(select(*settings))


def _count(session, matching: Select, limit: int) -> int:
    """How many posts match, counting up to `limit` + 1 (reading about that many rows). Posts,
    not texts: a post whose own text and a translation both match counts once."""
    posts = matching.with_only_columns(_TABLE.c.post_id).distinct().limit(limit + 1).subquery()
    return session.scalar(select(func.count()).select_from(posts))


class Explain(Executable, ClauseElement):
    """`EXPLAIN (FORMAT JSON) <statement>`, with the statement's parameters bound as usual
    (SQLAlchemy's documented recipe for custom constructs)."""

    inherit_cache = False

    def __init__(self, statement) -> None:
        self.statement = statement


@compiles(Explain, "postgresql")
def _compile_explain(element, compiler, **kw):
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.statement, **kw)


def _estimated_rows(session, statement: Select) -> float:
    """PostgreSQL's own estimate of the rows `statement` returns (from its statistics of the
    words: the commonest lexemes and their frequencies, kept by ANALYZE)."""
    plan = session.execute(Explain(statement)).scalar()
    if isinstance(plan, str):
        plan = json.loads(plan)
    return float(plan[0]["Plan"]["Plan Rows"])


def _newest(session, matching: Select, limit: int, oldest: bool = False) -> Select:
    """The `limit` newest (or oldest) of many matches, without reading all of them.

    Reading every match of a common word to sort them costs one heap row per match (at a
    million posts, tens of thousands). Posts are numbered as they are written, so the newest
    matches are among the posts with the highest ids: the match is intersected with an id range
    holding about three times `limit` matches by PostgreSQL's estimate of how common the words
    are, and widened until it holds more than `limit` (an estimate can be low)."""
    post_id = _TABLE.c.post_id
    created = _TABLE.c.created_at
    ordered = created.asc() if oldest else created.desc()
    if oldest:
        # Archives imported later carry old dates and new ids: only dates give the oldest.
        return matching.order_by(ordered).limit(limit)
    top = session.scalar(select(func.max(post_id))) or 0
    share = _estimated_rows(session, matching) / max(top, 1)
    span = max(limit, math.ceil(3 * limit / max(share, 1e-9)))
    while span < top:
        window = matching.where(post_id > top - span)
        if _count(session, window, limit) > limit:
            return window.order_by(ordered).limit(limit)
        span *= 4
    return matching.order_by(ordered).limit(limit)


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
        _apply(session.connection(), changes)

    # Searching

    def search(self, session, query, *, sort, page, per_page, group) -> Found:
        """One page of grouped or plain results, exact totals up to `rank_limit`."""
        found = Found()
        first = (page - 1) * per_page
        if query.matches_nothing or first >= MAX_RESULTS:
            return found
        try:
            self._check_built(session)
            _tune(session)
            matching = _matching(query, ranked=sort == "relevance")
            total = _count(session, matching, self.rank_limit)
            capped = total > self.rank_limit
            if capped:
                # Rank the newest `rank_limit` matches (the oldest for sort=oldest).
                matching = _newest(session, matching, self.rank_limit, oldest=sort == "oldest")
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
                stale, misplaced = session.execute(text(_STALE_ROWS)).one()
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


# The same digest as `digest()`, computed in SQL for every row (the opening post of a thread, its
# smallest id, and its translations carry the title); and the row's copy of where its post stands.
_STALE_ROWS = """
WITH openers AS (SELECT min(id) AS id FROM posts GROUP BY thread_id)
SELECT
  count(*) FILTER (WHERE s.digest IS DISTINCT FROM md5(
    CASE WHEN s.translation_id IS NULL
    THEN p.language || chr(31) || CASE WHEN o.id IS NULL THEN '' ELSE coalesce(t.title, '') END
         || chr(31) || coalesce(p.body_source, '')
    ELSE tr.language || chr(31) || CASE WHEN o.id IS NULL THEN '' ELSE coalesce(tr.title, '') END
         || chr(31) || coalesce(tr.body_source, '')
    END)),
  count(*) FILTER (WHERE s.thread_id IS DISTINCT FROM p.thread_id
    OR s.author_id IS DISTINCT FROM p.author_id OR s.created_at IS DISTINCT FROM p.created_at)
FROM search_texts s
JOIN posts p ON p.id = s.post_id
JOIN threads t ON t.id = p.thread_id
LEFT JOIN openers o ON o.id = p.id
LEFT JOIN translations tr ON tr.id = s.translation_id
"""
