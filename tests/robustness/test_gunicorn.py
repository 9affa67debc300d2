"""Hostile requests to a real gunicorn, not only the test client.

The test client hands Flask the whole body at once; gunicorn streams it from a socket, and an
error page that read the body again made gunicorn answer a bare 500 without any security header.
Here a real gunicorn serves the app on a free local port, bounded in time, and is stopped after.
"""

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import make_config
from tribune import create_app
from tribune.extensions import db
from tribune.security import SECURITY_HEADERS

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60  # seconds for gunicorn to start answering


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """A gunicorn worker serving a fresh SQLite database; yields its port."""
    database = f"sqlite:///{tmp_path / 'gunicorn.db'}"
    config = make_config(tmp_path, DATABASE_URL=database)
    app = create_app(config)
    with app.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    port = free_port()
    env = {
        **os.environ,
        "TRIBUNE_INSTANCE_PATH": config["INSTANCE_PATH"],
        "TRIBUNE_DATABASE_URL": database,
        "TRIBUNE_INDEX_DIR": config["INDEX_DIR"],
        "PYTHONWARNINGS": "ignore",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(process.stderr.read().decode()[-2000:]) from None
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)
        process.stderr.close()


def ask(port, method, path, body=None, headers=None):
    """One request on its own connection; returns (status, headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def assert_headers(headers):
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name) == value, name


def test_hostile_requests_under_gunicorn(app, server):
    limit = app.config["MAX_CONTENT_LENGTH"]
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    for path in ("/accounts/login", "/", "/t/1/reply"):
        status, headers, body = ask(server, "POST", path, b"body=" + b"a" * limit, form)
        assert status == 413, (path, status, body[:200])
        assert_headers(headers)
        assert b"<html" in body
    for method, path, expected in [
        ("GET", "/tribune/%00/", 400),
        ("GET", "/accounts/u/%FF", 400),
        ("GET", "/?q=%C3%28", 400),
        ("GET", "/t/9223372036854775807", 404),
        ("GET", "/calendar/actions/9223372036854775807.ics", 404),
        ("GET", "/moderation/log?page=99999999999999999999", 404),
    ]:
        status, headers, _ = ask(server, method, path)
        assert status == expected, (path, status)
        assert_headers(headers)
    status, headers, _ = ask(server, "POST", "/accounts/login", b"username=\xff\xfe", form)
    assert status == 400
    assert_headers(headers)
