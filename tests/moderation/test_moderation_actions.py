"""Acts on posts and threads: each writes exactly one log entry, in the same transaction."""

import pytest
from sqlalchemy import func, select

from tests.support import login
from tribune import access
from tribune.extensions import db
from tribune.models import ModerationLogEntry, Post, Section, Thread
from tribune.services import Invalid, NotFound, Refused, moderation, posting


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def log_entries(action=None):
    query = select(ModerationLogEntry).order_by(ModerationLogEntry.id)
    if action:
        query = query.where(ModerationLogEntry.action == action)
    return db.session.scalars(query).all()


def log_count():
    return db.session.scalar(select(func.count()).select_from(ModerationLogEntry))


@pytest.fixture
def debate(app, make_user, make_section, make_moderator):
    """A moderator, and a thread by kaveh with three replies by sara."""
    mina = make_moderator("mina")
    kaveh, sara = make_user("kaveh"), make_user("sara")
    section = make_section("alternatives")
    thread = posting.open_thread(kaveh, section, "جمهوری لائیک", "متن نخست", "fa")
    replies = [posting.reply(sara, thread, f"پاسخ {n}", "fa") for n in range(3)]
    return mina, thread, replies


def test_hide_shows_placeholder_to_readers_and_text_to_moderators(client, debate):
    mina, thread, replies = debate
    before = log_count()
    moderation.hide_post(mina, replies[1], "personal attack")
    assert log_count() == before + 1
    entry = log_entries("post.hide")[0]
    assert (entry.actor_id, entry.target_id) == (mina.id, replies[1].id)
    assert entry.reason == "personal attack"
    assert entry.term_id == access.current_term(mina).id
    assert entry.thread_id == thread.id
    reader = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "پاسخ 1" not in reader and "personal attack" in reader
    assert "پاسخ 0" in reader and "پاسخ 2" in reader
    moderator = client.application.test_client()
    login(moderator, "mina")
    assert "پاسخ 1" in moderator.get(f"/t/{thread.id}").get_data(as_text=True)


def test_hide_keeps_counts_and_last_post_right(app, debate):
    mina, thread, replies = debate
    moderation.hide_post(mina, replies[2], "spam link")
    thread = fresh(Thread, thread.id)
    assert thread.reply_count == 2
    assert thread.last_post_id == replies[1].id
    moderation.unhide_post(mina, fresh(Post, replies[2].id), "was a fair link after all")
    thread = fresh(Thread, thread.id)
    assert thread.reply_count == 3 and thread.last_post_id == replies[2].id
    assert [e.action for e in log_entries()][-2:] == ["post.hide", "post.unhide"]


def test_hidden_post_permalink_history_and_profile(client, debate):
    mina, thread, replies = debate
    posting.edit_post(replies[0].author, replies[0], "نسخه‌ی دوم", "fa")
    moderation.hide_post(mina, fresh(Post, replies[0].id), "doxxing")
    target = client.get(f"/p/{replies[0].id}").headers["Location"]
    page = client.get(target).get_data(as_text=True)
    assert "Hidden by moderation" in page or "doxxing" in page
    assert "نسخه‌ی دوم" not in page
    assert client.get(f"/p/{replies[0].id}/history").status_code == 404
    profile = client.get("/accounts/u/sara").get_data(as_text=True)
    assert "نسخه‌ی دوم" not in profile


def test_hiding_the_opening_post_hides_the_thread_from_lists_and_counts(client, debate):
    mina, thread, replies = debate
    opening = db.session.scalar(select(Post).where(Post.thread_id == thread.id).order_by(Post.id))
    moderation.hide_post(mina, opening, "spam thread")
    thread = fresh(Thread, thread.id)
    assert thread.is_hidden and thread.section.thread_count == 0
    section_page = client.get("/tribune/alternatives/").get_data(as_text=True)
    assert "جمهوری لائیک" not in section_page
    assert "جمهوری لائیک" not in client.get("/").get_data(as_text=True)
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "جمهوری لائیک" not in page
    assert client.get("/api/v1/search", query_string={"q": "لائیک"}).get_json()["total"] == 0
    moderation.unhide_post(mina, fresh(Post, opening.id), "not spam")
    assert fresh(Section, thread.section_id).thread_count == 1


def test_visible_clauses_are_the_one_rule(app, debate):
    mina, thread, replies = debate
    moderation.hide_post(mina, replies[0], "abuse")
    count = lambda user: db.session.scalar(  # noqa: E731
        select(func.count(Post.id)).where(access.visible_posts_clause(user))
    )
    assert count(None) == 3 and count(mina) == 4


def test_a_failed_act_writes_no_log_entry_and_changes_nothing(app, debate):
    mina, thread, replies = debate
    before = log_count()
    with pytest.raises(Invalid):
        moderation.hide_post(mina, replies[0], "  ")
    with pytest.raises(Refused):
        moderation.unhide_post(mina, replies[0], "not hidden")
    with pytest.raises(Invalid):
        moderation.move_thread(mina, thread, thread.section, "same place")
    assert log_count() == before
    assert not fresh(Post, replies[0].id).is_hidden


def test_an_error_after_the_change_rolls_everything_back(app, debate, monkeypatch):
    """The act and its entry commit together: if writing the entry fails, the act is undone."""
    mina, thread, replies = debate
    before = log_count()

    def broken_record(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(moderation, "record", broken_record)
    with pytest.raises(RuntimeError):
        moderation.hide_post(mina, replies[0], "abuse")
    assert log_count() == before
    assert not fresh(Post, replies[0].id).is_hidden
    assert fresh(Thread, thread.id).reply_count == 3


def test_lock_pin_and_their_opposites(client, debate, make_user):
    mina, thread, replies = debate
    for change in ("lock", "pin", "unpin"):
        moderation.set_thread_flag(mina, thread, change, f"{change} it")
    thread = fresh(Thread, thread.id)
    assert thread.is_locked and not thread.is_pinned
    with pytest.raises(Refused):
        moderation.set_thread_flag(mina, thread, "lock", "again")
    with pytest.raises(Refused):
        posting.reply(db.session.get(type(mina), replies[0].author_id), thread, "هنوز", "fa")
    # The moderator may still answer a locked thread.
    posting.reply(mina, thread, "قفل شد", "fa")
    assert [e.action for e in log_entries()][-3:] == ["thread.lock", "thread.pin", "thread.unpin"]


def test_move_a_drifting_agenda_thread_to_the_tribune(
    client, app, make_user, make_section, make_moderator
):
    make_moderator("mina")
    women = make_section("women", area="agenda", title="کارگروه زنان")
    alternatives = make_section("alternatives", area="tribune")
    thread = posting.open_thread(make_user("kaveh"), women, "۸ مارس و بدیل", "متن", "fa")
    login(client, "mina")
    response = client.post(
        f"/moderation/threads/{thread.id}/move",
        data={"move-section": alternatives.id, "move-reason": "a debate on alternatives"},
    )
    assert response.status_code == 302
    thread = fresh(Thread, thread.id)
    assert thread.section_id == alternatives.id
    assert fresh(Section, women.id).thread_count == 0
    assert fresh(Section, alternatives.id).thread_count == 1
    entry = log_entries("thread.move")[0]
    assert entry.section_id == women.id and entry.related_section_id == alternatives.id
    assert entry.details == {"from": "agenda/women", "to": "tribune/alternatives"}
    assert "۸ مارس و بدیل" in client.get("/tribune/alternatives/").get_data(as_text=True)


def test_merge_keeps_post_ids_and_redirects_the_old_thread(
    client, app, make_user, make_section, make_moderator
):
    mina = make_moderator("mina")
    section = make_section("alternatives")
    kaveh, sara = make_user("kaveh"), make_user("sara")
    older = posting.open_thread(kaveh, section, "لائیسیته", "نخست", "fa")
    newer = posting.open_thread(sara, section, "لائیسیته (تکراری)", "دوم", "fa")
    a = posting.reply(sara, older, "پاسخ به قدیمی", "fa")
    b = posting.reply(kaveh, newer, "پاسخ به تازه", "fa")
    newer_posts = [p.id for p in db.session.scalars(select(Post).where(Post.thread_id == newer.id))]
    with pytest.raises(Invalid):
        moderation.merge_threads(mina, older, newer, "wrong direction")
    moderation.merge_threads(mina, newer, older, "duplicate")
    older, newer = fresh(Thread, older.id), fresh(Thread, newer.id)
    moved = db.session.scalars(select(Post.id).where(Post.thread_id == older.id)).all()
    assert set(newer_posts) <= set(moved) and a.id in moved
    assert older.reply_count == 3 and older.last_post_id == b.id
    assert newer.merged_into_id == older.id and newer.reply_count == 0
    assert fresh(Section, section.id).thread_count == 1
    entry = log_entries("thread.merge")[0]
    assert entry.thread_id == newer.id and entry.related_thread_id == older.id
    assert entry.details["post_ids"] == newer_posts
    # The merged thread's address leads to the other one, with a notice.
    response = client.get(f"/t/{newer.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/t/{older.id}")
    page = client.get(f"/t/{older.id}?page=1", follow_redirects=True).get_data(as_text=True)
    assert "پاسخ به تازه" in page
    # Permalinks keep working: same id, new thread.
    assert client.get(f"/p/{b.id}").headers["Location"].split("#")[0].endswith(f"/t/{older.id}")
    # The merged thread's acts appear on the receiving thread.
    assert "duplicate" in page
    with pytest.raises(Refused):
        moderation.merge_threads(mina, newer, older, "again")


def test_split_moves_selected_replies_with_their_ids(client, debate, make_section):
    mina, thread, replies = debate
    strategy = make_section("strategy")
    login(client, "mina")
    response = client.post(
        f"/moderation/threads/{thread.id}/split",
        data={
            "posts": [replies[1].id, replies[2].id],
            "title": "شعارها",
            "section": strategy.id,
            "reason": "an off-topic exchange about slogans",
        },
    )
    assert response.status_code == 302
    new = db.session.scalar(select(Thread).where(Thread.title == "شعارها"))
    assert response.headers["Location"].endswith(f"/t/{new.id}")
    moved = db.session.scalars(select(Post.id).where(Post.thread_id == new.id)).all()
    assert moved == [replies[1].id, replies[2].id]
    assert new.author_id == replies[1].author_id and new.section_id == strategy.id
    assert new.reply_count == 1 and new.last_post_id == replies[2].id
    old = fresh(Thread, thread.id)
    assert old.reply_count == 1 and old.last_post_id == replies[0].id
    assert fresh(Section, strategy.id).thread_count == 1
    entry = log_entries("thread.split")[0]
    assert entry.thread_id == thread.id and entry.related_thread_id == new.id
    assert (
        client.get(f"/p/{replies[2].id}").headers["Location"].split("#")[0].endswith(f"/t/{new.id}")
    )


def test_split_refuses_the_opening_post_and_foreign_posts(app, debate, make_thread, make_user):
    mina, thread, replies = debate
    opening = db.session.scalar(select(func.min(Post.id)).where(Post.thread_id == thread.id))
    before = log_count()
    with pytest.raises(Invalid):
        moderation.split_thread(mina, thread, [opening, replies[0].id], "عنوان", None, "why not")
    other = make_thread(author=make_user("other"), section=thread.section, title="دیگر")
    foreign = db.session.scalar(select(Post.id).where(Post.thread_id == other.id))
    with pytest.raises(Invalid):
        moderation.split_thread(mina, thread, [foreign], "عنوان", None, "why not")
    with pytest.raises(Invalid):
        moderation.split_thread(mina, thread, [], "عنوان", None, "why not")
    assert log_count() == before


def test_retitle_keeps_the_old_title_in_the_log(client, debate):
    mina, thread, replies = debate
    moderation.retitle_thread(mina, thread, "جمهوری لائیک یا دمکراتیک؟", "clearer")
    entry = log_entries("thread.retitle")[0]
    assert entry.details == {"old": "جمهوری لائیک", "new": "جمهوری لائیک یا دمکراتیک؟"}
    assert "جمهوری لائیک یا دمکراتیک؟" in client.get(f"/t/{thread.id}").get_data(as_text=True)


def test_slow_mode_refuses_fast_replies_with_a_clear_message(client, debate):
    mina, thread, replies = debate
    moderation.set_slow_mode(mina, thread, 900, "heated debate")
    login(client, "sara")
    response = client.post(f"/t/{thread.id}/reply", data={"body": "باز هم من", "language": "fa"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    # The wait, in the reader's digits (issue 17): «۱۵ دقیقه» in the Persian interface.
    assert "Slow mode" in html or "۱۵" in html
    assert "باز هم من" in html  # what was typed is kept
    assert fresh(Thread, thread.id).reply_count == 3
    # Others, and moderators, are not held back.
    posting.reply(mina, thread, "یادآوری قواعد", "fa")
    assert access.slow_mode_wait(db.session.get(type(mina), replies[0].author_id), thread) > 0


def test_slow_mode_lets_a_reply_through_after_the_interval(app, debate):
    mina, thread, replies = debate
    moderation.set_slow_mode(mina, thread, 60, "heated")
    sara = db.session.get(type(mina), replies[0].author_id)
    last = replies[-1].created_at
    from datetime import timedelta

    assert access.slow_mode_wait(sara, thread, at=last + timedelta(seconds=30)) == 30
    assert access.slow_mode_wait(sara, thread, at=last + timedelta(seconds=61)) == 0


def test_thread_page_lists_its_moderation_acts(client, debate):
    mina, thread, replies = debate
    moderation.set_thread_flag(mina, thread, "pin", "a reference debate")
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "a reference debate" in html and "mina" in html


def test_thread_page_queries_stay_flat_with_moderation(client, debate, count_queries):
    mina, thread, replies = debate
    with count_queries() as plain:
        client.get(f"/t/{thread.id}")
    moderation.hide_post(mina, replies[0], "abuse")
    moderation.set_thread_flag(mina, thread, "pin", "reference")
    with count_queries() as moderated:
        client.get(f"/t/{thread.id}")
    # One more query, for the thread's moderation acts; none per post.
    assert moderated.count == plain.count + 1


def test_moderator_forms_show_errors_in_place(client, debate):
    mina, thread, replies = debate
    login(client, "mina")
    response = client.post(f"/moderation/threads/{thread.id}/lock", data={"lock-reason": ""})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    response = client.post(f"/moderation/posts/{replies[0].id}/hide", data={"hide-reason": "x"})
    assert response.status_code == 400
    assert not fresh(Post, replies[0].id).is_hidden


def test_unknown_objects_are_not_found_for_services(app, debate):
    mina, thread, replies = debate
    with pytest.raises(NotFound):
        moderation.set_thread_flag(mina, thread, "explode", "why")
