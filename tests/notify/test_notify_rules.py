"""Who is told of what, and who is not (issue 16)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.notify.conftest import told
from tribune.extensions import db
from tribune.models import Notification, Post, Watch
from tribune.models.base import utcnow
from tribune.notifications import queries
from tribune.services import (
    Refused,
    debate,
    debate_closing,
    debate_posts,
    moderation,
    notify,
    posting,
)


def _watch(user, kind, key):
    notify.set_watch(user, *notify.watch_key(kind, key), "watch")


def test_opening_and_replying_watch_the_thread(people, make_section):
    sara, kaveh, leila = people
    thread = posting.open_thread(sara, make_section(), "جمهوری لائیک", "متن نخست")
    posting.reply(kaveh, thread, "پاسخ اول")
    assert notify.watch_level(sara, "thread", str(thread.id)) == "watch"
    assert notify.watch_level(kaveh, "thread", str(thread.id)) == "watch"
    assert [n.kind for n in told(sara)] == ["reply"]
    posting.reply(leila, thread, "پاسخ دوم")
    # Sara (opener) and Kaveh (replier) both hear of Leila's reply; Leila hears nothing of her own.
    assert [n.kind for n in told(sara)] == ["reply", "reply"]
    assert [n.kind for n in told(kaveh)] == ["reply"]
    assert told(leila) == []


def test_auto_watch_can_be_turned_off(people, make_section):
    sara, kaveh, _leila = people
    notify.save_settings(kaveh, auto_watch=False)
    thread = posting.open_thread(sara, make_section(), "جمهوری لائیک", "متن نخست")
    posting.reply(kaveh, thread, "پاسخ اول")
    assert notify.watch_level(kaveh, "thread", str(thread.id)) is None
    posting.reply(sara, thread, "پاسخ دوم")
    assert told(kaveh) == []


def test_a_muted_thread_tells_nothing_not_even_quotes_or_mentions(people, make_section):
    sara, kaveh, _leila = people
    thread = posting.open_thread(sara, make_section(), "جمهوری لائیک", "نخستین جمله‌ی سارا")
    notify.set_watch(sara, "thread", str(thread.id), "mute")
    first = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    debate_posts.reply(kaveh, thread, "@sara پاسخ", reply_to=first.id,
                       quotes=[(first.id, "نخستین جمله‌ی سارا")])
    assert told(sara) == []


def test_most_specific_reason_once_per_post(people, make_section):
    sara, kaveh, _leila = people
    thread = posting.open_thread(sara, make_section(), "جمهوری لائیک", "جمله‌ای که نقل می‌شود")
    first = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    # Sara watches the thread, is answered, quoted and mentioned by one reply: told once.
    post = debate_posts.reply(kaveh, thread, "به @Sara پاسخ می‌دهم", reply_to=first.id,
                              quotes=[(first.id, "جمله‌ای که نقل می‌شود")])
    assert [(n.kind, n.post_id) for n in told(sara)] == [("mention", post.id)]
    # Quoted (no mention): a quote. Answered only: a reply to me.
    post = debate_posts.reply(kaveh, thread, "دوباره", quotes=[(first.id, "جمله‌ای")])
    assert told(sara)[-1].kind == "quote"
    post = debate_posts.reply(kaveh, thread, "باز هم", reply_to=first.id)
    assert told(sara)[-1].kind == "reply_to_me"


def test_mentions_link_profiles_and_tell_only_existing_participants(client, people, make_thread):
    sara, kaveh, leila = people
    thread = make_thread(author=kaveh)
    post = posting.reply(kaveh, thread, "نظر @leila و @nobody و `@sara` چیست؟ x@sara.org")
    assert '<a href="/u/leila" class="mention" dir="ltr"' in post.body_html
    assert "@nobody" in post.body_html and "/u/nobody" not in post.body_html
    assert [n.kind for n in told(leila)] == ["mention"]
    # Code and addresses are not mentions.
    assert told(sara) == []
    # A mention added by an edit tells the newly mentioned, once.
    posting.edit_post(kaveh, post, post.body_source + " @sara", "fa")
    posting.edit_post(kaveh, post, post.body_source + " دوباره @sara", "fa")
    assert [n.kind for n in told(sara)] == ["mention"]
    assert [n.kind for n in told(leila)] == ["mention"]


def test_nothing_hidden_notifies_and_hiding_later_withdraws(people, make_section, make_moderator):
    sara, kaveh, leila = people
    mina = make_moderator("mina")
    thread = posting.open_thread(sara, make_section(), "جمهوری لائیک", "متن نخست")
    post = posting.reply(kaveh, thread, "پاسخ زننده")
    assert queries.unread_count(sara) == 1
    moderation.hide_post(mina, post, "توهین به دیگران")
    # The reply is hidden: its notification is no longer shown or counted; Kaveh is told of
    # the act with its public reason.
    assert queries.unread_count(sara) == 0
    assert queries.groups(sara, 1, 20).items == []
    [act] = told(kaveh, "moderation")
    assert act.reason == "توهین به دیگران" and act.actor_id == mina.id
    assert queries.unread_count(kaveh) == 1
    # A moderator replying in a hidden thread tells no one.
    moderation.hide_post(mina, db.session.scalar(
        select(Post).where(Post.thread_id == thread.id).order_by(Post.id)), "نقض قواعد")
    before = db.session.scalar(select(func.count()).select_from(Notification))
    posting.reply(mina, thread, "توضیح ناظر")
    after = db.session.scalar(select(func.count()).select_from(Notification))
    assert after == before
    assert told(leila) == []


def test_suspended_authors_stop_notifying_and_suspended_readers_are_not_told(
    people, make_section
):
    sara, kaveh, leila = people
    thread = posting.open_thread(sara, make_section(), "جمهوری لائیک", "متن نخست")
    posting.reply(kaveh, thread, "پاسخ")
    posting.reply(leila, thread, "پاسخ لیلا")
    assert queries.unread_count(sara) == 1
    kaveh.suspended_until = utcnow() + timedelta(days=3)
    db.session.commit()
    [group] = queries.groups(sara, 1, 20).items
    assert group.count == 1 and group.latest.actor_id == leila.id
    # Kaveh, suspended, is told nothing new.
    before = len(told(kaveh))
    posting.reply(sara, thread, "پاسخ سارا")
    assert len(told(kaveh)) == before


def test_watching_section_space_position_and_association(
    people, make_section, make_paper, make_association, make_member
):
    sara, kaveh, leila = people
    section = make_section()
    association = make_association()
    make_member(kaveh, association)
    _watch(sara, "position", "سوسياليسم")  # Arabic yeh: the same position as «سوسیالیسم»
    _watch(leila, "association", association)
    thread = make_paper(author=kaveh, section=section, position="سوسیالیسم",
                        associations=[association])
    assert [(n.kind, n.thread_id) for n in told(sara)] == [("new_thread", thread.id)]
    assert [(n.kind, n.thread_id) for n in told(leila)] == [("new_thread", thread.id)]
    # Watching a section or a space tells of new threads there, not of every reply.
    other = make_section("agenda-work", area="agenda", title="کارگروه")
    _watch(sara, "space", "agenda")
    _watch(leila, "section", other)
    opened = posting.open_thread(kaveh, other, "آکسیون هشت مارس", "فراخوان")
    assert told(sara)[-1].thread_id == opened.id and told(leila)[-1].thread_id == opened.id
    posting.reply(kaveh, opened, "جزئیات")
    assert len(told(sara)) == 2 and len(told(leila)) == 2


def test_translation_and_synthesis_tell_the_author_and_participants(people, make_section):
    sara, kaveh, leila = people
    thread = posting.open_thread(sara, make_section(), "جمهوری لائیک", "متن نخست سارا")
    first = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    posting.reply(kaveh, thread, "پاسخ کاوه")
    notify.set_watch(kaveh, "thread", str(thread.id), None)
    debate_posts.translate(leila, first, "en", "Sara's first text")
    assert told(sara)[-1].kind == "translation"
    debate_closing.close(sara, thread, "توافق بر جدایی دین از دولت", "")
    # Kaveh took part: told, though he stopped watching. Sara closed it: not told.
    assert told(kaveh)[-1].kind == "synthesis"
    assert [n.kind for n in told(sara)] == ["reply", "translation"]
    assert told(leila) == []


def test_cosign_request_tells_confirmed_members(people, make_paper, make_association, make_member):
    sara, kaveh, leila = people
    association = make_association()
    make_member(leila, association)
    make_member(sara, association, confirmed=False)
    thread = make_paper(author=kaveh)
    # Only the author asks, once per association.
    with pytest.raises(Refused):
        debate.request_signature(leila, thread, association)
    assert debate.request_signature(kaveh, thread, association) == 1
    with pytest.raises(Refused):
        debate.request_signature(kaveh, thread, association)
    assert [n.kind for n in told(leila)] == ["cosign"]
    assert told(sara) == []


def test_cosign_request_through_the_paper_page(client, people, make_paper, make_association,
                                               make_member):
    from tests.support import login

    sara, kaveh, leila = people
    association = make_association()
    make_member(leila, association)
    thread = make_paper(author=kaveh)
    login(client, "kaveh")
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert f"/papers/{thread.id}/ask" in page
    client.post(f"/papers/{thread.id}/ask", data={"association": association.id})
    assert [n.kind for n in told(leila)] == ["cosign"]
    client.post("/accounts/logout")
    login(client, "leila")
    listing = client.get("/notifications/").get_data(as_text=True)
    assert "asks" in listing and "to co-sign" in listing


def test_replies_are_grouped_per_thread_and_read_when_seen(client, people, make_section):
    from tests.support import login

    sara, kaveh, leila = people
    thread = posting.open_thread(sara, make_section(), "جمهوری لائیک", "متن نخست")
    for n in range(3):
        posting.reply(kaveh if n % 2 else leila, thread, f"پاسخ {n}")
    login(client, "sara")
    home = client.get("/").get_data(as_text=True)
    # The count stands on the folded phone menu as well as on the link inside it.
    summary = home[home.index('<summary class="menu-button">') : home.index("</summary>")]
    assert '<span class="count-badge">1' in summary
    assert home.count('<span class="count-badge">1') == 2
    page = client.get("/notifications/").get_data(as_text=True)
    assert "3 new replies in" in page
    assert '<span class="count-badge">1' in page
    # Shown once as new, read from then on.
    again = client.get("/notifications/").get_data(as_text=True)
    assert "count-badge" not in again and "3 new replies in" in again
    posting.reply(kaveh, thread, "پاسخ تازه")
    assert queries.unread_count(sara) == 1
    client.get(f"/t/{thread.id}")
    assert queries.unread_count(sara) == 0


def test_watch_buttons_and_mute_through_the_pages(client, people, make_section):
    from tests.support import login

    sara, kaveh, _leila = people
    section = make_section()
    thread = posting.open_thread(kaveh, section, "جمهوری لائیک", "متن نخست")
    login(client, "sara")
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert 'name="level" value="watch"' in page
    client.post("/notifications/watch", data={"kind": "thread", "key": thread.id,
                                              "level": "mute", "next": f"/t/{thread.id}"})
    assert notify.watch_level(sara, "thread", str(thread.id)) == "mute"
    client.post("/notifications/watch", data={"kind": "section", "key": section.id,
                                              "level": "watch"})
    assert db.session.scalar(select(func.count()).select_from(Watch)) == 3
    # Unknown targets are a 404, whatever the kind.
    for kind, key in [("thread", 999), ("section", "x"), ("space", "nowhere"), ("user", 1)]:
        response = client.post("/notifications/watch", data={"kind": kind, "key": key,
                                                             "level": "watch"})
        assert response.status_code == 404


def test_notifications_need_an_account(client):
    assert client.get("/notifications/").status_code == 302
    assert client.post("/notifications/watch", data={}).status_code == 302


def test_deleting_an_account_forgets_watches_notifications_and_the_mail_address(
    people, make_section
):
    from tests.support import PASSWORD
    from tribune.models import NotificationSettings, ThreadRead
    from tribune.services import accounts, reading

    sara, kaveh, _leila = people
    notify.save_settings(sara, True)
    thread = posting.open_thread(sara, make_section(), "جمهوری لائیک", "متن نخست")
    posting.reply(kaveh, thread, "پاسخ")
    reading.mark_seen(sara, thread, [db.session.scalar(select(Post).limit(1))])
    accounts.delete_account(sara, PASSWORD)
    db.session.commit()
    for model in (Watch, Notification, NotificationSettings, ThreadRead):
        assert db.session.scalar(
            select(func.count()).select_from(model).where(model.user_id == sara.id)
        ) == 0
