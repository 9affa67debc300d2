"""Whoosh backend: rebuilding while serving, a missing, damaged or outdated index, the worker,
crashes, several processes writing at once, and a status that tells the truth.

These run on an embedded SQLite database whichever database the rest of the suite uses."""

import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import IsolatedClient, make_config, reset_schema
from tests.support import PASSWORD, login
from tribune import create_app, fulltext
from tribune.extensions import db
from tribune.fulltext import whoosh_indexer
from tribune.fulltext.whoosh_index import close_searchers
from tribune.models import Post, SearchState
from tribune.services import accounts, posting, sections
from tribune.services.sections import SectionTexts


@pytest.fixture
def app_config(whoosh_app_config):
    return whoosh_app_config


def total(client, q):
    response = client.get("/api/v1/search", query_string={"q": q})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["total"]


def backend():
    return fulltext.current()


def doc_count():
    ix = backend().store.open_current()
    try:
        return ix.doc_count()
    finally:
        ix.close()


def position():
    with Session(db.engine) as session:
        return whoosh_indexer.position(session)


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_rebuild_serves_the_old_index_until_the_swap(app, client, make_thread):
    thread = make_thread(body="جمهوری دمکراتیک")
    posting.reply(thread.author, thread, "پاسخ دوم درباره‌ی لائیسیته")
    opening = db.session.scalar(select(Post).order_by(Post.id))
    store = backend().store
    old = store.current_name()
    seen = []

    def during_build(done, of):
        if seen:
            return
        # Mid-build: search still answers from the old generation, and what is committed now
        # (a new post, an edit of a post the new generation already holds) reaches the old
        # index at once and the new one right before the swap: the log keeps those rows for it.
        seen.append(total(client, "دمکراتیک"))
        posting.reply(thread.author, thread, "پاسخ سوم در میانه‌ی بازسازی")
        posting.edit_post(thread.author, db.session.get(Post, opening.id), "جمهوری سکولار", "fa")
        seen.append(total(client, "بازسازی"))
        seen.append(total(client, "سکولار"))
        assert store.current_name() == old

    done = backend().rebuild(lambda: Session(db.engine), progress=during_build)
    assert seen == [1, 1, 1]
    assert store.current_name() != old
    assert "0 changes applied" not in done.detail
    assert total(client, "بازسازی") == 1
    assert total(client, "سکولار") == 1 and total(client, "دمکراتیک") == 0
    assert doc_count() == 3
    assert position() > 0 and not whoosh_indexer.has_pending(db.session)
    assert db.session.scalar(select(db.func.count(SearchState.name))) == 1  # no hold is left


def test_rebuild_command_and_status(app, make_thread):
    make_thread(body="جمهوری لائیک")
    result = run(app, "search", "rebuild", "--quiet")
    assert result.exit_code == 0, result.output
    assert "Derived 1 texts of 1 posts" in result.output
    status = run(app, "search", "status")
    assert status.exit_code == 0, status.output
    assert "lag:" in status.output and "0 changes" in status.output
    assert "documents:" in status.output and "search: OK" in status.output


def test_an_empty_index_answers_every_search_kindly(app, client):
    # A fresh site: no post yet, the index has no segment (and no columns) at all.
    client.post("/locale", data={"locale": "en"})
    page = client.get("/search", query_string={"q": "anything"})
    assert page.status_code == 200
    assert "Nothing found" in page.get_data(as_text=True)
    assert total(client, "anything") == 0


def test_a_missing_index_answers_503_and_the_rest_of_the_site_works(app, client, make_thread):
    thread = make_thread(body="جمهوری لائیک")
    close_searchers()
    shutil.rmtree(app.config["INDEX_DIR"])
    client.post("/locale", data={"locale": "en"})
    page = client.get("/search", query_string={"q": "لائیک"})
    assert page.status_code == 503
    assert page.headers["Retry-After"].isdigit()
    assert "unavailable" in page.get_data(as_text=True)
    api = client.get("/api/v1/search", query_string={"q": "لائیک"})
    assert api.status_code == 503 and api.headers["Retry-After"].isdigit()
    assert api.get_json()["code"] == "index_unavailable"
    assert client.get("/").status_code == 200
    # Writing still works; the change waits in the log for the rebuild.
    posting.reply(thread.author, thread, "پاسخی هنگام خرابی نمایه")
    status = run(app, "search", "status")
    assert status.exit_code == 1 and "rebuild" in status.output
    assert run(app, "search", "rebuild", "--quiet").exit_code == 0
    assert total(client, "خرابی") == 1


def _segment_files(directory: Path, suffix: str) -> list[Path]:
    return [p for p in directory.iterdir() if p.suffix == suffix]


@pytest.mark.parametrize(
    "damage",
    ["garbage everywhere", "truncated postings", "empty stored fields"],
)
def test_a_damaged_index_answers_503_and_status_says_so(app, client, make_thread, damage):
    thread = make_thread(body="جمهوری لائیک")
    for n in range(3):
        posting.reply(thread.author, thread, f"پاسخ {n} درباره‌ی جمهوری")
    close_searchers()
    current = backend().store.current_dir()
    if damage == "garbage everywhere":
        for segment in current.iterdir():
            if segment.name.startswith("_MAIN_") or segment.name.startswith("MAIN_"):
                segment.write_bytes(b"\x00garbage" * 64)
    elif damage == "truncated postings":
        for postings in _segment_files(current, ".pst"):
            postings.write_bytes(postings.read_bytes()[:10])
    else:
        for stored in current.glob("*._stored.col"):
            stored.write_bytes(b"")
    status = run(app, "search", "status")
    assert status.exit_code == 1, status.output
    assert "rebuild" in status.output
    assert client.get("/search", query_string={"q": "لائیک"}).status_code == 503
    assert client.get("/api/v1/search", query_string={"q": "جمهوری"}).status_code == 503
    assert client.get("/tribune/").status_code == 200
    assert run(app, "search", "rebuild", "--quiet").exit_code == 0
    assert total(client, "جمهوری") == 4


def test_an_index_made_by_another_version_is_not_read(app, client, make_thread):
    make_thread(body="جمهوری لائیک")
    close_searchers()
    (backend().store.current_dir() / "FORMAT").write_text("tribune-index 2.1\n")
    assert client.get("/api/v1/search", query_string={"q": "لائیک"}).status_code == 503
    status = run(app, "search", "status")
    assert status.exit_code == 1 and "2.1" in status.output
    assert run(app, "search", "rebuild", "--quiet").exit_code == 0
    assert total(client, "لائیک") == 1


def test_an_upgraded_site_waits_for_its_rebuild(app, client, make_thread):
    """The migration to this version marks search "rebuild needed" on a database with posts."""
    make_thread(body="جمهوری لائیک")
    state = db.session.get(SearchState, "whoosh")
    state.analyzer = None
    db.session.commit()
    posting.reply(db.session.scalar(select(Post)).author, db.session.scalar(select(Post)).thread,
                  "پاسخی پس از ارتقا")  # fmt: skip
    assert client.get("/api/v1/search", query_string={"q": "لائیک"}).status_code == 503
    status = run(app, "search", "status")
    assert status.exit_code == 1 and "older version" in status.output
    assert run(app, "search", "rebuild", "--quiet").exit_code == 0
    assert total(client, "لائیک") == 1 and total(client, "ارتقا") == 1


def test_a_bug_inside_a_search_is_a_500_not_an_unavailable_index(app, client, make_thread,
                                                                 monkeypatch, caplog):  # fmt: skip
    make_thread(body="جمهوری لائیک")

    def broken(*args, **kwargs):
        raise TypeError("a bug, not damage")

    monkeypatch.setattr("tribune.fulltext.whoosh_query._collect", broken)
    caplog.set_level(logging.ERROR)
    assert client.get("/search", query_string={"q": "لائیک"}).status_code == 500
    assert client.get("/api/v1/search", query_string={"q": "لائیک"}).status_code == 500
    assert "a bug, not damage" in caplog.text


def test_status_reports_drift_and_a_stuck_log(app, make_thread, monkeypatch):
    thread = make_thread(body="جمهوری لائیک")
    reply = posting.reply(thread.author, thread, "پاسخی که از نمایه جا می‌ماند")
    # Delete a document behind the indexer's back: the index no longer matches the database.
    ix = backend().store.open_current()
    with ix.writer() as writer:
        writer.delete_by_term("post", str(reply.id))
    ix.close()
    status = run(app, "search", "status")
    assert (
        status.exit_code == 1 and "drifted" in status.output and "1 texts missing" in status.output
    )
    assert run(app, "search", "rebuild", "--quiet").exit_code == 0
    assert run(app, "search", "status").exit_code == 0
    # A change nobody applies for over a minute: no worker is running.
    app.config["SEARCH_INDEX_IN_REQUEST"] = False
    fulltext.current().in_request = False
    posting.reply(thread.author, thread, "پاسخی که کسی نمایه نمی‌کند")
    monkeypatch.setattr(whoosh_indexer, "BATCH_SIZE", whoosh_indexer.BATCH_SIZE)
    monkeypatch.setattr("tribune.fulltext.whoosh_backend.STUCK_AFTER", -1.0)
    status = run(app, "search", "status")
    assert status.exit_code == 1 and "nothing is applying the change log" in status.output


def test_import_leaves_exactly_one_document_per_text(app, client, make_user, tmp_path):
    import json

    make_user("sara")
    lines = []
    for n in range(30):
        lines.append({
            "area": "tribune", "section": "bulletin", "section_title": "بایگانی",
            "kind": "discussion", "title": f"رشته‌ی {n}", "language": "fa",
            "posts": [
                {"author": "sara", "created_at": "2010-03-28T10:00:00Z",
                 "body": f"رفراندوم شماره {n}"},
                {"author": "kaveh", "created_at": "2010-03-29T10:00:00Z",
                 "body": f"پاسخ درباره‌ی رفراندوم {n}", "language": "de",
                 "translations": [{"language": "fa", "body": f"ترجمه‌ی پاسخ {n}",
                                   "translator": "sara"}]},
            ],
        })  # fmt: skip
    path = tmp_path / "archive.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines), "utf-8")
    result = run(app, "archive", "import", str(path))
    assert result.exit_code == 0, result.output
    assert doc_count() == 90  # 60 posts and 30 translations, each once
    assert total(client, "رفراندوم") == 60
    ids = [
        r["post_id"]
        for r in client.get(
            "/api/v1/search", query_string={"q": "رفراندوم", "per_page": 50}
        ).get_json()["results"]
    ]
    assert len(ids) == len(set(ids)) == 50


def _worker_app(tmp_path, database_url):
    config = make_config(
        tmp_path,
        DATABASE_URL=database_url,
        INDEX_DIR=str(tmp_path / "shared-index"),
        INSTANCE_PATH=str(tmp_path / "instance-shared"),
    )
    application = create_app(config)
    application.test_client_class = IsolatedClient
    return application


def test_two_web_workers_writing_at_once_never_show_a_lock_error(tmp_path, caplog):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first, second = _worker_app(tmp_path, url), _worker_app(tmp_path, url)
    with first.app_context():
        reset_schema()
        for name in ("sara", "kaveh"):
            accounts.register(name, PASSWORD)
        sections.build("tribune", "alternatives", {"fa": SectionTexts("بدیل‌ها")}, default="fa")
        db.session.commit()
        db.session.remove()
    per_worker = 6
    statuses, errors, searches = [], [], []

    def work(application, username):
        try:
            client = application.test_client()
            login(client, username)
            for n in range(per_worker):
                response = client.post(
                    "/tribune/alternatives/new",
                    data={
                        "title": f"رشته‌ی {username} {n}",
                        "body": f"همزمانی {username} {n}",
                        "language": "fa",
                    },
                )
                statuses.append(response.status_code)
                searches.append(client.get("/api/v1/search?q=همزمانی").status_code)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    caplog.set_level(logging.ERROR)
    workers = [
        threading.Thread(target=work, args=(first, "sara")),
        threading.Thread(target=work, args=(second, "kaveh")),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not errors
    assert statuses == [302] * (2 * per_worker)
    assert searches == [200] * (2 * per_worker)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    with first.app_context():
        # Whoever held the lock last saw every commit: nothing is left behind.
        with Session(db.engine) as session:
            assert not whoosh_indexer.has_pending(session)
        client = first.test_client()
        assert total(client, "همزمانی") == 2 * per_worker
        assert db.session.scalar(select(db.func.count(Post.id))) == 2 * per_worker
        db.session.remove()
    for application in (first, second):
        with application.app_context():
            db.engine.dispose()


def test_searching_while_another_thread_indexes_never_fails(app, make_thread):
    """Readers keep their searcher while commits (and merges) replace segments under them."""
    thread = make_thread(body="همبستگی آغاز")
    failures, answers = [], []
    stop = threading.Event()

    def read():
        client = app.test_client()
        while not stop.is_set():
            response = client.get("/api/v1/search", query_string={"q": "همبستگی"})
            answers.append(response.status_code)
            if response.status_code != 200:
                failures.append(response.get_json())

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        for n in range(40):
            posting.reply(thread.author, thread, f"همبستگی شماره {n}")
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=30)
    assert failures == [] and len(answers) > 0
    assert total(app.test_client(), "همبستگی") == 41


def test_the_lock_file_lives_beside_the_index(app, make_thread):
    make_thread()
    index_dir = Path(app.config["INDEX_DIR"])
    assert (index_dir.parent / (index_dir.name + ".lock")).exists()
    assert (index_dir / "CURRENT").read_text().startswith("gen-")


# The worker (several web workers on one host leave indexing to it)


@pytest.fixture
def worker_app(app):
    app.config["SEARCH_INDEX_IN_REQUEST"] = False
    app.config["SEARCH_INDEX_EACH_COMMIT"] = False
    fulltext.current().in_request = False
    return app


def test_the_worker_applies_pending_changes_once(worker_app, client, make_thread):
    assert run(worker_app, "search", "worker", "--once").exit_code == 0
    make_thread(body="شوراهای کارگری")
    assert total(client, "کارگری") == 0  # nobody indexes in requests here
    result = run(worker_app, "search", "worker", "--once")
    assert result.exit_code == 0, result.output
    assert total(client, "کارگری") == 1


def test_a_crash_before_recording_reapplies_without_duplicates(
    worker_app, client, make_thread, monkeypatch
):
    run(worker_app, "search", "worker", "--once")
    thread = make_thread(body="سوسیالیسم")
    posting.reply(thread.author, thread, "سوسیالیسم دوم")
    before = position()

    def crash(session, change_id, analyzer=None):
        raise RuntimeError("killed between the whoosh commit and the state update")

    with monkeypatch.context() as patched:
        patched.setattr(whoosh_indexer, "record_applied", crash)
        with pytest.raises(RuntimeError):
            backend().catch_up()
    # Whoosh committed, the position did not move: the next run applies the same changes again.
    assert position() == before
    assert doc_count() == 2
    done = backend().catch_up()
    assert done.changes > 0
    assert doc_count() == 2
    assert total(client, "سوسیالیسم") == 2


def test_the_worker_process_catches_up_and_stops_cleanly_on_sigterm(worker_app, make_thread):
    run(worker_app, "search", "worker", "--once")
    make_thread(body="کارگر در انتظار نمایه")
    before = position()
    env = dict(
        os.environ,
        TRIBUNE_DATABASE_URL=worker_app.config["SQLALCHEMY_DATABASE_URI"],
        TRIBUNE_INDEX_DIR=worker_app.config["INDEX_DIR"],
        TRIBUNE_INSTANCE_PATH=worker_app.instance_path,
        TRIBUNE_SEARCH_BACKEND="whoosh",
        TRIBUNE_SEARCH_INDEX_IN_REQUEST="false",
    )
    flask = str(Path(sys.executable).with_name("flask"))
    worker = subprocess.Popen(
        [flask, "--app", "tribune", "search", "worker", "--interval", "0.1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and position() == before:
            time.sleep(0.1)
        assert position() != before, "the worker applied nothing within 30 s"
    finally:
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err
    assert "search worker stopped" in out
    assert doc_count() == 1


def test_a_short_prefix_matches_its_commonest_words(app, client, make_thread, monkeypatch):
    thread = make_thread(body="democracy democracy democrat")
    for body in ("democracy now", "democratic people", "democrat here", "democracy again"):
        posting.reply(thread.author, thread, body, "en")
    assert total(client, "democra*") == 5
    # With room for two words only, the rarest (democratic, in one post) is left out.
    monkeypatch.setattr("tribune.fulltext.whoosh_query.PREFIX_WORDS", 2)
    assert total(client, "democra*") == 4


def test_a_segment_file_gone_mid_open_is_read_again_not_a_503(tmp_path):
    """Another commit may delete an old segment between whoosh reading the table of contents
    and opening what it names: the index is opened again (seen under load as a 503)."""
    from whoosh.index import IndexError as WhooshIndexError

    from tribune.fulltext.whoosh_index import OPEN_ATTEMPTS, IndexUnavailable, _quietly

    calls = []

    def vanishing_once(path):
        calls.append(path)
        if len(calls) == 1:
            raise FileNotFoundError(2, "No such file", f"{path}/MAIN_old.seg")
        return "searcher"

    assert _quietly(vanishing_once, tmp_path) == "searcher" and len(calls) == 2

    def always_gone(path):
        calls.append(path)
        raise FileNotFoundError(2, "No such file", f"{path}/MAIN_old.seg")

    calls.clear()
    with pytest.raises(IndexUnavailable):
        _quietly(always_gone, tmp_path)
    assert len(calls) == OPEN_ATTEMPTS

    def damaged(path):
        calls.append(path)
        raise WhooshIndexError("damaged table of contents")

    calls.clear()
    with pytest.raises(IndexUnavailable):
        _quietly(damaged, tmp_path)
    assert len(calls) == 1  # damage is not a race: no second try
