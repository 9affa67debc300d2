"""What the index holds for a post, read from the database: one document per post a reader sees.

Visibility is not decided here: `access.visible_posts_clause(None)` and
`access.visible_threads_clause(None)` are the readers' rule for every list, and search uses
exactly them. A post that fails them (hidden, in a hidden or merged thread, ...) gets no
document, so it cannot show up in results, snippets, counts or totals.

Documents are built from plain rows (`source_query`: just the columns a document needs, one
statement per batch), not from ORM objects: a rebuild reads every post, and loading each as a
Post with its thread, section, author (and their eager-loaded relations) cost more than the
markdown. The incremental indexer and the rebuild share `documents`, so both write the same
document for the same post.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session, contains_eager, lazyload, load_only

from tribune import access
from tribune.fulltext.analysis import filter_value, index_datetime, text_fields
from tribune.models import Post, Section, Thread, User
from tribune.text.markup import plain_excerpt

# Bodies are indexed whole (the model caps them at MAX_BODY_LENGTH anyway).
_PLAIN_LIMIT = 1_000_000
CHUNK = 500


@cache
def visible_posts_query():
    """Posts a reader may see, with thread, section and author loaded in the same statement.

    Only the columns a result shows (a result page re-reads ten posts per search, and loading
    whole rows of four tables took most of that): not the models' other eager relations (the
    thread's paper or action and their people, ...), nor the bodies, which results show as the
    index's snippets. Anything else still loads on first use. Built once: statements are
    immutable, and building this one cost as much as running it."""
    return (
        select(Post)
        .join(Post.thread)
        .join(Thread.section)
        .join(Post.author)
        .where(access.visible_posts_clause(None), access.visible_threads_clause(None))
        .options(
            load_only(Post.id, Post.thread_id, Post.author_id, Post.language, Post.created_at),
            contains_eager(Post.thread)
            .load_only(Thread.id, Thread.section_id, Thread.title, Thread.language)
            .contains_eager(Thread.section)
            .load_only(Section.id, Section.area, Section.slug, Section.title, Section.translations),
            contains_eager(Post.author).load_only(
                User.id, User.username, User.display_name, User.deleted_at
            ),
            lazyload("*"),
        )
    )


def load_visible(session: Session, post_ids: Iterable[int]) -> dict[int, Post]:
    """{id: post} for those of `post_ids` a reader may see (ORM objects, for result pages)."""
    ids = sorted(set(post_ids))
    found: dict[int, Post] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for post in session.scalars(visible_posts_query().where(Post.id.in_(chunk))):
            found[post.id] = post
    return found


# The rows documents are made of


def source_query():
    """The columns of the posts a reader may see that their documents are built from."""
    return (
        select(
            Post.id,
            Post.thread_id,
            Post.language,
            Post.body_source,
            Post.created_at,
            User.username,
            Thread.title,
            Thread.kind,
            Section.area,
            Section.slug,
        )
        .join(Thread, Thread.id == Post.thread_id)
        .join(Section, Section.id == Thread.section_id)
        .join(User, User.id == Post.author_id)
        .where(access.visible_posts_clause(None), access.visible_threads_clause(None))
    )


def load_sources(session: Session, post_ids: Iterable[int]) -> dict[int, Row]:
    """{id: source row} for those of `post_ids` a reader may see."""
    ids = sorted(set(post_ids))
    found: dict[int, Row] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for row in session.execute(source_query().where(Post.id.in_(chunk))):
            found[row.id] = row
    return found


def iter_sources(
    session: Session, batch_size: int = CHUNK, first: int = 1, last: int | None = None
) -> Iterator[list[Row]]:
    """Source rows of visible posts with ids in [first, last] (no upper end if None), in id
    order, a batch at a time (keyset pagination: each batch is one indexed range scan)."""
    after = first - 1
    while True:
        query = source_query().where(Post.id > after)
        if last is not None:
            query = query.where(Post.id <= last)
        batch = session.execute(query.order_by(Post.id).limit(batch_size)).all()
        if not batch:
            return
        yield batch
        after = batch[-1].id


def id_ranges(session: Session, parts: int, min_size: int = 1) -> list[tuple[int, int | None]]:
    """Split the visible posts into at most `parts` id ranges of about equal counts, each of at
    least `min_size` posts: [(first, last), ...], the last one open-ended (None), so posts
    committed while a rebuild runs are read too (the change log re-applies them anyway)."""
    visible = source_query().with_only_columns(Post.id).order_by(Post.id)
    total = session.scalar(select(func.count()).select_from(visible.subquery())) or 0
    parts = max(1, min(parts, total // max(min_size, 1)))
    ranges: list[tuple[int, int | None]] = []
    first = 1
    for part in range(1, parts):
        # The first id of the next part: one indexed scan of OFFSET rows per boundary.
        boundary = session.scalar(visible.offset(total * part // parts).limit(1))
        if boundary is None or boundary <= first:
            continue
        ranges.append((first, boundary - 1))
        first = boundary
    ranges.append((first, None))
    return ranges


# Documents


def opening_post_ids(session: Session, thread_ids: Iterable[int]) -> set[int]:
    """The id of the first post of each thread (it carries the thread's title)."""
    ids = sorted(set(thread_ids))
    found: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        found.update(
            session.scalars(
                select(func.min(Post.id)).where(Post.thread_id.in_(chunk)).group_by(Post.thread_id)
            )
        )
    return found


def signature_model():
    """The model linking a thread to the associations that sign it (None without debates)."""
    try:
        from tribune.models.debate import PaperSignature
    except ImportError:  # pragma: no cover - an installation without the debates tables
        return None
    return PaperSignature


def association_slugs(session: Session, thread_ids: Iterable[int]) -> dict[int, list[str]]:
    """{thread_id: [slug, ...]}: the associations co-signing a paper (withdrawn ones don't)."""
    from tribune.models import Association

    signature = signature_model()
    ids = sorted(set(thread_ids))
    if signature is None or not ids:
        return {}
    found: dict[int, list[str]] = {}
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(signature.thread_id, Association.slug)
            .join(Association, Association.id == signature.association_id)
            .where(
                signature.thread_id.in_(ids[start : start + CHUNK]),
                signature.withdrawn_at.is_(None),
            )
        )
        for thread_id, slug in rows:
            found.setdefault(thread_id, []).append(slug)
    return found


def document(source: Row, opening: bool, associations: list[str]) -> dict:
    """The whoosh fields of one visible post (see analysis.build_schema), from its source row."""
    title = source.title if opening else ""
    body = plain_excerpt(source.body_source, limit=_PLAIN_LIMIT) if source.body_source else ""
    return {
        "post_id": str(source.id),
        "thread_id": source.thread_id,
        "area": source.area,
        "section": filter_value(source.slug),
        "author": filter_value(source.username),
        "association": ",".join(filter_value(slug) for slug in associations),
        "lang": source.language,
        "kind": source.kind,
        "created": index_datetime(source.created_at),
        "thread_title": source.title,
        **text_fields(source.language, title, body),
    }


def documents(session: Session, sources: list[Row]) -> Iterator[dict]:
    """Documents of a batch of source rows (two extra queries per batch, none per post)."""
    thread_ids = {source.thread_id for source in sources}
    openers = opening_post_ids(session, thread_ids)
    associations = association_slugs(session, thread_ids)
    for source in sources:
        yield document(source, source.id in openers, associations.get(source.thread_id, []))


def add_range(
    writer, session_factory, batch_size: int, first: int, last: int | None, report
) -> int:
    """Add the documents of the visible posts with ids in [first, last] to a whoosh writer, in
    id order, in a session of their own; `report(n)` after each batch of n posts."""
    count = 0
    with session_factory() as session:
        for sources in iter_sources(session, batch_size, first, last):
            for doc in documents(session, sources):
                writer.add_document(**doc)
            count += len(sources)
            report(len(sources))
    return count
