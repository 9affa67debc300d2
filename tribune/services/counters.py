"""Stored counters and derived values: what each should be, kept true under concurrency.

Lists show counts and last posts without counting rows per line, so these values are stored on
the rows. Each is defined here once, as SQL correlated to its row; the services recount with
these definitions, and `flask --app tribune check` compares every stored value with them (and
repairs with --repair). Search's derived index is not checked here (see `flask search status`).

Increments are written as SQL (`reply_count = reply_count + 1`), never read, added to in Python
and written back: two replies at once would both read 5 and both write 6. A recount locks its
row first (SELECT ... FOR UPDATE on PostgreSQL; SQLite has one writer at a time), so a reply
that commits meanwhile is either counted by the recount or adds its 1 after it.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, false, func, literal, or_, select, update
from sqlalchemy.orm import aliased

from tribune import access
from tribune.extensions import db
from tribune.models import (
    ClosureEvent,
    ModerationLogEntry,
    Paper,
    Post,
    PostRevision,
    Quote,
    Section,
    Thread,
    ThreadLink,
    Translation,
    User,
)
from tribune.services import thread_days
from tribune.services.keys import position_key, username_key
from tribune.services.transaction import transaction


def _opening_post_id():
    opening = aliased(Post)
    return (
        select(func.min(opening.id))
        .where(opening.thread_id == Thread.id)
        .correlate(Thread)
        .scalar_subquery()
    )


def _last_visible_post_id():
    last = aliased(Post)
    return (
        select(func.max(last.id))
        .where(last.thread_id == Thread.id, last.is_hidden.is_(False))
        .correlate(Thread)
        .scalar_subquery()
    )


def _reply_count():
    """Visible posts of the thread but its opening one (hidden replies are not counted)."""
    reply = aliased(Post)
    return (
        select(func.count(reply.id))
        .where(
            reply.thread_id == Thread.id,
            reply.is_hidden.is_(False),
            reply.id != _opening_post_id(),
        )
        .correlate(Thread)
        .scalar_subquery()
    )


def _last_post_at():
    """When the last visible post was written; the thread's own time when none is visible."""
    last = aliased(Post)
    written = (
        select(last.created_at)
        .where(last.id == _last_visible_post_id())
        .correlate(Thread)
        .scalar_subquery()
    )
    return func.coalesce(written, Thread.created_at)


def _thread_is_hidden():
    """A thread is hidden when its opening post is (an emptied, merged thread is not)."""
    opening = aliased(Post)
    hidden = (
        select(opening.is_hidden)
        .where(opening.id == _opening_post_id())
        .correlate(Thread)
        .scalar_subquery()
    )
    return func.coalesce(hidden, false())


def _moderation_count():
    return (
        select(func.count(ModerationLogEntry.id))
        .where(
            or_(
                ModerationLogEntry.thread_id == Thread.id,
                ModerationLogEntry.related_thread_id == Thread.id,
            )
        )
        .correlate(Thread)
        .scalar_subquery()
    )


def _closure_count():
    return (
        select(func.count(ClosureEvent.id))
        .where(ClosureEvent.thread_id == Thread.id)
        .correlate(Thread)
        .scalar_subquery()
    )


def _closed_at():
    """When the debate was closed, if its latest closure event is a close (else NULL)."""
    event, latest = aliased(ClosureEvent), aliased(ClosureEvent)
    latest_id = (
        select(func.max(latest.id)).where(latest.thread_id == Thread.id).correlate(Thread)
    )
    return (
        select(event.created_at)
        .where(event.id == latest_id.scalar_subquery(), event.kind == "close")
        .correlate(Thread)
        .scalar_subquery()
    )


def _link_count():
    return (
        select(func.count(ThreadLink.id))
        .where(or_(ThreadLink.debate_id == Thread.id, ThreadLink.action_id == Thread.id))
        .correlate(Thread)
        .scalar_subquery()
    )


def _thread_count():
    """Threads a reader sees listed in the section (not hidden, not merged away)."""
    return (
        select(func.count(Thread.id))
        .where(Thread.section_id == Section.id, access.visible_threads_clause(None))
        .correlate(Section)
        .scalar_subquery()
    )


def _paper_created_at():
    """A paper is listed by its thread's creation time, read from the paper's own index."""
    return (
        select(Thread.created_at)
        .where(Thread.id == Paper.thread_id)
        .correlate(Paper)
        .scalar_subquery()
    )


def _count_of(model, column):
    return (
        select(func.count(model.id)).where(column == Post.id).correlate(Post).scalar_subquery()
    )


@dataclass(frozen=True)
class Derived:
    """A stored column and the SQL, correlated to its row, of what it should hold."""

    column: object
    expected: object = field(compare=False)

    @property
    def model(self):
        return self.column.class_

    @property
    def key(self):
        """The row's primary key column (papers are keyed by their thread)."""
        return self.model.__mapper__.primary_key[0]

    @property
    def name(self):
        return f"{self.model.__tablename__}.{self.column.key}"


# In dependency order: a thread's hidden state comes before the section counts that read it.
THREAD_VALUES = (
    Derived(Thread.is_hidden, _thread_is_hidden()),
    Derived(Thread.reply_count, _reply_count()),
    Derived(Thread.last_post_id, _last_visible_post_id()),
    Derived(Thread.last_post_at, _last_post_at()),
    Derived(Thread.moderation_count, _moderation_count()),
    Derived(Thread.closure_count, _closure_count()),
    Derived(Thread.closed_at, _closed_at()),
    Derived(Thread.link_count, _link_count()),
)
SECTION_VALUES = (Derived(Section.thread_count, _thread_count()),)
POST_VALUES = (
    Derived(Post.revision_count, _count_of(PostRevision, PostRevision.post_id)),
    Derived(Post.quote_count, _count_of(Quote, Quote.post_id)),
    Derived(Post.translation_count, _count_of(Translation, Translation.post_id)),
)
PAPER_VALUES = (Derived(Paper.created_at, _paper_created_at()),)
ALL_VALUES = THREAD_VALUES + SECTION_VALUES + POST_VALUES + PAPER_VALUES
# What a thread's visible posts decide: recounted after every moderation act on its posts.
VISIBLE_POST_VALUES = THREAD_VALUES[:4]


def lock(model, object_id):
    """Lock one row until the transaction ends (PostgreSQL; SQLite has one writer anyway)."""
    db.session.execute(select(model.id).where(model.id == object_id).with_for_update())


def recount(obj, values):
    """Write the derived `values` of one row from the rows they come from; does not commit."""
    model = type(obj)
    db.session.flush()
    lock(model, obj.id)
    db.session.execute(
        update(model)
        .where(model.id == obj.id)
        .values({value.column.key: value.expected for value in values})
        .execution_options(synchronize_session=False)
    )
    db.session.expire(obj, [value.column.key for value in values])


def add_reply(thread, post):
    """Count a new visible reply and make it the thread's last post, whatever else commits."""
    newer = or_(Thread.last_post_id.is_(None), Thread.last_post_id < post.id)
    thread.reply_count = Thread.reply_count + 1
    thread.last_post_at = case(
        (newer, literal(post.created_at, Thread.last_post_at.type)), else_=Thread.last_post_at
    )
    thread.last_post_id = case((newer, post.id), else_=Thread.last_post_id)


def add(obj, column, step=1):
    """Add `step` to a stored counter in SQL (`n = n + step`), so concurrent adds all count."""
    setattr(obj, column.key, column + step)


@dataclass
class Finding:
    """Rows whose stored value differs from what the rows they come from say."""

    name: str
    wrong: list  # (id, stored, expected) of the first few wrong rows
    total: int

    def describe(self, sample=5):
        shown = ", ".join(
            f"{row_id}: stored {_shown(stored)}, should be {_shown(expected)}"
            for row_id, stored, expected in self.wrong[:sample]
        )
        more = f" and {self.total - sample} more" if self.total > sample else ""
        return f"{self.name}: {self.total} row(s) wrong ({shown}{more})"


def _shown(value):
    return value.isoformat() if isinstance(value, datetime) else repr(value)


def _mismatch(value):
    return value.column.is_distinct_from(value.expected)


def check_value(value, sample=20):
    """The rows whose stored `value` is wrong, as a Finding, or None when all are right."""
    key = value.key
    total = db.session.scalar(select(func.count(key)).where(_mismatch(value)))
    if not total:
        return None
    rows = db.session.execute(
        select(key, value.column, value.expected)
        .where(_mismatch(value))
        .order_by(key)
        .limit(sample)
    ).all()
    return Finding(value.name, [tuple(row) for row in rows], total)


def repair_value(value):
    """Rewrite every wrong stored `value` from its definition; returns how many rows changed."""
    model = value.model
    return db.session.execute(
        update(model)
        .where(_mismatch(value))
        .values({value.column.key: value.expected})
        .execution_options(synchronize_session=False)
    ).rowcount


def _python_derived():
    """Values derived by Python functions: (name, model, column, function of the row)."""
    return (
        ("users.username_key", User, User.username_key, lambda u: username_key(u.username)),
        ("papers.position_key", Paper, Paper.position_key, lambda p: position_key(p.position)),
    )


def _check_python(name, model, column, derive, repair):
    wrong = []
    key = model.__mapper__.primary_key[0]
    for row in db.session.scalars(select(model).order_by(key)):
        expected = derive(row)
        if getattr(row, column.key) != expected:
            wrong.append((getattr(row, key.key), getattr(row, column.key), expected))
            if repair:
                setattr(row, column.key, expected)
    return Finding(name, wrong, len(wrong)) if wrong else None


@transaction
def check(repair=False):
    """Compare every stored counter and derived value with the rows; repair them if asked.

    Returns the findings. Values are checked and repaired in dependency order (a thread's
    hidden state before the section counts that read it); repairs commit once, at the end.
    """
    findings = []
    for value in ALL_VALUES:
        finding = check_value(value)
        if finding is not None:
            findings.append(finding)
            if repair:
                repair_value(value)
    wrong, total = thread_days.check(repair)
    if wrong:
        findings.append(Finding("thread_days.threads", wrong, total))
    for name, model, column, derive in _python_derived():
        finding = _check_python(name, model, column, derive, repair)
        if finding is not None:
            findings.append(finding)
    if repair:
        db.session.commit()
    else:
        db.session.rollback()
    return findings
