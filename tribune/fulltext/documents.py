"""What the index holds for a post, read from the database: one document per post a reader sees.

Visibility is not decided here: `access.visible_posts_clause(None)` and
`access.visible_threads_clause(None)` are the readers' rule for every list, and search uses
exactly them. A post that fails them (hidden, in a hidden or merged thread, ...) gets no
document, so it cannot show up in results, snippets, counts or totals.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager

from tribune import access
from tribune.fulltext.analysis import filter_value, index_datetime, text_fields
from tribune.models import Post, Section, Thread
from tribune.text.markup import plain_excerpt

# Bodies are indexed whole (the model caps them at MAX_BODY_LENGTH anyway).
_PLAIN_LIMIT = 1_000_000
CHUNK = 500


def visible_posts_query():
    """Posts a reader may see, with thread, section and author loaded in the same statement."""
    return (
        select(Post)
        .join(Post.thread)
        .join(Thread.section)
        .where(access.visible_posts_clause(None), access.visible_threads_clause(None))
        .options(contains_eager(Post.thread).contains_eager(Thread.section))
    )


def load_visible(session: Session, post_ids: Iterable[int]) -> dict[int, Post]:
    """{id: post} for those of `post_ids` a reader may see."""
    ids = sorted(set(post_ids))
    found: dict[int, Post] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for post in session.scalars(visible_posts_query().where(Post.id.in_(chunk))).unique():
            found[post.id] = post
    return found


def iter_visible(session: Session, batch_size: int = CHUNK) -> Iterator[list[Post]]:
    """Every post a reader may see, in id order, a batch at a time (keyset pagination)."""
    last = 0
    while True:
        batch = (
            session.scalars(
                visible_posts_query().where(Post.id > last).order_by(Post.id).limit(batch_size)
            )
            .unique()
            .all()
        )
        if not batch:
            return
        yield batch
        last = batch[-1].id
        session.expunge_all()  # keep memory flat over a whole rebuild


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


def document(post: Post, opening: bool, associations: list[str]) -> dict:
    """The whoosh fields of one visible post (see analysis.build_schema)."""
    thread = post.thread
    section: Section = thread.section
    title = thread.title if opening else ""
    body = plain_excerpt(post.body_source, limit=_PLAIN_LIMIT) if post.body_source else ""
    return {
        "post_id": str(post.id),
        "thread_id": thread.id,
        "area": section.area,
        "section": filter_value(section.slug),
        "author": filter_value(post.author.username),
        "association": ",".join(filter_value(slug) for slug in associations),
        "lang": post.language,
        "kind": thread.kind,
        "created": index_datetime(post.created_at),
        "thread_title": thread.title,
        **text_fields(post.language, title, body),
    }


def documents(session: Session, posts: list[Post]) -> Iterator[dict]:
    """Documents of a batch of visible posts (two extra queries per batch, none per post)."""
    thread_ids = {post.thread_id for post in posts}
    openers = opening_post_ids(session, thread_ids)
    associations = association_slugs(session, thread_ids)
    for post in posts:
        yield document(post, post.id in openers, associations.get(post.thread_id, []))
