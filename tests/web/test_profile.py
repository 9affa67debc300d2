"""Profiles list what a participant wrote (issue 17): the threads they opened, their replies and
their papers, each paged, with what the reader may see of them."""

import pytest
from sqlalchemy import select

from tests.support import login
from tribune.extensions import db
from tribune.models import Association, Post
from tribune.services import debate, debate_associations, moderation, moderation_users, posting


@pytest.fixture
def app_config(app_config):
    app_config["DEFAULT_LOCALE"] = "en"
    return app_config


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_replies_are_listed_newest_first_and_paged(client, make_user, make_thread):
    sara, kaveh = make_user("sara"), make_user("kaveh")
    thread = make_thread(author=sara, title="جمهوری لائیک")
    for n in range(7):  # POSTS_PER_PAGE is 5 in tests
        posting.reply(kaveh, thread, f"پاسخ شماره {n}")
    first = page(client, "/accounts/u/kaveh/replies")
    assert 'Replies <span class="count">(7)</span>' in first
    assert "پاسخ شماره 6" in first and "پاسخ شماره 2" in first and "پاسخ شماره 1" not in first
    assert first.index("پاسخ شماره 6") < first.index("پاسخ شماره 5")
    assert 'href="/accounts/u/kaveh/replies?page=2"' in first
    second = page(client, "/accounts/u/kaveh/replies?page=2")
    assert "پاسخ شماره 1" in second and "پاسخ شماره 0" in second
    assert client.get("/accounts/u/kaveh/replies?page=3").status_code == 404
    # Each reply leads to its permanent address; the opening post is no reply.
    assert 'href="/p/' in first and "جمهوری لائیک" in first
    assert "No replies yet." in page(client, "/accounts/u/sara/replies")
    assert 'Threads opened <span class="count">(1)</span>' in page(client, "/accounts/u/sara")


def test_hidden_replies_and_hidden_threads_are_for_moderators(
    client, make_user, make_section, make_thread, make_moderator
):
    sara, kaveh = make_user("sara"), make_user("kaveh")
    mina = make_moderator("mina")
    section = make_section()
    open_thread = make_thread(author=sara, section=section, title="رشته‌ی باز")
    hidden_thread = make_thread(author=sara, section=section, title="رشته‌ی پنهان")
    posting.reply(kaveh, open_thread, "پاسخی که دیده می‌شود")
    hidden_reply = posting.reply(kaveh, open_thread, "پاسخ پنهان‌شده")
    posting.reply(kaveh, hidden_thread, "پاسخ در رشته‌ی پنهان")
    moderation.hide_post(mina, hidden_reply, "تبلیغ")
    moderation.hide_post(mina, opening_post(hidden_thread), "توهین")
    html = page(client, "/accounts/u/kaveh/replies")
    assert "پاسخی که دیده می‌شود" in html
    assert "پاسخ پنهان‌شده" not in html and "پاسخ در رشته‌ی پنهان" not in html
    assert 'Replies <span class="count">(1)</span>' in html
    login(client, "mina")
    moderator_view = page(client, "/accounts/u/kaveh/replies")
    assert "پاسخ پنهان‌شده" in moderator_view and "پاسخ در رشته‌ی پنهان" in moderator_view


def opening_post(thread):
    return db.session.scalar(
        select(Post).where(Post.thread_id == thread.id).order_by(Post.id).limit(1)
    )


def test_papers_written_and_signed_for_an_association(
    client, make_user, make_section, make_moderator
):
    coordinator = make_user("coordinator", role="admin")
    sara, kaveh = make_user("sara"), make_user("kaveh")
    section = make_section()
    paris = Association(slug="paris", name="انجمن پاریس", city="Paris")
    db.session.add(paris)
    db.session.commit()
    debate_associations.confirm(coordinator, debate_associations.state_affiliation(kaveh, paris))
    own = debate.publish_paper(
        kaveh, section, "طرح کاوه", "متن طرح", "fa", "جمهوری دمکراتیک لائیک.", "لائیک"
    )
    other = debate.publish_paper(
        sara, section, "طرح سارا", "متن طرح دیگر", "fa", "شوراها و سوسیالیسم.", "سوسیالیسم"
    )
    debate.sign(kaveh, other, paris)
    posting.reply(kaveh, other, "پاسخ به طرح سارا")
    html = page(client, "/accounts/u/kaveh/papers")
    assert "طرح کاوه" in html and "طرح سارا" in html
    assert "signed this paper for انجمن پاریس" in html
    assert 'Position papers <span class="count">(2)</span>' in html
    assert own.author_id == kaveh.id
    assert "طرح کاوه" not in page(client, "/accounts/u/sara/papers")
    # A withdrawn signature no longer lists the paper.
    [signature] = debate.signatures(other)
    debate.withdraw(kaveh, other, signature)
    assert "طرح سارا" not in page(client, "/accounts/u/kaveh/papers")


def test_a_suspended_participants_posts_stay_listed_as_in_their_threads(
    client, make_user, make_thread, make_moderator
):
    sara, kaveh = make_user("sara"), make_user("kaveh")
    mina = make_moderator("mina")
    thread = make_thread(author=sara)
    posting.reply(kaveh, thread, "پاسخ پیش از تعلیق")
    moderation_users.restrict_user(mina, kaveh, "suspend", 7, "حمله‌ی شخصی")
    assert "پاسخ پیش از تعلیق" in page(client, f"/t/{thread.id}")
    assert "پاسخ پیش از تعلیق" in page(client, "/accounts/u/kaveh/replies")


def test_profile_pages_answer_bad_addresses_with_404(client, make_user):
    make_user("sara")
    assert client.get("/accounts/u/sara/drafts").status_code == 404
    assert client.get("/accounts/u/sara/replies?page=0").status_code == 404
    assert client.get("/accounts/u/sara/papers?page=x").status_code == 404
    assert client.get("/accounts/u/nobody/replies").status_code == 404


def test_the_replies_page_does_not_query_per_reply(
    client, make_user, make_section, make_thread, count_queries
):
    sara, kaveh = make_user("sara"), make_user("kaveh")
    section = make_section()
    threads = [make_thread(author=sara, section=section, title=f"رشته {n}") for n in range(5)]
    for thread in threads:
        posting.reply(kaveh, thread, "یک پاسخ")
    with count_queries() as few:
        page(client, "/accounts/u/kaveh/replies")
    for thread in threads:
        posting.reply(kaveh, thread, "پاسخ دیگر")
    with count_queries() as more:
        page(client, "/accounts/u/kaveh/replies")
    assert more.count == few.count
