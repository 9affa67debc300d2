"""The posts of a thread page as each reader sees them (forum/post_html.py builds them in
Python, issue 14): which links each reader gets, placeholders, numbers, escaping."""

from html.parser import HTMLParser

from flask import url_for
from sqlalchemy import func, select

from tests.support import login
from tribune.extensions import db
from tribune.models import Post
from tribune.services import moderation, posting


class Articles(HTMLParser):
    """{post id: {"links": [(class, href, text)], "text": ..., "attrs": ...}} of a page."""

    def __init__(self, html):
        super().__init__()
        self.posts, self.current, self.anchor = {}, None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "article" and "post" in attrs.get("class", "").split():
            self.current = self.posts.setdefault(
                int(attrs["id"][1:]), {"links": [], "text": "", "attrs": attrs}
            )
        elif tag == "a" and self.current is not None:
            self.anchor = [attrs.get("class", ""), attrs.get("href"), ""]

    def handle_endtag(self, tag):
        if tag == "article":
            self.current = None
        elif tag == "a" and self.anchor is not None and self.current is not None:
            self.current["links"].append(tuple(self.anchor))
            self.anchor = None

    def handle_data(self, data):
        if self.current is not None:
            self.current["text"] += data
            if self.anchor is not None:
                self.anchor[2] += data


def labels(post):
    return [text.strip() for _cls, _href, text in post["links"]]


def english(client):
    with client.session_transaction() as session:
        session["locale"] = "en"


def test_each_reader_gets_the_links_they_may_use(app, client, make_user, make_thread,
                                                 make_moderator):  # fmt: skip
    sara = make_user("sara")
    reza = make_user("reza")
    thread = make_thread(author=sara, title="Secular republic", body="The opening", language="en")
    reply = posting.reply(reza, thread, "A reply", "en")
    opening_id = db.session.scalar(select(func.min(Post.id)).where(Post.thread_id == thread.id))
    make_moderator("mina")

    english(client)
    anonymous = Articles(client.get(f"/t/{thread.id}").get_data(as_text=True)).posts
    assert set(anonymous) == {opening_id, reply.id}
    assert labels(anonymous[reply.id])[-1] == "Copy link"
    assert not {"Reply", "Quote", "Edit", "Report", "Moderate", "Translate"} & set(
        labels(anonymous[reply.id])
    )

    login(client, "sara")
    english(client)
    page = Articles(client.get(f"/t/{thread.id}?page=1").get_data(as_text=True)).posts
    own, other = labels(page[opening_id]), labels(page[reply.id])
    assert "Edit" in own and "Report" not in own
    assert {"Reply", "Quote", "Translate", "Report"} <= set(other) and "Edit" not in other
    assert "Moderate" not in own + other
    with app.test_request_context():
        hrefs = {text.strip(): href for _cls, href, text in page[reply.id]["links"]}
        assert hrefs["Report"] == url_for("moderation.report_post", post_id=reply.id)
        assert hrefs["Translate"] == url_for("papers.translate", post_id=reply.id)
        assert hrefs["Copy link"] == url_for("forum.permalink", post_id=reply.id)
        assert hrefs["Reply"] == url_for(
            "forum.thread", thread_id=thread.id, page="1", reply_to=reply.id,
            _anchor="reply-heading",
        )  # fmt: skip

    client = app.test_client()
    login(client, "mina")
    english(client)
    page = Articles(client.get(f"/t/{thread.id}?page=1").get_data(as_text=True)).posts
    assert "Moderate" in labels(page[reply.id])
    with app.test_request_context():
        moderate = [href for cls, href, _t in page[reply.id]["links"] if cls == "mod-link"]
        assert moderate == [url_for("moderation.post", post_id=reply.id)]


def test_a_hidden_post_keeps_its_text_for_moderators_only(app, client, make_user, make_thread,
                                                          make_moderator):  # fmt: skip
    sara = make_user("sara")
    thread = make_thread(author=sara, body="The opening", language="en")
    reply = posting.reply(sara, thread, "Words to hide", "en")
    mina = make_moderator("mina")
    moderation.hide_post(mina, db.session.get(Post, reply.id), "<b>abuse</b> & insults")

    english(client)
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    post = Articles(html).posts[reply.id]
    assert "post-hidden" in post["attrs"]["class"]
    assert "Words to hide" not in html
    assert "Hidden by moderation: <b>abuse</b> & insults" in post["text"]
    assert "&lt;b&gt;abuse&lt;/b&gt; &amp; insults" in html

    client = app.test_client()
    login(client, "mina")
    english(client)
    html = client.get(f"/t/{thread.id}?page=1").get_data(as_text=True)
    post = Articles(html).posts[reply.id]
    assert "Hidden by moderation" in post["text"] and "Words to hide" in post["text"]
    # Nobody replies to, quotes or translates a hidden post, moderators included.
    assert not {"Reply", "Quote", "Translate"} & set(labels(post))


def test_numbers_dates_and_hostile_names(app, client, make_user, make_thread):
    hostile = make_user("x_y", display_name='"><script>alert(1)</script>')
    thread = make_thread(author=hostile, body="نخستین", language="fa")
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    post = next(iter(Articles(html).posts.values()))
    assert post["attrs"]["lang"] == "fa"
    # Persian interface: the post number in Persian digits, the date a <time> element.
    assert "#۱" in post["text"]
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    with app.test_request_context():
        assert (
            "author", url_for("accounts.profile", username="x_y"), '"><script>alert(1)</script>'
        ) in post["links"]
    assert '<div class="post-body" dir="rtl" data-quotable>' in html
    assert "<time datetime=" in html


def test_an_edited_post_links_its_history_apart_from_its_number(app, client, make_user,
                                                                 make_thread):  # fmt: skip
    sara = make_user("sara")
    thread = make_thread(author=sara, body="First words", language="en")
    post = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    posting.edit_post(sara, post, "Better words", "en", reason="a typo")
    english(client)
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    links = Articles(html).posts[post.id]["links"]
    with app.test_request_context():
        history = url_for("forum.history", post_id=post.id)
    assert [text.split()[0] for cls, href, text in links if href == history] == ["edited"]
    # Words and links stay apart when the header wraps (a phone): a space after each part.
    assert "</time></a> <a class=\"post-number meta\"" in html
