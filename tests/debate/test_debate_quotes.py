"""Replies that answer and quote posts: exact passages, links back, no leak of hidden posts."""

import re

import pytest
from debate_support import opening_post
from sqlalchemy import select

from tests.support import login
from tribune.extensions import db
from tribune.models import Post, Quote
from tribune.services import Invalid, debate_posts, moderation, posting

BODY = "جدایی کامل دین از دولت شرط لازم هر دمکراسی است.\n\n۱. آزادی بیان\n۲. برابری"
PASSAGE = "شرط لازم هر دمکراسی است"


@pytest.fixture
def paper(make_paper, make_user):
    return make_paper(author=make_user("sara"), body=BODY)


def reply_form(passage=PASSAGE, post_id=None, reply_to=None, body="با این بخش موافقم."):
    data = {"body": body, "language": "fa", "quotes-0-passage": passage}
    if post_id:
        data["quotes-0-post_id"] = str(post_id)
    if reply_to:
        data["reply_to"] = str(reply_to)
    return data


def test_a_reply_quotes_a_passage_with_a_link_back(client, paper, make_user):
    make_user("kaveh")
    original = opening_post(paper)
    login(client, "kaveh")
    response = client.post(f"/t/{paper.id}/reply", data=reply_form(post_id=original.id))
    assert response.status_code == 302
    reply = db.session.scalar(select(Post).order_by(Post.id.desc()))
    quote = db.session.scalar(select(Quote))
    assert (quote.post_id, quote.quoted_post_id, quote.passage) == (reply.id, original.id, PASSAGE)
    # Quoting a post of the same thread answers it.
    assert reply.reply_to_id == original.id and reply.quote_count == 1
    # The passage is not part of the reply's own text (nor of what search indexes).
    assert PASSAGE not in reply.body_source and PASSAGE not in reply.body_html
    html = client.get(f"/t/{paper.id}").get_data(as_text=True)
    article = re.search(rf'<article[^>]*id="p{reply.id}".*?</article>', html, re.S).group(0)
    assert PASSAGE in article
    assert f'href="/p/{original.id}"' in article and "In reply to" in article


def test_a_quote_must_be_copied_exactly(client, paper, make_user):
    make_user("kaveh")
    login(client, "kaveh")
    forged = reply_form("دمکراسی لازم نیست", post_id=opening_post(paper).id)
    response = client.post(f"/t/{paper.id}/reply", data=forged)
    assert response.status_code == 400
    assert "copied exactly" in response.get_data(as_text=True) or 'class="error"' in (
        response.get_data(as_text=True)
    )
    assert db.session.scalar(select(db.func.count(Quote.id))) == 0
    assert db.session.scalar(select(db.func.count(Post.id))) == 1


def test_line_breaks_and_spaces_do_not_matter_in_a_quote(app, paper, make_user):
    original = opening_post(paper)
    # «۱. آزادی بیان» is a list item (issue 17): a selection holds its words, not its number.
    passage = "دمکراسی است.\n\nآزادی   بیان"
    reply = debate_posts.reply(make_user("kaveh"), paper, "پاسخ", quotes=[(original.id, passage)])
    assert reply.quote_count == 1


def test_quote_link_prefills_the_form_without_javascript(client, paper, make_user):
    make_user("kaveh")
    original = opening_post(paper)
    login(client, "kaveh")
    html = client.get(f"/t/{paper.id}?quote={original.id}").get_data(as_text=True)
    assert f'name="quotes-0-post_id" type="hidden" value="{original.id}"' in html
    textarea = re.search(r'<textarea[^>]*name="quotes-0-passage"[^>]*>(.*?)</textarea>', html, re.S)
    assert "جدایی کامل دین از دولت" in textarea.group(1)
    assert f'name="reply_to" type="hidden" value="{original.id}"' in html
    # The links under each post lead there; the script enhances them.
    assert f'href="/t/{paper.id}?quote={original.id}#reply-heading"' in html
    assert "/static/js/quote.js" in html


def test_replying_to_a_post_without_quoting(client, paper, make_user):
    make_user("kaveh")
    original = opening_post(paper)
    login(client, "kaveh")
    html = client.get(f"/t/{paper.id}?reply_to={original.id}").get_data(as_text=True)
    assert f'name="reply_to" type="hidden" value="{original.id}"' in html
    client.post(
        f"/t/{paper.id}/reply", data={"body": "پاسخ", "language": "fa", "reply_to": original.id}
    )
    reply = db.session.scalar(select(Post).order_by(Post.id.desc()))
    assert reply.reply_to_id == original.id and reply.quote_count == 0


def test_answering_a_post_of_another_thread_is_refused(app, paper, make_thread, make_user):
    other = make_thread(author=paper.author, section=paper.section, title="رشته‌ی دیگر")
    with pytest.raises(Invalid):
        debate_posts.reply(make_user("kaveh"), paper, "پاسخ", reply_to=opening_post(other).id)


def test_quoting_a_post_of_another_thread_links_to_it(client, paper, make_thread, make_user):
    other = make_thread(
        author=paper.author,
        section=paper.section,
        title="رشته‌ی دیگر",
        body="متنی در رشته‌ی دیگر درباره‌ی شوراها.",
    )
    kaveh = make_user("kaveh")
    source = opening_post(other)
    reply = debate_posts.reply(kaveh, paper, "پاسخ", quotes=[(source.id, "درباره‌ی شوراها")])
    assert reply.reply_to_id is None
    html = client.get(f"/t/{paper.id}").get_data(as_text=True)
    assert "درباره‌ی شوراها" in html and f'href="/p/{source.id}"' in html


HIDDEN_WORDS = "سخنی که بعدا پنهان می‌شود"


def test_a_hidden_post_does_not_leak_through_quotes(client, paper, make_user, make_moderator):
    kaveh, maryam = make_user("kaveh"), make_user("maryam")
    moderator = make_moderator(make_user("mod"))
    quoted = debate_posts.reply(maryam, paper, f"{HIDDEN_WORDS} و باقی متن.")
    reply = debate_posts.reply(kaveh, paper, "پاسخ من", quotes=[(quoted.id, HIDDEN_WORDS)])
    assert client.get(f"/t/{paper.id}").get_data(as_text=True).count(HIDDEN_WORDS) == 2
    moderation.hide_post(moderator, quoted, "نقض قواعد")

    for reader in (None, "kaveh", "maryam"):
        if reader:
            login(client, reader)
        html = client.get(f"/t/{paper.id}").get_data(as_text=True)
        assert HIDDEN_WORDS not in html
        assert "hidden by moderation" in html
        assert HIDDEN_WORDS not in client.get(f"/p/{reply.id}/history").get_data(as_text=True)
        # The "quote" prefill refuses a hidden post too.
        prefilled = client.get(f"/t/{paper.id}?quote={quoted.id}").get_data(as_text=True)
        assert HIDDEN_WORDS not in prefilled
        client.post("/accounts/logout")
    login(client, "mod")
    assert HIDDEN_WORDS in client.get(f"/t/{paper.id}").get_data(as_text=True)
    # Quotes are no searchable content of the reply: search is never pointed at them.
    assert HIDDEN_WORDS not in db.session.get(Post, reply.id).body_source


def test_a_hidden_post_cannot_be_quoted(app, paper, make_user, make_moderator):
    moderator = make_moderator(make_user("mod"))
    quoted = debate_posts.reply(make_user("maryam"), paper, f"{HIDDEN_WORDS}.")
    moderation.hide_post(moderator, quoted, "نقض قواعد")
    with pytest.raises(Invalid):
        debate_posts.reply(make_user("kaveh"), paper, "پاسخ", quotes=[(quoted.id, HIDDEN_WORDS)])


def test_quotes_say_when_the_quoted_post_was_edited_since(client, paper, make_user):
    original = opening_post(paper)
    debate_posts.reply(make_user("kaveh"), paper, "پاسخ", quotes=[(original.id, PASSAGE)])
    posting.edit_post(paper.author, original, BODY + "\n\nبند تازه.", "fa")
    assert "edited since it was quoted" in client.get(f"/t/{paper.id}").get_data(as_text=True)


def test_at_most_five_quotes(app, paper, make_user):
    original = opening_post(paper)
    with pytest.raises(Invalid):
        debate_posts.reply(make_user("kaveh"), paper, "پاسخ", quotes=[(original.id, "دمکراسی")] * 6)


def test_thread_page_queries_stay_flat_with_quotes_and_translations(
    client, paper, make_user, count_queries
):
    original = opening_post(paper)
    readers = [make_user(f"reader{n}") for n in range(4)]

    def measure():
        with count_queries() as counter:
            assert client.get(f"/t/{paper.id}").status_code == 200
        return counter.count

    debate_posts.reply(readers[0], paper, "یک", quotes=[(original.id, PASSAGE)])
    debate_posts.translate(readers[1], original, "de", "Die Trennung von Religion und Staat.")
    few = measure()
    for n in range(3):
        reply = debate_posts.reply(
            readers[n], paper, f"پاسخ {n}", quotes=[(original.id, "دمکراسی")], reply_to=original.id
        )
        debate_posts.translate(readers[3], reply, "en", f"Reply {n}")
    assert measure() == few


def test_an_emptied_quote_is_dropped(app, paper, make_user):
    original = opening_post(paper)
    reply = debate_posts.reply(make_user("kaveh"), paper, "پاسخ", quotes=[(original.id, "  ")])
    assert reply.quote_count == 0
