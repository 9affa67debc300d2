"""What search holds of a post, read from the database: its texts, and the posts readers may see.

A post has one searchable text in its own language (its body, and the thread's title when it
opens the thread) and one per translation (the translation's body, and its title for an opening
post). Both backends index exactly these texts, through `post_texts`, so a word of a German
translation finds its post whichever backend runs, and a rebuild and an incremental update make
the same thing of the same post.

Visibility is not decided here: `access.visible_posts_clause(None)` and
`access.visible_threads_clause(None)` are the readers' rule for every list, and search uses
exactly them, when matching (PostgreSQL) or when deciding what to index (Whoosh), and again when
a page of results is read (`load_visible`), so even a backend that lagged could not show a
hidden post.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager, lazyload, load_only

from tribune import access
from tribune.models import Post, Section, Thread, Translation, User
from tribune.text.markup import plain_excerpt

# Bodies are indexed whole (the model caps them at MAX_BODY_LENGTH anyway).
PLAIN_LIMIT = 1_000_000
CHUNK = 500


@dataclass(frozen=True)
class Text:
    """One searchable text of a post: the original (translation_id None) or a translation."""

    post_id: int
    translation_id: int | None
    language: str
    title: str  # the thread's title (or its translation) on the opening post; "" on replies
    body_source: str  # Markdown as written

    @property
    def key(self) -> str:
        """A stable name for the text: "p<post id>" or "t<translation id>"."""
        return f"p{self.post_id}" if self.translation_id is None else f"t{self.translation_id}"

    def plain_body(self) -> str:
        """The body as plain text: what is tokenized and what snippets are cut from."""
        return plain_body(self.body_source)


def plain_body(source: str | None) -> str:
    """Plain text of a Markdown body (whitespace collapsed), whole."""
    return plain_excerpt(source, limit=PLAIN_LIMIT) if source else ""


def chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def opening_post_ids(session: Session, thread_ids: Iterable[int]) -> dict[int, int]:
    """{thread_id: id of its first post} (the post that carries the thread's title)."""
    # One index lookup per thread (posts are indexed by thread and id): grouping the posts of
    # 500 threads instead made PostgreSQL scan the whole table at a million posts.
    first = (
        select(func.min(Post.id))
        .where(Post.thread_id == Thread.id)
        .correlate(Thread)
        .scalar_subquery()
    )
    found: dict[int, int] = {}
    for chunk in chunks(thread_ids):
        rows = session.execute(select(Thread.id, first).where(Thread.id.in_(chunk)))
        found.update((thread_id, post_id) for thread_id, post_id in rows if post_id is not None)
    return found


def post_texts(session: Session, post_ids: Iterable[int]) -> dict[int, list[Text]]:
    """{post_id: its texts, the original first} for the posts that exist (visible or not)."""
    posts = []
    for chunk in chunks(post_ids):
        posts += session.execute(
            select(Post.id, Post.thread_id, Post.language, Post.body_source, Thread.title)
            .join(Thread, Thread.id == Post.thread_id)
            .where(Post.id.in_(chunk))
        ).all()
    if not posts:
        return {}
    openers = set(opening_post_ids(session, {row.thread_id for row in posts}).values())
    texts: dict[int, list[Text]] = {}
    for row in posts:
        title = row.title if row.id in openers else ""
        texts[row.id] = [Text(row.id, None, row.language, title or "", row.body_source or "")]
    for chunk in chunks(texts):
        translations = session.execute(
            select(
                Translation.id,
                Translation.post_id,
                Translation.language,
                Translation.title,
                Translation.body_source,
            )
            .where(Translation.post_id.in_(chunk))
            .order_by(Translation.id)
        )
        for row in translations:
            title = (row.title or "") if row.post_id in openers else ""
            texts[row.post_id].append(
                Text(row.post_id, row.id, row.language, title, row.body_source or "")
            )
    return texts


# What readers may see


@cache
def visible_posts_query():
    """Posts a reader may see, with thread, section and author loaded in the same statement.

    Only the columns a result shows (a result page re-reads ten posts per search, and loading
    whole rows of four tables took most of that): not the models' other eager relations (the
    thread's paper or action and their people, ...). Anything else still loads on first use.
    Built once: statements are immutable, and building this one cost as much as running it."""
    return (
        select(Post)
        .join(Post.thread)
        .join(Thread.section)
        .join(Post.author)
        .where(access.visible_posts_clause(None), access.visible_threads_clause(None))
        .options(
            load_only(
                Post.id,
                Post.thread_id,
                Post.author_id,
                Post.language,
                Post.created_at,
                Post.body_source,
            ),
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
    found: dict[int, Post] = {}
    for chunk in chunks(post_ids):
        for post in session.scalars(visible_posts_query().where(Post.id.in_(chunk))):
            found[post.id] = post
    return found


def load_translations(session: Session, translation_ids: Iterable[int]) -> dict[int, Translation]:
    """{id: translation} (their posts' visibility is load_visible's to decide)."""
    found: dict[int, Translation] = {}
    for chunk in chunks(translation_ids):
        query = (
            select(Translation)
            .where(Translation.id.in_(chunk))
            .options(
                load_only(
                    Translation.id,
                    Translation.post_id,
                    Translation.language,
                    Translation.title,
                    Translation.body_source,
                ),
                lazyload("*"),
            )
        )
        for translation in session.scalars(query):
            found[translation.id] = translation
    return found


def all_post_ids(
    session: Session, last: int, after: int = 0, batch: int = CHUNK
) -> Iterator[list[int]]:
    """Every post id in (after, last], in id order, a batch at a time (keyset pagination)."""
    while True:
        ids = list(
            session.scalars(
                select(Post.id)
                .where(Post.id > after, Post.id <= last)
                .order_by(Post.id)
                .limit(batch)
            )
        )
        if not ids:
            return
        yield ids
        after = ids[-1]
