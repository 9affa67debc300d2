"""Whoosh backend: every change to what search holds writes a change-log row in the same
transaction; the indexer applies the rows, then prunes them."""

import pytest
from sqlalchemy import select

from tribune import fulltext
from tribune.extensions import db
from tribune.models import Post, SearchChange, SearchState
from tribune.services import posting


@pytest.fixture
def app_config(whoosh_app_config):
    # Nobody applies the log here, so the rows stay to be looked at.
    whoosh_app_config["SEARCH_INDEX_IN_REQUEST"] = False
    whoosh_app_config["SEARCH_INDEX_EACH_COMMIT"] = False
    return whoosh_app_config


def changes():
    return [
        (c.kind, c.object_id)
        for c in db.session.scalars(select(SearchChange).order_by(SearchChange.id))
    ]


def test_new_thread_records_its_post_once_and_not_itself(app, make_thread):
    # A thread made with its posts (every thread of an import) is indexed through its posts'
    # rows; a row for the thread as well made the indexer write each of its posts twice.
    thread = make_thread()
    post = db.session.scalar(select(Post))
    assert changes() == [("post", post.id)]
    posting.reply(thread.author, thread, "پاسخی تازه")
    assert [kind for kind, _ in changes()] == ["post", "post"]


def test_renaming_a_thread_records_the_thread(app, make_thread):
    thread = make_thread()
    thread.title = "عنوانی دیگر"
    db.session.commit()
    assert changes()[-1] == ("thread", thread.id)


def test_edit_records_the_post_but_counters_do_not(app, make_thread):
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


@pytest.mark.parametrize(
    "field,value",
    [("display_name", "نام تازه"), ("is_disabled", True), ("username", "sara2010")],
)
def test_account_changes_that_show_in_search_are_recorded(app, make_user, field, value):
    user = make_user("sara")
    setattr(user, field, value)
    db.session.commit()
    assert changes()[-1] == ("user", user.id)


def test_moving_a_post_records_both_threads(app, make_thread, make_section):
    first = make_thread(title="نخست")
    second = make_thread(title="دوم", author=first.author, section=first.section)
    reply = posting.reply(first.author, first, "پاسخی که جابه‌جا می‌شود")
    reply.thread_id = second.id
    db.session.commit()
    recorded = changes()[-3:]
    assert {("thread", first.id), ("thread", second.id), ("post", reply.id)} <= set(recorded)


def test_applied_rows_are_pruned_and_ids_never_come_back(app, make_thread):
    first = make_thread(body="نخستین")
    backend = fulltext.current()
    done = backend.catch_up()
    assert done.changes > 0
    assert changes() == []
    state = db.session.get(SearchState, "whoosh")
    db.session.refresh(state)
    assert state.last_change_id == done.last_id
    # SQLite reuses the largest id of an emptied table unless it is AUTOINCREMENT: a new row
    # numbered at or below the position would never be applied.
    make_thread(title="دومین", body="دومین", author=first.author, section=first.section)
    assert min(id_ for id_ in db.session.scalars(select(SearchChange.id))) > done.last_id
