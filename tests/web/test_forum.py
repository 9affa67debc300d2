"""Opening threads, replying, editing with history, permalinks and pagination."""

import re

import pytest

from tests.support import PASSWORD, login
from tribune.extensions import db
from tribune.models import Post, PostRevision, Thread
from tribune.services import NotFound, Refused, posting


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def test_open_thread_through_the_form(client, make_user, make_section):
    make_user("sara")
    make_section("alternatives")
    login(client)
    response = client.post(
        "/tribune/alternatives/new",
        data={"title": "جمهوری لائیک", "language": "fa", "body": "**دین** از دولت جدا."},
    )
    assert response.status_code == 302
    thread = db.session.scalar(db.select(Thread))
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "جمهوری لائیک" in html
    assert "<strong>دین</strong>" in html
    assert thread.section.thread_count == 1


def test_new_thread_form_errors_are_per_field_and_keep_input(client, make_user, make_section):
    make_user("sara")
    make_section("alternatives")
    login(client)
    response = client.post(
        "/tribune/alternatives/new", data={"title": "", "language": "fa", "body": "متن نگه داشته"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'aria-invalid="true"' in html
    assert "متن نگه داشته" in html
    assert db.session.scalar(db.select(db.func.count(Thread.id))) == 0


def test_bad_language_is_a_field_error_not_a_500(client, make_user, make_section):
    make_user("sara")
    make_section("alternatives")
    login(client)
    response = client.post(
        "/tribune/alternatives/new", data={"title": "عنوان", "language": "xx", "body": "متن"}
    )
    assert response.status_code == 200


def test_anonymous_cannot_open_threads(client, make_section):
    make_section("alternatives")
    response = client.get("/tribune/alternatives/new")
    assert response.status_code == 302 and "/accounts/login" in response.headers["Location"]


def test_section_in_wrong_area_is_404(client, make_section):
    make_section("alternatives", area="tribune")
    assert client.get("/agenda/alternatives/").status_code == 404


def test_reply_and_permalink(client, make_thread, make_user):
    thread = make_thread()
    make_user("kaveh")
    login(client, "kaveh")
    response = client.post(f"/t/{thread.id}/reply", data={"body": "پاسخ من", "language": "fa"})
    post = db.session.scalar(db.select(Post).order_by(Post.id.desc()))
    assert response.headers["Location"].endswith(f"/p/{post.id}")
    target = client.get(f"/p/{post.id}").headers["Location"]
    assert target.endswith(f"/t/{thread.id}#p{post.id}")
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert f'id="p{post.id}"' in html and "پاسخ من" in html
    assert fresh(Thread, thread.id).reply_count == 1


def test_empty_reply_shows_error_and_keeps_nothing(client, make_thread):
    thread = make_thread()
    login(client)
    response = client.post(f"/t/{thread.id}/reply", data={"body": "", "language": "fa"})
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)
    assert fresh(Thread, thread.id).reply_count == 0


def test_permalink_of_a_post_on_a_later_page(client, make_thread, make_user):
    thread = make_thread()
    other = make_user("kaveh")
    posts = [posting.reply(other, thread, f"پاسخ {n}", "fa") for n in range(12)]
    # 5 posts per page in tests; the opening post is #1, so reply 11 (index 10) is #12: page 3.
    location = client.get(f"/p/{posts[10].id}").headers["Location"]
    assert location.endswith(f"/t/{thread.id}?page=3#p{posts[10].id}")
    html = client.get(f"/t/{thread.id}?page=3").get_data(as_text=True)
    assert f'id="p{posts[10].id}"' in html
    assert client.get(f"/t/{thread.id}?page=4").status_code == 404
    assert client.get(f"/t/{thread.id}?page=0").status_code == 404


def test_thread_page_queries_do_not_grow_with_replies(
    client, make_thread, make_user, count_queries
):
    thread = make_thread()
    authors = [make_user(f"author{n}") for n in range(5)]

    def measure():
        with count_queries() as counter:
            assert client.get(f"/t/{thread.id}?page=1").status_code == 200
        return counter.count

    posting.reply(authors[0], thread, "یک", "fa")
    few = measure()
    for n in range(20):
        posting.reply(authors[n % 5], thread, f"پاسخ {n}", "fa")
        posting.edit_post(
            authors[n % 5],
            db.session.scalar(db.select(Post).order_by(Post.id.desc())),
            f"ویرایش {n}",
            "fa",
        )
    many = measure()
    assert few == many
    # thread, posts with authors, the page count; plus the logged-in user when there is one;
    # plus the site settings' version (one primary-key read, docs/decisions/0302).
    assert many <= 5, many


def test_a_participant_reading_a_thread_of_many_authors_costs_no_query_per_post(
    client, make_thread, make_user, count_queries
):
    """Issue 14: the page loads only the columns it shows; reading one it did not load (an
    author's name, a post's source) would cost a query per post, so the count would grow. So
    would marking the posts read before rendering them (the commit expires every loaded row)."""
    from tribune.services import accounts

    thread = make_thread()  # opened by "sara"
    named = make_user("named", display_name="نام نمایشی")
    gone = make_user("gone")
    posting.reply(named, thread, "از نام‌دار", "fa")
    posting.reply(gone, thread, "از رفته", "fa")
    accounts.delete_account(gone, PASSWORD)
    db.session.commit()
    login(client)

    def measure():
        with count_queries() as counter:
            html = client.get(f"/t/{thread.id}?page=1").get_data(as_text=True)
        return counter.count, html

    few, html = measure()
    assert "نام نمایشی" in html and "شرکت‌کننده‌ی پیشین" in html
    for n in range(12):
        author = make_user(f"author{n}", display_name=f"نویسنده {n}" if n % 2 else "")
        post = posting.reply(author, thread, f"پاسخ {n}", "fa")
        if n % 3 == 0:
            posting.edit_post(author, post, f"ویرایش {n}", "fa")
    many, html = measure()
    assert few == many
    assert "نام نمایشی" in html and "نویسنده 1" in html and "author0" in html


@pytest.mark.parametrize(
    "username",
    ["sara", "سارا", "a b", "100%", "a/b", "q?x=1#y", "<script>", "o'neil", 'say "hi"', "é_~-."],
)
def test_profile_links_are_the_links_url_for_builds(app, username):
    """The thread page builds profile links from one url_for per request (issue 14)."""
    from flask import url_for

    from tribune.forum.views import profile_link

    with app.test_request_context("/"):
        assert profile_link(username) == url_for("accounts.profile", username=username)
        # Twice in a request: the second comes from the pattern kept for it.
        assert profile_link(username) == url_for("accounts.profile", username=username)


def test_edit_keeps_the_previous_version(client, make_thread):
    thread = make_thread(body="نسخه‌ی نخست")
    post = db.session.scalar(db.select(Post).where(Post.thread_id == thread.id))
    login(client)
    response = client.post(
        f"/p/{post.id}/edit",
        data={"title": "عنوان تازه", "language": "fa", "body": "نسخه‌ی دوم"},
    )
    assert response.status_code == 302
    post = fresh(Post, post.id)
    assert post.body_source == "نسخه‌ی دوم" and post.revision_count == 1
    revision = db.session.scalar(db.select(PostRevision))
    assert revision.body_source == "نسخه‌ی نخست"
    assert revision.title == "چرا جمهوری لائیک؟"
    assert fresh(Thread, thread.id).title == "عنوان تازه"
    history = client.get(f"/p/{post.id}/history").get_data(as_text=True)
    assert "نسخه‌ی نخست" in history and "نسخه‌ی دوم" in history
    thread_html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert f"/p/{post.id}/history" in thread_html


def test_an_unchanged_edit_writes_no_revision(app, make_thread):
    thread = make_thread(body="متن")
    post = db.session.scalar(db.select(Post).where(Post.thread_id == thread.id))
    posting.edit_post(thread.author, post, "متن", "fa", title=thread.title)
    assert post.revision_count == 0


def test_cannot_edit_someone_elses_post(client, make_thread, make_user):
    thread = make_thread()
    post = db.session.scalar(db.select(Post))
    make_user("kaveh")
    login(client, "kaveh")
    assert client.get(f"/p/{post.id}/edit").status_code == 404
    assert (
        client.post(f"/p/{post.id}/edit", data={"body": "x", "language": "fa"}).status_code == 404
    )
    with pytest.raises(Refused):
        posting.edit_post(db.session.get(type(thread.author), 2), post, "تغییر", "fa")


def test_locked_thread_refuses_replies(app, make_thread, make_user):
    thread = make_thread()
    thread.is_locked = True
    db.session.commit()
    with pytest.raises(Refused):
        posting.reply(make_user("kaveh"), thread, "پاسخ", "fa")


def test_anonymous_cannot_open_thread_in_service(app, make_section):
    from flask_login import AnonymousUserMixin

    with pytest.raises(NotFound):
        posting.open_thread(AnonymousUserMixin(), make_section(), "عنوان", "متن", "fa")


def test_section_lists_paginate_with_pinned_first(client, make_user, make_section):
    author = make_user("sara")
    section = make_section("strategy")
    threads = [posting.open_thread(author, section, f"رشته {n}", "متن", "fa") for n in range(7)]
    threads[0].is_pinned = True
    db.session.commit()
    page1 = client.get("/tribune/strategy/").get_data(as_text=True)
    titles = re.findall(r'class="thread-title"[^>]*>([^<]+)<', page1)
    assert titles[0] == "رشته 0" and len(titles) == 5
    page2 = client.get("/tribune/strategy/?page=2").get_data(as_text=True)
    assert len(re.findall(r'class="thread-title"', page2)) == 2


def test_markdown_is_sanitized_when_saved(app, make_thread):
    thread = make_thread(
        body="<script>alert(1)</script> [x](javascript:alert(1)) [ok](https://a.example)"
    )
    post = db.session.scalar(db.select(Post).where(Post.thread_id == thread.id))
    assert "<script" not in post.body_html
    assert 'href="javascript' not in post.body_html
    assert 'rel="nofollow noopener ugc"' in post.body_html
    assert 'dir="auto"' in post.body_html


def test_rerender_command_updates_stored_html(app, make_thread):
    thread = make_thread(body="متن **پررنگ**")
    post = db.session.scalar(db.select(Post).where(Post.thread_id == thread.id))
    post.body_html = "<p>stale</p>"
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["posts", "rerender"])
    assert result.exit_code == 0, result.output
    assert "1 changed" in result.output
    assert "<strong>پررنگ</strong>" in fresh(Post, post.id).body_html


def test_latest_threads_are_the_newest_of_all_sections_of_an_area(
    client, make_user, make_section, count_queries
):
    """Issue 14: "latest threads" reads each section's newest from an index and merges them."""
    from datetime import UTC, datetime, timedelta

    from tribune.forum import queries

    author = make_user()
    sections = [make_section(slug=f"s{n}", title=f"بخش {n}") for n in range(3)]
    other_area = make_section(slug="actions", area="agenda", title="کارها")
    start = datetime(2024, 1, 1, tzinfo=UTC)
    made = []
    for n in range(12):
        thread = posting.open_thread(author, sections[n % 3], f"رشته {n}", "متن", "fa")
        thread.last_post_at = start + timedelta(hours=(n * 7) % 12)
        made.append(thread)
    agenda_thread = posting.open_thread(author, other_area, "کار", "متن", "fa")
    agenda_thread.last_post_at = start + timedelta(days=30)
    db.session.commit()
    expected = sorted(made, key=lambda t: t.last_post_at, reverse=True)[:5]
    tribune = queries.sections_by_area()["tribune"]
    assert queries.latest_threads(tribune, limit=5) == expected
    assert queries.latest_threads([], limit=5) == []

    def home_queries():
        with count_queries() as counter:
            assert client.get("/").status_code == 200
            assert client.get("/tribune/").status_code == 200
        return counter.count

    few = home_queries()
    for n in range(3, 6):
        section = make_section(slug=f"more{n}", title=f"بخش {n}")
        for m in range(4):
            posting.open_thread(author, section, f"رشته {n}-{m}", "متن", "fa")
    assert home_queries() == few
