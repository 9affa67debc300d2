"""Writing without losing: the body limit said, never cut; the preview; edit reasons and diffs."""

import re

from sqlalchemy import func, select

from tests.support import login
from tribune.extensions import db
from tribune.models import Post
from tribune.services import posting
from tribune.text.diff import word_diff


def test_an_over_long_reply_is_refused_with_the_count_and_kept_whole(client, people, make_thread):
    thread = make_thread(author=people[0])
    login(client, "kaveh")
    body = ("سطری از یک مقاله‌ی بلند. " * 5000)[:102_399] + "؟"
    response = client.post(f"/t/{thread.id}/reply", data={"body": body, "language": "fa"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "102,400 characters; at most 100,000 fit. Nothing was cut" in page
    # Every character is back in the form, and no maxlength would cut a paste.
    assert body.strip() in page.replace("&#39;", "'")
    assert "maxlength" not in re.search(r"<textarea[^>]*name=\"body\"[^>]*>", page).group(0)
    assert 'data-limit="100000"' in page
    assert db.session.scalar(select(func.count()).select_from(Post)) == 1


def test_every_body_field_has_a_counter_and_no_maxlength(client, people, make_thread, make_section):
    thread = make_thread(author=people[0])
    login(client, "sara")
    post = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    for url in (f"/t/{thread.id}", "/tribune/alternatives/new", "/papers/new",
                f"/p/{post.id}/edit", f"/papers/posts/{post.id}/translate"):
        page = client.get(url).get_data(as_text=True)
        area = re.search(r"<textarea[^>]*data-compose[^>]*>", page)
        assert area, url
        assert "maxlength" not in area.group(0), url


def test_preview_renders_as_saved_and_sanitizes(client, people):
    login(client, "sara")
    response = client.post("/compose/preview", data={
        "body": "**پررنگ** @kaveh <script>alert(1)</script> [x](javascript:alert(1))"
    })
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<strong>پررنگ</strong>" in html
    assert '<a href="/u/kaveh" class="mention" dir="ltr"' in html
    assert "<script>" not in html.replace("&lt;script&gt;", "") and 'href="javascript' not in html
    assert "&lt;script&gt;" in html  # shown as text, as it would be saved
    too_long = client.post("/compose/preview", data={"body": "x" * 100_001})
    assert too_long.status_code == 400 and "Nothing was cut" in too_long.get_data(as_text=True)
    client.post("/accounts/logout")
    assert client.post("/compose/preview", data={"body": "x"}).status_code == 302


def test_preview_needs_the_csrf_token(app, client, people):
    app.config["WTF_CSRF_ENABLED"] = True
    login(client, "sara")
    assert client.post("/compose/preview", data={"body": "متن"}).status_code == 400


def test_edit_reason_and_word_diff_in_the_history(client, people, make_thread):
    sara = people[0]
    thread = make_thread(author=sara, body="جمهوری دمکراتیک و لائیک برای همه")
    post = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    login(client, "sara")
    client.post(f"/p/{post.id}/edit", data={
        "title": thread.title, "language": "fa",
        "body": "جمهوری دمکراتیک، لائیک و فدرال برای همه", "reason": "افزودن فدرال",
    })
    posting.edit_post(sara, post, "جمهوری دمکراتیک، لائیک و فدرال برای همه مردم", "fa")
    page = client.get(f"/p/{post.id}/history").get_data(as_text=True)
    assert "افزودن فدرال" in page
    assert "<ins>مردم</ins>" in page.replace("<ins> ", "<ins>")
    assert "<del>" in page and 'class="diff" dir="auto"' in page


def test_word_diff_keeps_spaces_and_marks_words():
    assert word_diff("a b c", "a x c") == [("same", "a "), ("removed", "b"), ("added", "x"),
                                           ("same", " c")]
    assert word_diff("", "سلام") == [("added", "سلام")]
    assert "".join(t for k, t in word_diff("یک دو", "یک سه") if k != "removed") == "یک سه"
