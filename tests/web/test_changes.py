"""Every change to searchable content writes a change row in the same transaction."""

import pytest
from sqlalchemy import select

from tribune.extensions import db
from tribune.models import Post, SearchChange
from tribune.services import posting


def changes():
    return [
        (c.kind, c.object_id)
        for c in db.session.scalars(select(SearchChange).order_by(SearchChange.id))
    ]


def test_new_thread_records_thread_and_post(app, make_thread):
    thread = make_thread()
    post = db.session.scalar(select(Post))
    recorded = changes()
    assert ("post", post.id) in recorded and ("thread", thread.id) in recorded


def test_edit_records_the_post_but_counters_do_not(app, make_thread, make_user):
    thread = make_thread()
    post = db.session.scalar(select(Post))
    before = len(changes())
    thread.reply_count += 5  # a counter: nothing to index
    db.session.commit()
    assert len(changes()) == before
    posting.edit_post(thread.author, post, "متن تازه", "fa")
    assert changes()[-1] == ("post", post.id)


def test_rollback_leaves_no_change_row(app, make_thread):
    thread = make_thread()
    before = len(changes())
    thread.title = "عنوانی که ذخیره نمی‌شود"
    db.session.flush()
    db.session.rollback()
    assert len(changes()) == before


def test_hiding_a_post_records_it(app, make_thread):
    make_thread()
    post = db.session.scalar(select(Post))
    post.is_hidden = True
    db.session.commit()
    assert changes()[-1] == ("post", post.id)


@pytest.mark.parametrize("field,value", [("display_name", "نام تازه"), ("is_disabled", True)])
def test_account_changes_that_show_in_search_are_recorded(app, make_user, field, value):
    user = make_user("sara")
    setattr(user, field, value)
    db.session.commit()
    assert changes()[-1] == ("user", user.id)
