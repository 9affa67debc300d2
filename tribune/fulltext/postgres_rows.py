"""The PostgreSQL backend's rows: one `search_texts` row per text, derived in the writer's
transaction.

Each text of a post (texts.py) becomes one row whose `vector` is a tsvector built from the shared
analyzer's tokens, written as a tsvector literal: PostgreSQL's own parsers and dictionaries are
never used, so both backends agree on what a word is. Title words carry weight A, body words D;
the body's positions start after a gap, so no phrase runs from the title into the body. A text in
en/de/fr/nl also holds its stemmed words, marked with the language («de:republ»), at the same
positions. Beside each word, each pair of neighbouring words is a word of its own, so a phrase
is found through the GIN index alone (docs/decisions/0002).

A row also carries its post's thread, author and date (kept in the same transactions as the
post), so a search reads this one table.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import delete, insert, select, update

from tribune.fulltext import texts as texts_module
from tribune.fulltext.analysis import ANALYZER_VERSION, GENERIC, STEM_LANGUAGES, analyzer_for
from tribune.fulltext.texts import Text
from tribune.models import Post, SearchText

TABLE = SearchText.__table__
# tsvector limits: positions 1..16383 (larger ones would be clamped by PostgreSQL anyway), at
# most 256 positions kept per word.
MAX_POSITION = 16383
MAX_POSITIONS = 256
# Positions left empty between a title and its body, so "a b" never matches across them.
TITLE_GAP = 8


def lexeme(field: str, word: str) -> str:
    """The tsvector word for `word` of a compiled.Alternative field: as is for the generic
    analysis, marked with its language for a stemmed one ("de:republ")."""
    return word if field == GENERIC else f"{field.removeprefix('stem_')}:{word}"


def quote(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def pair(first: str, second: str) -> str:
    """The word that stands for `first` followed by `second` (see vector_literal)."""
    return f"~{first}_{second}"


def _add_tokens(positions, analyzer, value: str, start: int, mark: str, weight: str) -> int:
    """Add `value`'s index tokens at positions from `start`, and the pairs of tokens at
    neighbouring positions; return the next free position."""
    # (position, word) read off the analyzer's one reused Token; positions only grow.
    tokens = [
        (token.pos, token.text)
        for token in analyzer(value, positions=True, mode="index", start_pos=start)
    ]
    if not tokens:
        return start
    for position, word in tokens:
        positions[mark + word].add((min(position, MAX_POSITION), weight))
    if not mark:  # phrases match exact words only (querylang.alternatives): no stemmed pairs
        at: dict[int, list[str]] = defaultdict(list)
        for position, word in tokens:
            at[position].append(word)
        for position, words in at.items():
            following = at.get(position + 1)
            if following:
                place = (min(position, MAX_POSITION), weight)
                for second in following:
                    for word in words:
                        positions[pair(word, second)].add(place)
    return tokens[-1][0] + 1


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
        parts.append(f"{quote(word)}:" + ",".join(f"{p}{w}" for p, w in kept))
    return " ".join(parts)


def digest(item: Text) -> str:
    """md5 of what a row is made from; `flask search status` computes the same in SQL."""
    source = f"{item.language}\x1f{item.title}\x1f{item.body_source}"
    return hashlib.md5(source.encode("utf-8"), usedforsecurity=False).hexdigest()


# Where a post stands: its rows' copies of these (see models/search.py). All are the post's own,
# so the post's row lock, which every change of them takes, orders their writers.
PLACE = (Post.thread_id, Post.author_id, Post.created_at)


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
                select(Post.id, *PLACE)
                .where(Post.id.in_(chunk))
                .order_by(Post.id)
                .with_for_update()
            )
        }
        found = texts_module.post_texts(connection, chunk)
        connection.execute(delete(TABLE).where(TABLE.c.post_id.in_(chunk)))
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
                **{column.key: getattr(places[item.post_id], column.key) for column in PLACE},
            }
            for items in found.values()
            for item in items
            if item.post_id in places
        ]
        if rows:
            connection.execute(insert(TABLE), rows)
        written += len(rows)
    return written


def refresh_places(connection, post_ids) -> None:
    """Copy the posts' thread, author and date onto their rows again (a post moved by a merge
    or a split): no text changed, nothing to analyse."""
    connection.execute(
        update(TABLE)
        .where(TABLE.c.post_id == Post.id, TABLE.c.post_id.in_(sorted(post_ids)))
        .values({column.key: column for column in PLACE})
    )


def apply_changes(connection, changes) -> None:
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
    # A set, not a scan of the changes per post: an import hands over ten thousand posts at
    # once, and the scan was quadratic (7 % of an import, issue 14).
    posts -= {c.object_id for c in changes if c.kind == "post" and c.deleted}
    if threads:
        posts.update(texts_module.opening_post_ids(connection, threads).values())
        posts.update(
            connection.scalars(
                select(TABLE.c.post_id)
                .join(Post, Post.id == TABLE.c.post_id)
                .where(TABLE.c.titled, Post.thread_id.in_(sorted(threads)))
            )
        )
    moved -= posts
    if moved:
        refresh_places(connection, moved)
    derive(connection, posts)


# The same digest as `digest()`, computed in SQL for every row (the opening post of a thread, its
# smallest id, and its translations carry the title); and the row's copy of where its post stands.
STALE_ROWS = """
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
