"""Read queries for the forum pages: one place, each a fixed number of SQL statements."""

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import defer, joinedload, selectinload

from tribune import access
from tribune.extensions import db
from tribune.models import ModerationLogEntry, Post, Section, Thread, User


def sections_by_area():
    """{"tribune": [...], "agenda": [...]} in their display order; archived ones are out of
    the navigation (their addresses still work)."""
    rows = db.session.scalars(
        select(Section)
        .where(Section.archived_at.is_(None))
        .order_by(Section.position, Section.id)
    ).all()
    grouped = {"tribune": [], "agenda": []}
    for section in rows:
        grouped.setdefault(section.area, []).append(section)
    return grouped


def section_by_slug(area, slug):
    """The section with this slug in this area, or None."""
    return db.session.scalar(select(Section).where(Section.area == area, Section.slug == slug))


def latest_threads(sections, limit=10):
    """The most recently active threads of these sections (a page lists them anyway).

    Each section gives its own `limit` newest from the index on (section_id, last_post_at), and
    only those few are sorted: the cost does not grow with the number of threads. Sorting the
    whole area instead made the home page 1.8 times slower at 100k posts than at 10k (issue 14).
    """
    if not sections:
        return []
    visible = access.visible_threads_clause()
    newest = [
        select(Thread.id, Thread.last_post_at)
        .where(Thread.section_id == section.id, visible)
        .order_by(Thread.last_post_at.desc())
        .limit(limit)
        .subquery()
        for section in sections
    ]
    candidates = union_all(*(select(part.c.id, part.c.last_post_at) for part in newest)).subquery()
    chosen = select(candidates.c.id).order_by(candidates.c.last_post_at.desc()).limit(limit)
    query = select(Thread).where(Thread.id.in_(chosen)).order_by(Thread.last_post_at.desc())
    return db.session.scalars(query).all()


def section_threads(section, page, per_page):
    """A page of a section's threads, pinned first, then by latest activity."""
    query = (
        select(Thread)
        .where(Thread.section_id == section.id, access.visible_threads_clause())
        .order_by(Thread.is_pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


# What a thread page reads of its posts and their authors (issue 14): not the Markdown source
# (read again only by the edit form and quoting, which load their one post), and of each author
# only what names them. Loading whole rows was a tenth of the page.
_PAGE_OF_POSTS = (
    defer(Post.body_source),
    joinedload(Post.author).load_only(User.username, User.display_name, User.deleted_at),
)


def thread_posts(thread, page, per_page):
    """A page of a thread's posts in the order they were written, authors loaded with them."""
    query = (
        select(Post).where(Post.thread_id == thread.id).order_by(Post.id).options(*_PAGE_OF_POSTS)
    )
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False, count=False)
    # Counted from the index on (thread_id, id): paginate's own count wraps the whole select in
    # a subquery, built anew each time (as much Python as loading the 50 posts).
    pagination.total = db.session.scalar(
        select(func.count(Post.id)).where(Post.thread_id == thread.id)
    )
    return pagination


def last_posts(threads):
    """{thread_id: Post} for the last post of each thread, in one query."""
    ids = [t.last_post_id for t in threads if t.last_post_id]
    if not ids:
        return {}
    posts = db.session.scalars(select(Post).where(Post.id.in_(ids))).all()
    return {post.thread_id: post for post in posts}


def page_of_post(post, per_page):
    """The page of its thread on which a post appears."""
    before = db.session.scalar(
        select(func.count(Post.id)).where(Post.thread_id == post.thread_id, Post.id < post.id)
    )
    return before // per_page + 1


def post_with_revisions(post_id):
    """A post with its revisions loaded, or None."""
    return db.session.scalar(
        select(Post).where(Post.id == post_id).options(selectinload(Post.revisions))
    )


def visible_post(user, post_id):
    """The post if it exists and the user may see it, else None."""
    post = db.session.get(Post, post_id)
    return post if access.can_view_post(user, post) else None


def thread_moderation_acts(thread, limit=20):
    """The latest moderation log entries concerning a thread (none queried if it has none)."""
    if not thread.moderation_count:
        return []
    return db.session.scalars(
        select(ModerationLogEntry)
        .where(
            (ModerationLogEntry.thread_id == thread.id)
            | (ModerationLogEntry.related_thread_id == thread.id)
        )
        .order_by(ModerationLogEntry.id.desc())
        .limit(limit)
    ).all()
