"""A participant's public page (issue 17): the threads they opened, their replies and their
papers, each paged, with what the reader may see (access.visible_posts_clause and
visible_threads_clause: hidden posts and threads for moderators only; a suspended account's
posts stay readable, as they do in their threads). Never an e-mail address."""

from flask import abort, current_app, render_template
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased, contains_eager

from tribune import access
from tribune.accounts import bp
from tribune.accounts.forms import EmptyForm
from tribune.extensions import db
from tribune.models import Paper, PaperSignature, Post, Thread
from tribune.papers import queries as papers_queries
from tribune.services import accounts
from tribune.web import existing_page, page_arg

TABS = ("threads", "replies", "papers")


def _threads(user, reader):
    return select(Thread).where(Thread.author_id == user.id, access.visible_threads_clause(reader))


def _papers(user, reader):
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


def _replies(user, reader):
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


def _count(query):
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


@bp.route("/u/<username>", defaults={"tab": "threads"})
@bp.route("/u/<username>/<any(replies, papers):tab>")
def profile(username, tab):
    """A participant's public page: name, bio, and their threads, replies or papers, paged."""
    user = accounts.find_by_username(username)
    if user is None:
        abort(404)
    queries = {
        "threads": _threads(user, current_user),
        "replies": _replies(user, current_user),
        "papers": _papers(user, current_user),
    }
    counts = {name: _count(query) for name, query in queries.items()}
    if tab == "replies":
        # The thread is joined already: load it with each post, not one query per post.
        query = queries[tab].options(contains_eager(Post.thread)).order_by(Post.id.desc())
        per_page = current_app.config["POSTS_PER_PAGE"]
    else:
        query = queries[tab].order_by(Thread.id.desc())
        per_page = current_app.config["THREADS_PER_PAGE"]
    # Counted above already: the page is read without counting again.
    pagination = db.paginate(
        query, page=page_arg(), per_page=per_page, error_out=False, count=False
    )
    pagination.total = counts[tab]
    existing_page(pagination)
    signatures = papers_queries.signatures_of(pagination.items) if tab == "papers" else {}
    # The associations this participant signed the listed papers for.
    signed_for = {
        thread_id: [s.association for s in found if s.signed_by_id == user.id]
        for thread_id, found in signatures.items()
    }
    return render_template(
        "accounts/profile.html",
        person=user,
        tab=tab,
        tabs=TABS,
        counts=counts,
        pagination=pagination,
        signatures=signatures,
        signed_for=signed_for,
        post_count=_count(
            select(Post.id).where(
                Post.author_id == user.id, access.visible_posts_clause(current_user)
            )
        ),
        admin_form=EmptyForm(),
    )
