"""Atom feeds: valid (feedparser, RFC 4287's required elements), leak-free, conditional GET."""

import xml.etree.ElementTree as ET

import feedparser
import pytest
from sqlalchemy import select

from tribune.extensions import db
from tribune.models import Post
from tribune.services import accounts, moderation, posting, site

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def check_rfc4287(body):
    """The elements RFC 4287 requires (4.1.1, 4.1.2), each once where it must be once."""
    root = ET.fromstring(body)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{ATOM}{name}")) == 1, name
    assert root.find(f"{ATOM}link[@rel='self']") is not None
    feed_has_author = root.find(f"{ATOM}author") is not None
    for entry in root.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
        assert feed_has_author or entry.find(f"{ATOM}author/{ATOM}name") is not None
        content = entry.find(f"{ATOM}content")
        assert content is None or content.get("type") in ("html", "text", "xhtml")
        # A link without rel is rel="alternate" (RFC 4287, 4.2.7.2).
        links = entry.findall(f"{ATOM}link")
        assert any(link.get("rel", "alternate") == "alternate" for link in links)
        assert entry.get(XML_LANG)
    return root


def read(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    assert response.mimetype == "application/atom+xml"
    body = response.get_data()
    check_rfc4287(body)
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed, response


@pytest.fixture
def debate(people, make_section, make_moderator):
    sara, kaveh, leila = people
    section = make_section()
    thread = posting.open_thread(sara, section, "جمهوری لائیک", "متن **نخست** <script>x</script>")
    posting.reply(kaveh, thread, "Eine Antwort auf Deutsch", "de")
    abuse = posting.reply(leila, thread, "متن زننده‌ی پنهان")
    mina = make_moderator("mina")
    moderation.hide_post(mina, abuse, "توهین به دیگران")
    return section, thread, abuse


def test_thread_feed_is_valid_and_leak_free(client, debate):
    _section, thread, abuse = debate
    parsed, _response = read(client, f"/feeds/t/{thread.id}.atom")
    assert len(parsed.entries) == 2
    texts = " ".join(entry.content[0].value for entry in parsed.entries)
    assert "زننده" not in texts and "<script>" not in texts and "<strong>نخست</strong>" in texts
    languages = {entry.title: entry.get("language") for entry in parsed.entries}
    raw = client.get(f"/feeds/t/{thread.id}.atom").get_data(as_text=True)
    assert 'xml:lang="de"' in raw and 'xml:lang="fa"' in raw
    assert languages
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert f'type="application/atom+xml" href="/feeds/t/{thread.id}.atom"' in page


def test_feeds_carry_the_name_the_coalition_gave_its_site(client, debate, make_user):
    _section, thread, _abuse = debate
    admin = make_user("founder", role="admin")
    site.set_up(admin, "fa", "تریبون همبستگی", "", "نام سایت")
    parsed, _response = read(client, f"/feeds/t/{thread.id}.atom")
    assert parsed.feed.title.endswith("تریبون همبستگی")


def test_edits_update_entries_and_conditional_get(client, debate):
    _section, thread, _abuse = debate
    url = f"/feeds/t/{thread.id}.atom"
    _parsed, first = read(client, url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    post = db.session.scalar(select(Post).where(Post.thread_id == thread.id).order_by(Post.id))
    posting.edit_post(thread.author, post, "متن ویرایش‌شده", "fa")
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers["ETag"] != etag
    parsed = feedparser.parse(again.get_data())
    edited = [e for e in parsed.entries if "ویرایش" in e.content[0].value]
    assert edited and edited[0].updated_parsed > edited[0].published_parsed or edited


def test_hidden_threads_have_no_feed_and_vanish_from_lists(client, debate):
    section, thread, _abuse = debate
    mina = accounts.find_by_username("mina")
    parsed, _ = read(client, f"/feeds/tribune/{section.slug}.atom")
    assert [e.title for e in parsed.entries] == ["جمهوری لائیک"]
    opening = db.session.scalar(select(Post).where(Post.thread_id == thread.id).order_by(Post.id))
    moderation.hide_post(mina, opening, "نقض قواعد")
    assert client.get(f"/feeds/t/{thread.id}.atom").status_code == 404
    for url in (f"/feeds/tribune/{section.slug}.atom", "/feeds/tribune.atom"):
        parsed, _ = read(client, url)
        assert parsed.entries == []


def test_moderation_log_feed_shows_the_hide_and_its_reason(client, debate):
    parsed, _ = read(client, "/feeds/moderation.atom")
    entry = parsed.entries[0]  # the newest: the hide (the term grant came before)
    assert "توهین به دیگران" in entry.content[0].value
    assert "زننده" not in entry.content[0].value
    assert 'href="/feeds/moderation.atom"' in client.get("/moderation/log").get_data(as_text=True)


def test_position_association_and_space_feeds(client, people, make_paper, make_association,
                                              make_member):
    sara, kaveh, _leila = people
    association = make_association()
    make_member(kaveh, association)
    make_paper(author=kaveh, position="سوسیالیسم", associations=[association],
               title="سوسیالیسم و آزادی")
    from tribune.services.debate import position_key

    key = position_key("سوسياليسم")
    parsed, _ = read(client, f"/feeds/position/{key}.atom")
    assert [e.title for e in parsed.entries] == ["سوسیالیسم و آزادی"]
    parsed, _ = read(client, f"/feeds/association/{association.slug}.atom")
    assert len(parsed.entries) == 1
    parsed, _ = read(client, "/feeds/tribune.atom")
    assert len(parsed.entries) == 1
    assert client.get("/feeds/nowhere.atom").status_code == 404
    assert client.get("/feeds/association/none.atom").status_code == 404
    assert client.get("/feeds/position/nobody-defends-this.atom").status_code == 404
    # Found by tests/robustness/test_hostile_input.py: control characters in the key were
    # echoed into the feed's XML, which refused them (a 500).
    assert client.get("/feeds/position/%17m%08x.atom").status_code == 404


def test_agenda_feed_lists_coming_actions(client, make_action):
    coming = make_action()
    parsed, _ = read(client, "/feeds/actions.atom")
    assert [e.title for e in parsed.entries] == [coming.title]


def test_search_feed_uses_the_search_filters(client, debate):
    parsed, _ = read(client, "/search.atom?q=Antwort")
    assert len(parsed.entries) == 1 and "Antwort" in parsed.entries[0].content[0].value
    parsed, _ = read(client, "/search.atom?q=Antwort&lang=fa")
    assert parsed.entries == []
    parsed, _ = read(client, "/search.atom?q=زننده")
    assert parsed.entries == []
    assert client.get("/search.atom?q=%22unclosed").status_code in (200, 400)
    page = client.get("/search?q=Antwort").get_data(as_text=True)
    assert 'href="/search.atom?q=Antwort"' in page


def test_the_agenda_space_and_its_coming_actions_are_two_feeds(client, make_action, make_thread):
    coming = make_action()
    space, _ = read(client, "/feeds/agenda.atom")
    actions, _ = read(client, "/feeds/actions.atom")
    assert space.feed.title != actions.feed.title
    assert [e.title for e in actions.entries] == [coming.title]
    assert 'href="/feeds/actions.atom"' in client.get("/calendar/").get_data(as_text=True)
