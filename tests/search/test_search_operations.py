"""Running the index: rebuild while serving, missing or corrupt index, the worker, crashes,
several processes writing at once."""

import logging
import shutil
import threading
from pathlib import Path

from sqlalchemy import select

from tests.conftest import IsolatedClient, make_config, reset_schema
from tests.support import login
from tribune import create_app
from tribune.extensions import db
from tribune.fulltext import indexer, maintenance
from tribune.fulltext.store import close_searchers
from tribune.models import Post, SearchState
from tribune.services import posting
from tribune.services import search as search_service


def total(client, q):
    response = client.get("/api/v1/search", query_string={"q": q})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["total"]


def doc_count():
    ix = search_service.store().open_current()
    try:
        return ix.doc_count()
    finally:
        ix.close()


def state_id():
    return db.session.get(SearchState, indexer.STATE_NAME).last_change_id


def test_rebuild_serves_the_old_index_until_the_swap(app, client, make_thread):
    thread = make_thread(body="جمهوری لائیک")
    posting.reply(thread.author, thread, "پاسخ دوم درباره‌ی لائیسیته")
    store = search_service.store()
    old = store.current_name()
    seen = []

    def during_build(count):
        if seen:
            return
        # Mid-build: search still answers from the old generation, and a new post committed
        # now reaches the old index at once and the new one right after the swap.
        seen.append(total(client, "لائیک"))
        posting.reply(thread.author, thread, "پاسخ سوم در میانه‌ی بازسازی")
        seen.append(total(client, "بازسازی"))
        assert store.current_name() == old

    done = maintenance.rebuild(
        store, search_service.new_session, batch_size=1, progress=during_build
    )
    assert seen == [1, 1]
    assert store.current_name() == done.directory != old
    # Keyset paging read the reply written mid-build too; the change log re-applied it.
    assert done.posts == 3 and done.applied_after >= 1
    assert total(client, "بازسازی") == 1
    assert doc_count() == 3
    assert state_id() == done.up_to


def test_rebuild_command_and_status(app, make_thread):
    make_thread(body="جمهوری لائیک")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["search", "rebuild", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "Indexed 1 posts" in result.output
    status = runner.invoke(args=["search", "status"])
    assert status.exit_code == 0, status.output
    assert "lag:                 0 changes" in status.output
    assert "documents:           1" in status.output


def test_a_missing_index_answers_503_and_the_rest_of_the_site_works(app, client, make_thread):
    thread = make_thread(body="جمهوری لائیک")
    close_searchers()
    shutil.rmtree(app.config["INDEX_DIR"])
    client.post("/locale", data={"locale": "en"})
    page = client.get("/search", query_string={"q": "لائیک"})
    assert page.status_code == 503
    assert "unavailable" in page.get_data(as_text=True)
    api = client.get("/api/v1/search", query_string={"q": "لائیک"})
    assert api.status_code == 503
    assert api.get_json()["code"] == "index_unavailable"
    assert client.get("/").status_code == 200
    # Writing still works; the change waits in the log for the rebuild.
    posting.reply(thread.author, thread, "پاسخی هنگام خرابی نمایه")
    status = app.test_cli_runner().invoke(args=["search", "status"])
    assert status.exit_code == 1 and "rebuild" in status.output
    assert app.test_cli_runner().invoke(args=["search", "rebuild", "--quiet"]).exit_code == 0
    assert total(client, "خرابی") == 1


def test_a_corrupt_index_answers_503(app, client, make_thread):
    make_thread(body="جمهوری لائیک")
    close_searchers()
    current = search_service.store().current_dir()
    # Segments are separate files (indexer.py: never compound): MAIN_<segment id>.<part>.
    assert not [p for p in current.iterdir() if p.suffix == ".seg"]
    segments = [p for p in current.iterdir() if p.name.startswith("MAIN_") and "LOCK" not in p.name]
    assert segments
    for segment in segments:
        segment.write_bytes(b"\x00garbage" * 64)
    assert client.get("/search", query_string={"q": "لائیک"}).status_code == 503
    assert client.get("/api/v1/search", query_string={"q": "لائیک"}).status_code == 503
    assert client.get("/tribune/").status_code == 200
    assert app.test_cli_runner().invoke(args=["search", "rebuild", "--quiet"]).exit_code == 0
    assert total(client, "لائیک") == 1


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
        from tests.support import PASSWORD
        from tribune.models import Section
        from tribune.services import accounts

        for name in ("sara", "kaveh"):
            accounts.register(name, PASSWORD)
        db.session.add(Section(area="tribune", slug="alternatives", title="بدیل‌ها"))
        db.session.commit()
        db.session.remove()
    per_worker = 6
    statuses, errors = [], []

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
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    with first.app_context():
        # Whoever held the lock last saw every commit: nothing is left behind.
        with search_service.new_session() as session:
            assert not indexer.has_pending(session)
        client = first.test_client()
        assert total(client, "همزمانی") == 2 * per_worker
        assert db.session.scalar(select(db.func.count(Post.id))) == 2 * per_worker
        db.session.remove()
    for application in (first, second):
        with application.app_context():
            db.engine.dispose()


def test_the_lock_file_lives_beside_the_index(app, make_thread):
    make_thread()
    index_dir = Path(app.config["INDEX_DIR"])
    assert (index_dir.parent / (index_dir.name + ".lock")).exists()
    assert (index_dir / "CURRENT").read_text().startswith("gen-")
