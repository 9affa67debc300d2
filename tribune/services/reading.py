"""Unread markers (issue 16): how far each participant has read, and "mark all read".

A thread is unread for a participant when its last visible post is newer than what they have
read there: the highest post id shown to them on its pages (ThreadRead), or a "mark all read"
of its section or of everything (ReadMark), whichever is higher. Threads whose last post is
older than the account are read: a newcomer does not find the whole archive marked new.
"""

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tribune import access
from tribune.extensions import db
from tribune.models import Post, ReadMark, ThreadRead
from tribune.models.base import utcnow
from tribune.services import NotFound
from tribune.services.transaction import transaction

EVERYWHERE = 0


def _floors(user, threads):
    """{thread_id: highest post id read} for the given threads, in two queries."""
    ids = [thread.id for thread in threads]
    reads = dict(
        db.session.execute(
            select(ThreadRead.thread_id, ThreadRead.last_read_post_id).where(
                ThreadRead.user_id == user.id, ThreadRead.thread_id.in_(ids)
            )
        ).all()
    )
    sections = {thread.section_id for thread in threads} | {EVERYWHERE}
    marks = dict(
        db.session.execute(
            select(ReadMark.section_id, ReadMark.up_to_post_id).where(
                ReadMark.user_id == user.id, ReadMark.section_id.in_(sections)
            )
        ).all()
    )
    return {
        thread.id: max(
            reads.get(thread.id, 0), marks.get(thread.section_id, 0), marks.get(EVERYWHERE, 0)
        )
        for thread in threads
    }, reads


def unread_threads(user, threads):
    """The ids of the threads in `threads` with posts the participant has not read."""
    threads = [thread for thread in threads if thread is not None]
    if not access.is_participant(user) or not threads:
        return set()
    floors, _reads = _floors(user, threads)
    return {
        thread.id
        for thread in threads
        if thread.last_post_id
        and thread.last_post_id > floors[thread.id]
        and thread.last_post_at > user.created_at
    }


def first_unread(user, thread):
    """The first post of the thread the participant has not read, if they read some of it
    before (a thread never opened opens at its start); None otherwise."""
    if not access.is_participant(user):
        return None
    floors, reads = _floors(user, [thread])
    floor = floors[thread.id]
    if not floor or not thread.last_post_id or thread.last_post_id <= floor:
        return None
    return db.session.scalar(
        select(Post)
        .where(Post.thread_id == thread.id, Post.id > floor, access.visible_posts_clause(user))
        .order_by(Post.id)
        .limit(1)
    )


@transaction
def mark_seen(user, thread, posts):
    """The participant was shown `posts` of the thread: read up to the highest of them."""
    if not access.is_participant(user) or not posts:
        return
    highest = max(post.id for post in posts)
    for _attempt in range(2):
        row = db.session.get(ThreadRead, (user.id, thread.id))
        if row is not None and row.last_read_post_id >= highest:
            return
        if row is None:
            db.session.add(ThreadRead(user_id=user.id, thread_id=thread.id,
                                      last_read_post_id=highest, read_at=utcnow()))  # fmt: skip
        else:
            row.last_read_post_id = highest
            row.read_at = utcnow()
        try:
            db.session.commit()
            return
        except IntegrityError:
            # The same participant's other tab wrote the row first: update it instead.
            db.session.rollback()


@transaction
def mark_all_read(user, section=None):
    """Everything written so far counts as read, in one section or everywhere."""
    if not access.is_participant(user):
        raise NotFound()
    scope = section.id if section is not None else EVERYWHERE
    newest = db.session.scalar(select(func.max(Post.id))) or 0
    mark = db.session.get(ReadMark, (user.id, scope))
    if mark is None:
        mark = ReadMark(user_id=user.id, section_id=scope)
        db.session.add(mark)
    mark.up_to_post_id = max(mark.up_to_post_id or 0, newest)
    mark.marked_at = utcnow()
    db.session.commit()
