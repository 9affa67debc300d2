"""The indexing worker, and crashes between whoosh's commit and the recorded state."""

import pytest

from tests.conftest import make_config
from tribune.extensions import db
from tribune.fulltext import indexer
from tribune.models import SearchState
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


@pytest.fixture
def app_config(tmp_path):
    return make_config(tmp_path, SEARCH_INDEX_IN_REQUEST=False)


def test_the_worker_applies_pending_changes_once(app, client, make_thread):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["search", "worker", "--once"]).exit_code == 0
    make_thread(body="شوراهای کارگری")
    assert total(client, "کارگری") == 0  # nobody indexes in requests here
    result = runner.invoke(args=["search", "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert total(client, "کارگری") == 1


def test_a_crash_before_recording_reapplies_without_duplicates(
    app, client, make_thread, monkeypatch
):
    thread = make_thread(body="سوسیالیسم")
    posting.reply(thread.author, thread, "سوسیالیسم دوم")

    def crash(session, change_id):
        raise RuntimeError("killed between the whoosh commit and the state update")

    with monkeypatch.context() as patched:
        patched.setattr(indexer, "record_applied", crash)
        with pytest.raises(RuntimeError):
            search_service.catch_up()
    # Whoosh committed, the state did not move: the next run applies the same changes again.
    assert db.session.get(SearchState, indexer.STATE_NAME) is None or state_id() == 0
    assert doc_count() == 2
    done = search_service.catch_up()
    assert done.changes > 0
    assert doc_count() == 2
    assert total(client, "سوسیالیسم") == 2


def test_the_worker_process_catches_up_and_stops_cleanly_on_sigterm(app, make_thread):
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    make_thread(body="کارگر در انتظار نمایه")
    env = dict(
        os.environ,
        TRIBUNE_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        TRIBUNE_INDEX_DIR=app.config["INDEX_DIR"],
        TRIBUNE_INSTANCE_PATH=app.instance_path,
        TRIBUNE_SEARCH_INDEX_IN_REQUEST="false",
    )
    flask = str(Path(sys.executable).with_name("flask"))
    worker = subprocess.Popen(
        [flask, "--app", "tribune", "search", "worker", "--interval", "0.1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with search_service.new_session() as session:
                if indexer.last_applied(session):
                    break
            time.sleep(0.1)
        else:
            pytest.fail("the worker applied nothing within 30 s")
    finally:
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err
    assert "search worker stopped" in out
    assert doc_count() == 1
