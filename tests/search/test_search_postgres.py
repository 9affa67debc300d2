"""PostgreSQL backend: several hosts on one database, transactions that commit late or roll
back, capped totals, an honest status, and rebuilding while serving. Skipped without PostgreSQL
(CI's second pass runs them)."""

import threading
import time

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from tests.conftest import IsolatedClient, make_config
from tests.search.conftest import needs_postgres
from tribune import create_app, fulltext
from tribune.extensions import db
from tribune.fulltext import BackendRefused
from tribune.models import Post, SearchState, SearchText, Section, Thread, User
from tribune.services import posting

pytestmark = needs_postgres


def host(tmp_path, name, **overrides):
    """Another application on the same database, with an instance folder of its own."""
    config = make_config(
        tmp_path / name,
        INSTANCE_PATH=str(tmp_path / name / "instance"),
        INDEX_DIR=str(tmp_path / name / "index"),
        **overrides,
    )
    application = create_app(config)
    application.test_client_class = IsolatedClient
    return application


def total(client, q, **params):
    response = client.get("/api/v1/search", query_string={"q": q, **params})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["total"]


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_the_postgres_backend_runs_here(app):
    assert fulltext.current().name == "postgres"


def test_a_post_made_through_one_host_is_found_through_another_at_once(app, tmp_path, make_thread):
    thread = make_thread(body="متن نخست")
    other = host(tmp_path, "b")
    reader = other.test_client()
    for n in range(20):
        posting.reply(thread.author, thread, f"پاسخ شماره {n} درباره‌ی همزمانی")
        assert total(reader, "همزمانی") == n + 1
    with other.app_context():
        db.engine.dispose()


def test_a_reply_whose_transaction_took_15_seconds_is_found_once_it_commits(
    app, tmp_path, make_thread
):
    thread = make_thread(body="متن نخست")
    other = host(tmp_path, "b")
    reader = other.test_client()
    held = threading.Event()
    outcome = {}

    thread_id, author_id = thread.id, thread.author_id

    def slow_reply():
        with app.app_context():
            author = db.session.get(User, author_id)
            slow = db.session.get(Thread, thread_id)

            def hold(post):
                # The post and its search row are flushed; the commit waits 15 s.
                held.set()
                time.sleep(15)

            outcome["post"] = posting.reply(author, slow, "پاسخ دیرهنگام", extend=hold).id
            db.session.remove()

    writer = threading.Thread(target=slow_reply)
    writer.start()
    assert held.wait(30)
    # Meanwhile others write and are found at once; the held reply is not visible yet.
    posting.reply(thread.author, thread, "پاسخ سریع")
    assert total(reader, "سریع") == 1
    assert total(reader, "دیرهنگام") == 0
    writer.join(60)
    assert total(reader, "دیرهنگام") == 1
    assert total(reader, "پاسخ") == 2
    with other.app_context():
        db.engine.dispose()


def test_a_rolled_back_write_leaves_no_trace(app, make_thread):
    thread = make_thread(body="متن نخست")
    rows = db.session.scalar(select(func.count()).select_from(SearchText))
    db.session.add(
        Post(thread=thread, author=thread.author, body_source="واژه‌ی گمشده", body_html="x")
    )
    db.session.flush()
    assert db.session.scalar(select(func.count()).select_from(SearchText)) == rows + 1
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SearchText)) == rows
    # Nothing waits for the rolled-back id either: the next post is found at once.
    posting.reply(thread.author, thread, "پاسخ پس از بازگشت")
    assert total(app.test_client(), "بازگشت") == 1


def test_whoosh_is_refused_on_postgresql_with_a_clear_message(tmp_path):
    with pytest.raises(BackendRefused) as refused:
        create_app(make_config(tmp_path, SEARCH_BACKEND="whoosh"))
    assert "SQLite" in str(refused.value) and "postgres" in str(refused.value)


def test_past_the_rank_limit_totals_say_more_than(app, client, make_thread):
    app.config["SEARCH_RANK_LIMIT"] = 5
    fulltext.current().rank_limit = 5
    thread = make_thread(body="شورا آغاز")
    replies = [posting.reply(thread.author, thread, f"شورا {n}") for n in range(7)]
    body = client.get("/api/v1/search", query_string={"q": "شورا", "sort": "newest"}).get_json()
    assert body["total"] == 5 and body["total_is_exact"] is False
    assert [r["post_id"] for r in body["results"]][:5] == [r.id for r in replies[::-1][:5]]
    client.post("/locale", data={"locale": "en"})
    html = client.get("/search", query_string={"q": "شورا"}).get_data(as_text=True)
    assert "More than 5 results" in html


def test_status_names_missing_stale_and_outdated_rows(app, make_thread):
    thread = make_thread(body="جمهوری لائیک")
    reply = posting.reply(thread.author, thread, "پاسخی برای آزمون")
    assert run(app, "search", "status").exit_code == 0
    db.session.execute(text("DELETE FROM search_texts WHERE post_id = :id"), {"id": reply.id})
    db.session.execute(text("UPDATE search_texts SET digest = 'x' WHERE key = :k"),
                       {"k": f"p{thread.id}"})  # fmt: skip
    db.session.commit()
    status = run(app, "search", "status")
    assert status.exit_code == 1
    assert "1 texts have no search row" in status.output
    assert "do not match their text" in status.output
    db.session.execute(text("UPDATE search_texts SET analyzer = 1"))
    db.session.commit()
    assert "older analyzer" in run(app, "search", "status").output
    assert run(app, "search", "rebuild", "--quiet").exit_code == 0
    status = run(app, "search", "status")
    assert status.exit_code == 0, status.output
    assert total(app.test_client(), "آزمون") == 1


def test_an_upgraded_site_answers_503_until_its_rebuild(app, client, make_thread):
    """The migration to this version marks the rows missing on a database with posts."""
    make_thread(body="جمهوری لائیک")
    db.session.add(SearchState(name="postgres", last_change_id=0, analyzer=None))
    db.session.commit()
    response = client.get("/api/v1/search", query_string={"q": "لائیک"})
    assert response.status_code == 503 and response.headers["Retry-After"].isdigit()
    assert run(app, "search", "status").exit_code == 1
    assert run(app, "search", "rebuild", "--quiet").exit_code == 0
    assert total(client, "لائیک") == 1
    assert db.session.get(SearchState, "postgres").analyzer is not None


def test_searches_keep_answering_while_a_rebuild_runs(app, client, make_thread):
    thread = make_thread(body="جمهوری لائیک")
    for n in range(6):
        posting.reply(thread.author, thread, f"پاسخ {n} درباره‌ی لائیسیته")
    answers = []

    def during(done, of):
        answers.append(total(client, "لائیسیته"))
        if len(answers) == 1:
            posting.reply(thread.author, thread, "پاسخی در میانه‌ی بازسازی")

    from tribune.fulltext import postgres

    original = postgres.REBUILD_BATCH
    postgres.REBUILD_BATCH = 2
    try:
        done = fulltext.current().rebuild(lambda: Session(db.engine), progress=during)
    finally:
        postgres.REBUILD_BATCH = original
    assert len(answers) == 4 and all(answer == 6 for answer in answers)
    assert done.posts == 7  # posts written during the rebuild derive themselves
    assert total(client, "بازسازی") == 1
    assert run(app, "search", "status").exit_code == 0


def test_the_worker_has_nothing_to_do(app):
    result = run(app, "search", "worker", "--once")
    assert result.exit_code == 0 and "Nothing to run" in result.output


def test_several_hosts_writing_and_searching_at_once(app, tmp_path, make_user, make_section):
    section_id = make_section().id
    author_ids = [make_user(f"writer{n}").id for n in range(3)]
    hosts = [host(tmp_path, f"h{n}") for n in range(3)]
    failures = []

    def work(number):
        try:
            write(number)
        except Exception as error:  # reported below
            failures.append(repr(error))

    def write(number):
        application = hosts[number]
        with application.app_context():
            author = db.session.get(User, author_ids[number])
            place = db.session.get(Section, section_id)
            client = application.test_client()
            for n in range(8):
                posting.open_thread(author, place, f"رشته {number} {n}", f"همبستگی {number} {n}")
                response = client.get("/api/v1/search", query_string={"q": "همبستگی"})
                if response.status_code != 200:
                    failures.append(response.status_code)
            db.session.remove()
            db.engine.dispose()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failures == []
    assert total(app.test_client(), "همبستگی") == 24
    assert run(app, "search", "status").exit_code == 0


def test_newest_first_stays_true_past_the_rank_limit_with_old_posts_imported_late(
    app, client, make_thread
):
    """Posts of an old archive imported today get new ids and old dates: the newest matches
    are still the newest by date."""
    from datetime import UTC, datetime

    app.config["SEARCH_RANK_LIMIT"] = 5
    fulltext.current().rank_limit = 5
    thread = make_thread(body="شورا آغاز")
    recent = [posting.reply(thread.author, thread, f"شورا تازه {n}") for n in range(6)]
    imported = [posting.reply(thread.author, thread, f"شورا کهنه {n}") for n in range(6)]
    for n, post in enumerate(imported):
        post.created_at = datetime(2010, 3, 28 - n, tzinfo=UTC)
    db.session.commit()
    body = client.get(
        "/api/v1/search", query_string={"q": "شورا", "sort": "newest", "per_page": 5}
    ).get_json()
    assert body["total_is_exact"] is False
    assert [r["post_id"] for r in body["results"]] == [p.id for p in recent[::-1][:5]]
    body = client.get(
        "/api/v1/search", query_string={"q": "شورا", "sort": "oldest", "per_page": 5}
    ).get_json()
    assert [r["post_id"] for r in body["results"]] == [p.id for p in imported[::-1][:5]]


def test_merged_and_split_posts_keep_their_rows_in_step(
    app, make_thread, make_user, make_moderator
):
    from tribune.services import moderation

    older = make_thread(title="نخستین رشته", body="متن آغاز")
    newer = make_thread(author=make_user("kaveh"), section=older.section,
                        title="رشته‌ی دوم", body="متن دوم")  # fmt: skip
    replies = [posting.reply(newer.author, newer, f"پاسخ {n}") for n in range(3)]
    moderator = make_moderator()
    moderation.merge_threads(moderator, newer, older, "یک بحث در دو جا")
    moderation.split_thread(
        moderator, older, [replies[1].id, replies[2].id], "شاخه", older.section, "جدا"
    )
    status = run(app, "search", "status")
    assert status.exit_code == 0, status.output
    rows = dict(db.session.execute(select(SearchText.post_id, SearchText.thread_id)).all())
    for post in db.session.scalars(select(Post)):
        assert rows[post.id] == post.thread_id


def test_the_rank_limit_counts_posts_not_texts(app, client, make_thread, make_user):
    """A post found through its own text and a translation is one post: three such posts are
    more than a limit of two even when the first three texts read belong to two of them."""
    from tribune.services import debate_posts

    app.config["SEARCH_RANK_LIMIT"] = 2
    fulltext.current().rank_limit = 2
    thread = make_thread(body="همبستگی نخست")
    debate_posts.translate(make_user("jonas"), db.session.scalar(select(Post)), "de",
                           "همبستگی in deutscher Übersetzung")  # fmt: skip
    posting.reply(thread.author, thread, "همبستگی دوم")
    posting.reply(thread.author, thread, "همبستگی سوم")
    body = client.get("/api/v1/search", query_string={"q": "همبستگی"}).get_json()
    assert body["total"] == 2 and body["total_is_exact"] is False
    app.config["SEARCH_RANK_LIMIT"] = 3
    fulltext.current().rank_limit = 3
    body = client.get("/api/v1/search", query_string={"q": "همبستگی"}).get_json()
    assert body["total"] == 3 and body["total_is_exact"] is True


def test_past_the_rank_limit_the_newest_are_found_in_a_window_widened_as_needed(
    app, client, make_thread
):
    """With statistics that say a word is common, its matches are counted among the newest
    posts first; when the newest posts do not hold enough (the word is in older posts only),
    the range is widened, and the results are still the newest matches."""
    app.config["SEARCH_RANK_LIMIT"] = 3
    fulltext.current().rank_limit = 3
    thread = make_thread(body="آغاز")
    older = [posting.reply(thread.author, thread, f"شورا و همبستگی {n}") for n in range(16)]
    newer = [posting.reply(thread.author, thread, f"شورا تنها {n}") for n in range(40)]
    db.session.execute(text("ANALYZE search_texts"))
    db.session.commit()
    body = client.get(
        "/api/v1/search", query_string={"q": "شورا", "sort": "newest", "per_page": 3}
    ).get_json()
    assert body["total"] == 3 and body["total_is_exact"] is False
    assert [r["post_id"] for r in body["results"]] == [p.id for p in newer[::-1][:3]]
    body = client.get(
        "/api/v1/search", query_string={"q": "همبستگی", "sort": "newest", "per_page": 3}
    ).get_json()
    assert body["total"] == 3 and body["total_is_exact"] is False
    assert [r["post_id"] for r in body["results"]] == [p.id for p in older[::-1][:3]]
    body = client.get("/api/v1/search", query_string={"q": "همبستگی", "per_page": 10}).get_json()
    assert {r["post_id"] for r in body["results"]} == {p.id for p in older[-3:]}


def test_a_search_leaves_the_planner_settings_as_it_found_them(app, make_thread):
    """The settings that steer a search to the GIN index hold for its own statements only:
    the rest of the request (loading the posts found) plans as usual."""
    from tribune.fulltext.compiled import compile_query
    from tribune.fulltext.querylang import parse

    make_thread(body="شورا")
    before = db.session.scalar(text("SHOW enable_indexscan"))
    found = fulltext.current().search(
        db.session, compile_query(parse("شورا")), sort="relevance", page=1, per_page=5,
        group=False,
    )  # fmt: skip
    assert found.total == 1
    assert db.session.scalar(text("SHOW enable_indexscan")) == before == "on"
    assert db.session.scalar(text("SHOW enable_seqscan")) == "on"
