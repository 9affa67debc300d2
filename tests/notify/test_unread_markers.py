"""Unread markers: lists mark threads with unread posts; a thread opens at the first unread."""

from datetime import timedelta

from tests.support import login
from tribune.extensions import db
from tribune.services import posting, reading


def _older(user):
    # Accounts created after a thread's last post find it read; these tests start earlier.
    user.created_at = user.created_at - timedelta(days=1)
    db.session.commit()


def test_lists_mark_unread_threads_until_read(client, people, make_section, app):
    sara, kaveh, _leila = people
    _older(sara)
    section = make_section()
    thread = posting.open_thread(kaveh, section, "جمهوری لائیک", "متن نخست")
    login(client, "sara")
    page = client.get(f"/tribune/{section.slug}/").get_data(as_text=True)
    assert "thread-row unread" in page
    client.get(f"/t/{thread.id}")
    page = client.get(f"/tribune/{section.slug}/").get_data(as_text=True)
    assert "thread-row unread" not in page
    posting.reply(kaveh, thread, "پاسخ تازه")
    assert "thread-row unread" in client.get("/").get_data(as_text=True)
    # Readers without an account see no marker.
    client.post("/accounts/logout")
    assert "unread" not in client.get(f"/tribune/{section.slug}/").get_data(as_text=True)


def test_thread_opens_at_first_unread_post(client, people, make_section):
    sara, kaveh, _leila = people
    _older(sara)
    thread = posting.open_thread(kaveh, make_section(), "جمهوری لائیک", "متن نخست")
    login(client, "sara")
    # Never opened: it opens at its start.
    assert client.get(f"/t/{thread.id}").status_code == 200
    posts = [posting.reply(kaveh, thread, f"پاسخ {n}") for n in range(7)]
    response = client.get(f"/t/{thread.id}")
    # Five posts a page (tests): the first unread, the second post, is on page 1.
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/t/{thread.id}?page=1#p{posts[0].id}")
    client.get(f"/t/{thread.id}?page=1")
    response = client.get(f"/t/{thread.id}")
    assert response.headers["Location"].endswith(f"?page=2#p{posts[4].id}")
    client.get(f"/t/{thread.id}?page=2")
    assert client.get(f"/t/{thread.id}").status_code == 200


def test_mark_all_read_per_section_and_everywhere(client, people, make_section):
    sara, kaveh, _leila = people
    _older(sara)
    one, two = make_section("one"), make_section("two")
    first = posting.open_thread(kaveh, one, "نخستین رشته", "متن")
    second = posting.open_thread(kaveh, two, "دومین رشته", "متن")
    assert reading.unread_threads(sara, [first, second]) == {first.id, second.id}
    login(client, "sara")
    client.post(f"/notifications/sections/{one.id}/read")
    assert reading.unread_threads(sara, [first, second]) == {second.id}
    client.post("/notifications/threads-read")
    assert reading.unread_threads(sara, [first, second]) == set()
    posting.reply(kaveh, first, "پاسخ")
    db.session.refresh(first)
    assert reading.unread_threads(sara, [first, second]) == {first.id}


def test_new_accounts_do_not_find_the_archive_unread(people, make_section, make_user):
    sara, kaveh, _leila = people
    thread = posting.open_thread(kaveh, make_section(), "جمهوری لائیک", "متن نخست")
    newcomer = make_user("newcomer")
    assert reading.unread_threads(newcomer, [thread]) == set()
