"""Read queries for position papers: lists filtered by position and association, comparisons."""

from sqlalchemy import func, select

from tribune import access
from tribune.extensions import db
from tribune.models import Association, Paper, PaperSignature, Section, Thread

# How many papers the side-by-side comparison shows per position.
COMPARE_LIMIT = 12


def _papers(user, position_key=None, association=None):
    query = (
        select(Thread)
        .join(Paper, Paper.thread_id == Thread.id)
        .join(Thread.section)
        .where(Section.area == "tribune", access.visible_threads_clause(user))
    )
    return _filtered(query, position_key, association)


def _filtered(query, position_key=None, association=None):
    if position_key:
        query = query.where(Paper.position_key == position_key)
    if association is not None:
        query = query.where(
            select(PaperSignature.id)
            .where(
                PaperSignature.thread_id == Paper.thread_id,
                PaperSignature.association_id == association.id,
                PaperSignature.withdrawn_at.is_(None),
            )
            .exists()
        )
    return query


def _listed_papers(user, position_key=None, association=None, columns=(Paper.thread_id,)):
    """`columns` of the papers `user` may see, as a query that starts from papers alone.

    The thread's conditions (in the tribune, visible to `user`) are a correlated EXISTS read
    through the thread's primary key, so the query walks papers only, newest first through
    ix_papers_listed. Joining threads instead let SQLite start from every thread of the tribune
    and probe papers per thread: the papers page at 100k posts ran at 0.34 of its 10k speed
    (issue 14).
    """
    listed = (
        select(Thread.id)
        .join(Thread.section)
        .where(
            Thread.id == Paper.thread_id,
            Section.area == "tribune",
            access.visible_threads_clause(user),
        )
        .exists()
    )
    return _filtered(select(*columns).where(listed), position_key, association)


def papers_query(user, position_key=None, association=None):
    """The papers `user` may see, optionally of one position and one co-signing association
    (unordered; the feeds order and bound it)."""
    return _papers(user, position_key, association)


def papers_page(user, page, per_page, position_key=None, association=None):
    """A page of papers, newest first, optionally of one position and one co-signing association.

    A paper's `created_at` is its thread's (the services write both; `flask check` compares
    them), so the page is ordered from the papers' own index, then its threads are loaded.
    """
    ids = _listed_papers(user, position_key, association).order_by(
        Paper.created_at.desc(), Paper.thread_id.desc()
    )
    pagination = db.paginate(ids, page=page, per_page=per_page, error_out=False)
    if pagination.items:
        threads = {
            thread.id: thread
            for thread in db.session.scalars(select(Thread).where(Thread.id.in_(pagination.items)))
        }
        pagination.items = [threads[thread_id] for thread_id in pagination.items]
    return pagination


def positions(user, association=None):
    """[(key, label, count)] of the positions papers defend, the most defended first."""
    columns = (Paper.position_key, func.min(Paper.position), func.count())
    rows = db.session.execute(
        _listed_papers(user, association=association, columns=columns)
        .group_by(Paper.position_key)
        .order_by(func.count().desc(), Paper.position_key)
    ).all()
    return [(key, label, count) for key, label, count in rows]


def label_of(position_key):
    """A label for a position key (the form most papers use), or None."""
    return db.session.scalar(
        select(Paper.position)
        .where(Paper.position_key == position_key)
        .group_by(Paper.position)
        .order_by(func.count().desc(), Paper.position)
        .limit(1)
    )


def comparison(user, association=None, limit=COMPARE_LIMIT):
    """[(key, label, count, [Thread])] per position, for reading the alternatives side by side.

    Two queries whatever the number of positions: the positions, then the newest `limit`
    papers of each (a window function ranks them per position).
    """
    rank = (
        func.row_number()
        .over(
            partition_by=Paper.position_key,
            order_by=(Thread.created_at.desc(), Thread.id.desc()),
        )
        .label("rank")
    )
    ranked = (
        _papers(user, association=association)
        .with_only_columns(Thread.id.label("thread_id"), rank)
        .subquery()
    )
    threads = db.session.scalars(
        select(Thread)
        .join(ranked, ranked.c.thread_id == Thread.id)
        .where(ranked.c.rank <= limit)
        .order_by(Thread.created_at.desc(), Thread.id.desc())
    ).all()
    grouped = {}
    for thread in threads:
        grouped.setdefault(thread.paper.position_key, []).append(thread)
    return [
        (key, label, count, grouped.get(key, []))
        for key, label, count in positions(user, association)
    ]


def signatures_of(threads):
    """{thread_id: [PaperSignature]} of the active co-signatures of these papers, one query."""
    ids = [thread.id for thread in threads if thread.paper is not None]
    if not ids:
        return {}
    found = {}
    rows = db.session.scalars(
        select(PaperSignature)
        .where(PaperSignature.thread_id.in_(ids), PaperSignature.withdrawn_at.is_(None))
        .order_by(PaperSignature.signed_at, PaperSignature.id)
    )
    for signature in rows:
        found.setdefault(signature.thread_id, []).append(signature)
    return found


def associations():
    """Every association, by name."""
    return db.session.scalars(select(Association).order_by(Association.name)).all()


def association_by_slug(slug):
    return db.session.scalar(select(Association).where(Association.slug == slug))


def tribune_sections():
    return db.session.scalars(
        select(Section)
        .where(Section.area == "tribune", Section.archived_at.is_(None))
        .order_by(Section.position, Section.id)
    ).all()
