"""A participant's public page (issue 17): the threads they opened, their replies and their
papers, each paged, with what the reader may see (access.visible_posts_clause and
visible_threads_clause: hidden posts and threads for moderators only; a suspended account's
posts stay readable, as they do in their threads). Never an e-mail address."""

from flask import abort, current_app, render_template
from flask_login import current_user
from sqlalchemy.orm import contains_eager

from tribune.accounts import bp, queries
from tribune.accounts.forms import EmptyForm
from tribune.extensions import db
from tribune.models import Post, Thread
from tribune.papers import queries as papers_queries
from tribune.services import accounts
from tribune.web import existing_page, page_arg

TABS = ("threads", "replies", "papers")


@bp.route("/u/<username>", defaults={"tab": "threads"})
@bp.route("/u/<username>/<any(replies, papers):tab>")
def profile(username, tab):
    """A participant's public page: name, bio, and their threads, replies or papers, paged."""
    user = accounts.find_by_username(username)
    if user is None:
        abort(404)
    tab_queries = {
        "threads": queries.threads_of(user, current_user),
        "replies": queries.replies_of(user, current_user),
        "papers": queries.papers_of(user, current_user),
    }
    counts = {name: queries.count(query) for name, query in tab_queries.items()}
    if tab == "replies":
        # The thread is joined already: load it with each post, not one query per post.
        query = tab_queries[tab].options(contains_eager(Post.thread)).order_by(Post.id.desc())
        per_page = current_app.config["POSTS_PER_PAGE"]
    else:
        query = tab_queries[tab].order_by(Thread.id.desc())
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
        post_count=queries.post_count(user, current_user),
        admin_form=EmptyForm(),
    )
