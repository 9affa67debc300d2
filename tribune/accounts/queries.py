"""Reading a participant's activity for their public page: the threads they opened, their
replies and their papers, each as the reader may see them (access.visible_posts_clause and
visible_threads_clause)."""

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from tribune import access
from tribune.extensions import db
from tribune.models import Paper, PaperSignature, Post, Thread


def threads_of(user, reader):
    """The threads the participant opened that `reader` may see."""
    return select(Thread).where(Thread.author_id == user.id, access.visible_threads_clause(reader))


def papers_of(user, reader):
    """Papers the participant wrote, or signed for an association (a signature in force)."""
    signed = (
        select(PaperSignature.id)
        .where(
            PaperSignature.thread_id == Thread.id,
            PaperSignature.signed_by_id == user.id,
            PaperSignature.withdrawn_at.is_(None),
        )
        .exists()
    )
    return (
        select(Thread)
        .join(Paper, Paper.thread_id == Thread.id)
        .where(or_(Thread.author_id == user.id, signed), access.visible_threads_clause(reader))
    )


def replies_of(user, reader):
    """The participant's posts that answer a thread (not its opening post), readable by
    `reader`, in threads `reader` may see."""
    earlier = aliased(Post)
    return (
        select(Post)
        .join(Thread, Thread.id == Post.thread_id)
        .where(
            Post.author_id == user.id,
            access.visible_posts_clause(reader),
            access.visible_threads_clause(reader),
            select(earlier.id)
            .where(earlier.thread_id == Post.thread_id, earlier.id < Post.id)
            .exists(),
        )
    )


def count(query):
    """How many rows `query` selects."""
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def post_count(user, reader):
    """How many of the participant's posts `reader` may read."""
    return count(
        select(Post.id).where(Post.author_id == user.id, access.visible_posts_clause(reader))
    )
