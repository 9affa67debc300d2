"""The production set, started as `make serve` starts it (issue 14): honcho runs the Procfile's
gunicorn with gunicorn.conf.py, two workers, PostgreSQL and Redis. Through it: a page, a search,
a login with its CSRF token and a post, rate limits shared by the workers, and log lines without
addresses or queries. Skipped without TRIBUNE_TEST_DATABASE_URL and TRIBUNE_TEST_REDIS_URL.
A host started without the shared keys refuses to start and says what to set (no database
needed: gunicorn refuses before it forks)."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.conftest import POSTGRES_URL, REDIS_URL
from tests.robustness.test_gunicorn import free_port
from tests.support import PASSWORD
from tribune.extensions import db

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
START_TIMEOUT = 90
KEY = "0123456789abcdef" * 4


def environment(tmp_path, **extra):
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("TRIBUNE_", "WEB_"))
    }
    env.update(
        {
            "PATH": f"{BIN}:{env.get('PATH', '')}",
            "TRIBUNE_INSTANCE_PATH": str(tmp_path / "instance"),
            "TRIBUNE_SECRET_KEY": KEY,
            "TRIBUNE_LOG_KEY": KEY[::-1],
            "PYTHONWARNINGS": "ignore",
        }
    )
    env.update(extra)
    return env


def test_a_host_without_the_shared_key_refuses_to_start(tmp_path):
    env = environment(
        tmp_path, TRIBUNE_DATABASE_URL="postgresql://postgres@127.0.0.1:5432/elsewhere"
    )
    del env["TRIBUNE_SECRET_KEY"]
    port = free_port()
    finished = subprocess.run(
        [str(BIN / "gunicorn"), "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode != 0
    assert "Tribune refuses to start" in finished.stderr
    assert "TRIBUNE_SECRET_KEY is not set. With PostgreSQL" in finished.stderr


@pytest.fixture
def production_set(app, tmp_path, make_thread, make_user):
    """The Procfile's web process on PostgreSQL + Redis with two workers; yields (port, log)."""
    if not (POSTGRES_URL and REDIS_URL):
        pytest.skip("needs TRIBUNE_TEST_DATABASE_URL and TRIBUNE_TEST_REDIS_URL")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    thread = make_thread(title="جمهوری دمکراتیک لائیک", body="شوراهای محلی و آینده‌ی کشور")
    thread_id = thread.id
    # An account older than the new-account posting limits (they are on in production).
    make_user("nasrin").created_at = datetime.now(UTC) - timedelta(days=30)
    db.session.commit()
    db.session.remove()
    db.engine.dispose()
    port = free_port()
    env = environment(
        tmp_path,
        TRIBUNE_DATABASE_URL=POSTGRES_URL,
        TRIBUNE_REDIS_URL=REDIS_URL,
        TRIBUNE_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
    )
    log_path = tmp_path / "honcho.log"
    empty_env = tmp_path / "empty.env"
    empty_env.write_text("")
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            # An empty env file: a .env in the checkout (honcho reads it first) must not win.
            [str(BIN / "honcho"), "-e", str(empty_env), "-f", str(ROOT / "Procfile")]
            + ["start", "web"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if ask(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(log_path.read_text()[-3000:])
            time.sleep(0.3)
        yield port, log_path, thread_id
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def ask(port, method, path, form=None, cookies=None):
    from bench.users import Client

    client = Client(port, timeout=30)
    client.cookies = cookies if cookies is not None else {}
    status, body, headers = client.request(method, path, form)
    return status, body, headers, client.cookies


def test_the_production_set_serves_a_page_a_search_and_a_post(production_set):
    port, log_path, thread_id = production_set
    status, page, headers, _ = ask(port, "GET", f"/t/{thread_id}")
    assert status == 200 and "جمهوری دمکراتیک لائیک" in page

    status, body, _headers, _ = ask(port, "GET", "/healthz")
    assert json.loads(body) == {
        "status": "ok",
        "database": "ok",
        "search": {"backend": "postgres", "healthy": True, "problems": 0},
    }

    status, page, _headers, _ = ask(port, "GET", "/search?" + urlencode({"q": "شوراهای"}))
    assert status == 200 and "جمهوری دمکراتیک لائیک" in page

    # Log in through the form with its CSRF token, then reply; both workers share the key.
    cookies = {}
    status, page, _headers, cookies = ask(port, "GET", "/accounts/login", cookies=cookies)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = {"csrf_token": token, "username": "nasrin", "password": PASSWORD}
    status, _page, _headers, cookies = ask(port, "POST", "/accounts/login", form, cookies)
    assert status == 302
    status, page, _headers, cookies = ask(port, "GET", f"/t/{thread_id}", cookies=cookies)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    for _ in range(4):  # whichever worker answers, the session and the token hold
        reply = {"csrf_token": token, "body": "پیشنهاد: مجمع مؤسسان", "language": "fa"}
        status, page, _headers, cookies = ask(port, "POST", f"/t/{thread_id}/reply", reply, cookies)
        assert status == 302, page[-3000:]
    status, page, _headers, _ = ask(port, "GET", f"/t/{thread_id}")
    assert page.count("پیشنهاد: مجمع مؤسسان") == 4
    status, page, _headers, _ = ask(port, "GET", "/search?" + urlencode({"q": "مؤسسان"}))
    assert status == 200 and "جمهوری دمکراتیک لائیک" in page

    # Wrong passwords for one account: the limit (5 a minute) holds across both workers.
    statuses = []
    for _ in range(8):
        _status, page, _headers, jar = ask(port, "GET", "/accounts/login", cookies={})
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        wrong = {"csrf_token": token, "username": "nasrin", "password": "not the password"}
        statuses.append(ask(port, "POST", "/accounts/login", wrong, jar)[0])
    assert statuses[:5] == [200] * 5
    assert statuses[5:] == [429] * 3

    # Log lines: JSON, the path without its query, no client address.
    time.sleep(0.5)
    lines = [line.split("|", 1)[-1].strip() for line in log_path.read_text().splitlines()]
    requests = [json.loads(line) for line in lines if '"gunicorn.access"' in line]
    assert {entry["path"] for entry in requests} >= {"/search", f"/t/{thread_id}", "/healthz"}
    text = log_path.read_text()
    assert "127.0.0.1" not in text.replace(f"127.0.0.1:{port}", "")
    assert "q=" not in text and "شوراهای" not in text
