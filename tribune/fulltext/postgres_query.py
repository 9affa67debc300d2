"""The PostgreSQL backend's queries: a compiled query as SQL over `search_texts`.

Only `search_texts` is scanned: what readers may not see is excluded by the few hidden posts
(access.hidden_post_ids), and filters become sets of thread or author ids from their own
tables, so the match is found through the GIN index alone, whatever the size of the forum.

Ranking: `ts_rank` with title words counting twice body words, normalized by the text's length
(flag 1: rank / (1 + log(length))). Its weight for a word grows with the word's occurrences and
saturates, like BM25's term frequency; unlike BM25 it does not weigh rare words above common
ones within one query. docs/decisions/0002 says why, and how large result sets are counted
and ranked.
"""

from __future__ import annotations

import itertools
import json
import math
from datetime import UTC, datetime
from datetime import time as clock

from sqlalchemy import (
    Select,
    bindparam,
    cast,
    distinct,
    func,
    literal,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import TSQUERY, distinct_on
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ClauseElement, Executable

from tribune import access
from tribune.fulltext.backend import GROUP_LIMIT
from tribune.fulltext.postgres_rows import TABLE, lexeme, pair, quote
from tribune.models import Association, PaperSignature, Section, Thread, User

# ts_rank weights for labels D, C, B, A: body words are D, title words A.
WEIGHTS = "{0.5,0.5,0.5,1.0}"
LENGTH_NORMALIZATION = 1


def _alternative(alternative) -> str:
    words = [lexeme(alternative.field, word) for word in alternative.words]
    if alternative.prefix:
        return quote(words[0]) + ":*"
    if len(words) == 1:
        return quote(words[0])
    # A phrase of two words is one pair; a longer one needs its pairs, and its words in order.
    pairs = [
        quote(pair(lexeme(alternative.field, a), b))
        for a, b in itertools.pairwise(alternative.words)
    ]
    if len(pairs) == 1:
        return pairs[0]
    return "(" + " & ".join(pairs) + " & (" + " <-> ".join(map(quote, words)) + "))"


def tsquery(query) -> str | None:
    """The tsquery text of a compiled.CompiledQuery's words; None when it has none (a search by
    filters alone, which may still exclude words: "@sara -Demonstration")."""
    clauses = ["(" + " | ".join(map(_alternative, clause)) + ")" for clause in query.required]
    if query.excluded:
        clauses.append("!(" + " | ".join(map(_alternative, query.excluded)) + ")")
    return " & ".join(clauses) if clauses else None


def _utc(day, end: bool) -> datetime:
    return datetime.combine(day, clock.max if end else clock.min, tzinfo=UTC)


def words_matched(query):
    """The tsquery of `query`'s words as one bound SQL expression, or None (filters alone)."""
    words = tsquery(query)
    return cast(bindparam("words", words), TSQUERY) if words is not None else None


def matching(query, match) -> Select:
    """The texts that match `query` (`match` is its words_matched) in posts readers may see:
    (post, translation, language, thread, date, vector). Ranking is left to `page`, which
    reads the vectors of the matches it ranks only.

    Only `search_texts` is scanned: what readers may not see is excluded by the few hidden posts
    (access.hidden_post_ids), and filters become sets of thread or author ids from their own
    tables, so the match is found through the GIN index alone, whatever the size of the forum."""
    table = TABLE.c
    statement = (
        select(
            table.post_id,
            table.translation_id,
            table.language,
            table.thread_id,
            table.created_at,
            table.vector,
        )
        .select_from(TABLE)
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


# For the statements of a search: no JIT (its compiling cost tens of milliseconds a statement
# at a million posts and saved nothing); no parallel workers (a search reads one index and a few
# thousand rows: extra processes only compete with the other requests); room to keep the bitmap
# of a common word exact rather than lossy; and matches found through the GIN index only.
# PostgreSQL does not count the cost of testing `@@` on a row (reading and decompressing its
# vector, a kilobyte or more), so for a common word under LIMIT or ORDER BY it prefers walking
# a btree or the table and testing every row: measured at 100k posts, 11,500 rows tested to
# count 2,001 matches, 200-250 ms, against 20-40 ms through the bitmap of the GIN index.
SEARCH_SETTINGS = {
    "jit": "off",
    "max_parallel_workers_per_gather": "0",
    "work_mem": "32MB",
    "enable_indexscan": "off",
    "enable_seqscan": "off",
}


def tune(session) -> None:
    """Apply SEARCH_SETTINGS until `untune` (or the end of the transaction)."""
    settings = [func.set_config(name, value, True) for name, value in SEARCH_SETTINGS.items()]
    session.execute(select(*settings))


def untune(session) -> None:
    """Give the rest of the transaction (loading the hits' posts) the server's own settings."""
    session.execute(
        text("SELECT set_config(name, reset_val, true) FROM pg_settings WHERE name = ANY(:names)"),
        {"names": list(SEARCH_SETTINGS)},
    )


def count_posts(session, matching: Select, limit: int) -> int:
    """How many posts match, counting up to `limit` + 1. Posts, not texts: a post whose own
    text and a translation both match counts once.

    The texts are read under a plain LIMIT, which stops the scan as soon as enough are found
    (a DISTINCT would read every match of a common word first), and counted as posts; only
    when translations made the texts outnumber the posts is a larger LIMIT read."""
    texts = limit + 1
    while True:
        read = matching.with_only_columns(TABLE.c.post_id).limit(texts).subquery()
        found, posts = session.execute(
            select(func.count(), func.count(distinct(read.c.post_id)))
        ).one()
        if found < texts or posts > limit:
            return posts
        texts *= 2


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


def last_post_id(session) -> int:
    """The highest post id with search rows (read before `tune`: the btree answers it)."""
    return session.scalar(select(func.max(TABLE.c.post_id))) or 0


def bounded(session, matching: Select, limit: int, top: int, oldest: bool = False):
    """(total, matches to rank, capped): every match when at most `limit` posts match;
    otherwise the `limit` newest (or oldest) of them, and a total of `limit`.

    Reading every match of a common word costs one table row per match (at a million posts,
    tens of thousands). Posts are numbered as they are written, so the newest matches are among
    the posts with the highest ids (`top`, from `last_post_id`): the match is first counted in
    an id range that holds about twice `limit` matches by PostgreSQL's estimate of how common
    the words are. More than `limit` there means more than `limit` in all, so one count
    answers both questions; fewer (the estimate was high), and the range is widened until it
    holds enough or is everything."""
    post_id = TABLE.c.post_id
    created = TABLE.c.created_at
    # Archives imported later carry old dates and new ids: only dates give the oldest, so
    # sort=oldest counts all the matches and sorts them by date.
    if not oldest:
        share = _estimated_rows(session, matching) / max(top, 1)
        span = max(limit, math.ceil(2 * limit / max(share, 1e-9)))
        while span < top:
            window = matching.where(post_id > top - span)
            if count_posts(session, window, limit) > limit:
                return limit, window.order_by(created.desc()).limit(limit), True
            span *= 4
    total = count_posts(session, matching, limit)
    if total <= limit:
        return total, matching, False
    return limit, matching.order_by(created.asc() if oldest else created.desc()).limit(limit), True


def _order(columns, sort: str):
    if sort == "newest":
        return (columns.created_at.desc(), columns.post_id.desc())
    if sort == "oldest":
        return (columns.created_at.asc(), columns.post_id.asc())
    return (columns.score.desc(), columns.created_at.desc(), columns.post_id.desc())


def page(matching: Select, match, sort: str, first: int, per_page: int, group: bool) -> Select:
    """One page of `matching`: each post once (its best text), in `sort` order, `per_page` + 1
    rows from `first` (the extra row says whether a next page exists); grouped: at most
    GROUP_LIMIT posts of a thread, with how many the thread holds.

    Relevance is `ts_rank` of each matching text's vector, computed here, above any LIMIT in
    `matching` (bounded's newest matches): reading a vector costs a kilobyte or more, so only
    the texts that are ranked are read."""
    matched = matching.subquery("matched")
    if match is not None and sort == "relevance":
        weights = literal_column(f"'{WEIGHTS}'::float4[]")
        score = func.ts_rank(weights, matched.c.vector, match, LENGTH_NORMALIZATION)
    else:
        score = literal(0.0)
    scored = select(
        matched.c.post_id,
        matched.c.translation_id,
        matched.c.language,
        matched.c.thread_id,
        matched.c.created_at,
        score.label("score"),
    ).cte("scored")
    # A post whose own text and a translation both match is one result: its best text,
    # its own text first on a tie.
    best = (
        select(scored)
        .ext(distinct_on(scored.c.post_id))
        .order_by(
            scored.c.post_id,
            scored.c.score.desc(),
            scored.c.translation_id.asc().nulls_first(),
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
