"""Login throttling per address and per account; forwarded headers; limits across workers."""

import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from tests.conftest import REDIS_URL
from tests.security.conftest import logged_in
from tests.support import PASSWORD, login
from tribune.net import client_address

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tight(app_config):
    """Rate limiting on, with small limits that a test can reach quickly."""
    app_config.update(
        RATELIMIT_ENABLED=True,
        LOGIN_LIMIT_PER_ADDRESS="6 per hour",
        LOGIN_LIMIT_PER_ACCOUNT="3 per hour",
        LOGIN_LIMIT_PER_DEVICE="3 per hour",
    )
    return app_config


def fail(client, username="sara", address=None, forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    environ = {"REMOTE_ADDR": address} if address else {}
    return client.post(
        "/accounts/login",
        data={"username": username, "password": "wrong wrong wrong"},
        headers=headers,
        environ_overrides=environ,
    )


def test_one_account_sprayed_from_many_addresses_is_stopped(tight, client, make_user):
    make_user("sara")
    statuses = [fail(client, "Sara", address=f"198.51.100.{n}").status_code for n in range(1, 5)]
    assert statuses == [200, 200, 200, 429]
    # A browser that never logged in to the account does not get through with the right
    # password either until the window passes.
    assert login(client).status_code == 429


def sara_device(app):
    """Sara's own browser: she logged in there before (and out again), so it keeps a device
    cookie for her account."""
    device = app.test_client()
    assert login(device, "sara", remember=True).status_code == 302
    device.post("/accounts/logout")
    assert device.get_cookie("tribune_device", path="/accounts/") is not None
    return device


def test_an_attack_on_an_account_does_not_lock_out_its_owner(tight, app, make_user):
    make_user("sara")
    device = sara_device(app)
    # Someone hammers Sara's account from many addresses and browsers: stopped.
    attacker = app.test_client()
    statuses = [fail(attacker, "sara", address=f"203.0.113.{n}").status_code for n in range(10)]
    assert statuses[:3] == [200, 200, 200] and set(statuses[3:]) == {429}
    # Sara, from her device, with her password, gets in all the same.
    response = login(device)
    assert response.status_code == 302 and logged_in(device)
    # A new device without the cookie (the attacker's with the right password, say) does not.
    assert login(app.test_client()).status_code == 429


def test_a_known_device_has_its_own_limit(tight, app, make_user):
    make_user("sara")
    device = sara_device(app)
    statuses = [fail(device, "sara").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert login(device).status_code == 429  # the device is now stopped, as a guesser would be
    # Its failures were its own: the account's limit was not spent, other devices are not held.
    assert login(app.test_client()).status_code == 302


def test_a_device_cookie_opens_no_other_account_and_cannot_be_forged(tight, app, make_user):
    make_user("sara")
    make_user("kaveh")
    kaveh_device = app.test_client()
    assert login(kaveh_device, "kaveh").status_code == 302
    kaveh_device.post("/accounts/logout")
    for n in range(3):
        fail(app.test_client(), "sara", address=f"203.0.113.{n}")
    assert login(kaveh_device, "sara").status_code == 429
    forged = app.test_client()
    cookie = kaveh_device.get_cookie("tribune_device", path="/accounts/").value
    forged.set_cookie("tribune_device", cookie[:-3] + "AAA", path="/accounts/")
    assert login(forged, "sara").status_code == 429


def test_logging_out_everywhere_revokes_device_cookies(tight, app, make_user):
    make_user("sara")
    device = sara_device(app)
    other = app.test_client()
    assert login(other).status_code == 302
    other.post("/accounts/sessions/end")  # Sara ends every session, e.g. after losing a laptop
    for n in range(3):
        fail(app.test_client(), "sara", address=f"203.0.113.{n}")
    assert login(device).status_code == 429


def test_device_cookie_names_nobody_and_stays_on_the_account_pages(tight, app, make_user):
    make_user("sara")
    device = app.test_client()
    response = login(device)
    header = next(
        value
        for value in response.headers.getlist("Set-Cookie")
        if value.startswith("tribune_device=")
    )
    assert "sara" not in header.lower()
    attributes = header.lower()
    assert "httponly" in attributes and "samesite=strict" in attributes
    assert "path=/accounts/" in attributes and "max-age=" in attributes


def test_other_accounts_are_not_locked_by_an_attack_on_one(tight, client, make_user):
    make_user("sara")
    make_user("kaveh")
    for n in range(3):
        fail(client, "sara", address=f"198.51.100.{n}")
    assert login(client, "kaveh").status_code == 302


def test_one_address_trying_many_accounts_is_stopped(tight, client):
    statuses = [fail(client, f"user{n}").status_code for n in range(7)]
    assert statuses == [200] * 6 + [429]


def test_successful_logins_cost_nothing(tight, app, make_user):
    make_user("sara")
    for _ in range(8):
        browser = app.test_client()
        assert login(browser).status_code == 302


def test_spoofed_forwarded_for_does_not_bypass(tight, client):
    statuses = [fail(client, f"user{n}", forwarded=f"203.0.113.{n}").status_code for n in range(7)]
    assert statuses[-1] == 429


def test_with_one_trusted_proxy_the_client_address_is_used(tight, app_config, app, client):
    app.config["TRUSTED_PROXIES"] = 1
    # Everyone arrives from the proxy (127.0.0.1); the proxy appends the real client address.
    for n in range(6):
        assert fail(client, f"user{n}", forwarded="203.0.113.5").status_code == 200
    assert fail(client, "user9", forwarded="203.0.113.5").status_code == 429
    # Another client behind the same proxy is not affected; a forged first hop changes nothing.
    assert fail(client, "user10", forwarded="203.0.113.6").status_code == 200
    assert fail(client, "user11", forwarded="10.9.9.9, 203.0.113.5").status_code == 429


def test_client_address_rules(app):
    with app.test_request_context(
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
        headers={"X-Forwarded-For": "1.1.1.1, 203.0.113.9"},
    ):
        assert client_address() == "127.0.0.1"
        app.config["TRUSTED_PROXIES"] = 1
        assert client_address() == "203.0.113.9"
        app.config["TRUSTED_PROXIES"] = 2
        assert client_address() == "1.1.1.1"
        app.config["TRUSTED_PROXIES"] = 3  # fewer hops than proxies: the socket address
        assert client_address() == "127.0.0.1"


def test_throttled_page_is_clear_and_in_the_reader_language(tight, client):
    # The clock stands still: however long a busy machine takes between these requests, the
    # hour-long window has a full hour left when the page says how long to wait.
    with time_machine.travel(datetime.now(UTC), tick=False):
        client.post("/locale", data={"locale": "en"})
        for n in range(6):
            fail(client, f"user{n}")
        response = fail(client, "user7")
        assert response.status_code == 429
        html = response.get_data(as_text=True)
        assert "Too many attempts" in html and "try again in 60 minutes" in html
        assert response.headers["Retry-After"] == "3600"
        assert response.headers["Content-Security-Policy"]
        client.post("/locale", data={"locale": "fa"})
        html = fail(client, "user8").get_data(as_text=True)
    assert "تلاش‌ها بیش از حد بوده است" in html and "۶۰ دقیقه" in html


def test_limit_keys_and_logs_hold_no_address_or_username(tight, app, client, caplog):
    caplog.set_level("INFO")
    for _ in range(8):
        fail(client, "sara", address="203.0.113.77")
    text = caplog.text
    assert "ratelimit" in text  # Flask-Limiter logged the breaches ...
    assert "203.0.113.77" not in text and "sara" not in text  # ... under pseudonyms


def test_production_limits_are_set(app):
    from tribune.config import Defaults

    assert "per minute" in Defaults.LOGIN_LIMIT_PER_ACCOUNT
    assert "per day" in Defaults.LOGIN_LIMIT_PER_ACCOUNT
    assert Defaults.RATELIMIT_STRATEGY == "moving-window"


# Several workers: gunicorn runs separate processes, so the test does too.

WORKER = """
import json, sys
from tribune import create_app
config = json.loads(sys.argv[1])
app = create_app(config)
with app.app_context():
    client = app.test_client()
    statuses = [client.post("/accounts/login", data={"username": "sara",
                "password": "wrong wrong wrong"},
                environ_overrides={"REMOTE_ADDR": "198.51.100.%d" % n}).status_code
                for n in range(int(sys.argv[2]))]
    print(json.dumps(statuses))
"""


def run_worker(config, attempts):
    """A second worker process: same database, same secret key, its own Flask-Limiter."""
    result = subprocess.run(
        [sys.executable, "-c", WORKER, json.dumps(config), str(attempts)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(
    not REDIS_URL, reason="TRIBUNE_TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379/15)"
)
def test_limit_holds_across_two_workers_sharing_redis(app_config, make_user):
    prefix = f"tribune-test-{uuid.uuid4().hex}"
    shared = {
        key: value
        for key, value in app_config.items()
        if isinstance(value, str | int | bool | dict)
    }
    shared.update(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=REDIS_URL,
        RATELIMIT_STORAGE_OPTIONS={"key_prefix": prefix},
        LOGIN_LIMIT_PER_ACCOUNT="3 per hour",
        SECRET_KEY="shared-by-both-workers",
    )
    from tribune.extensions import db

    make_user("sara")
    db.session.commit()
    # Worker one spends the account's allowance; worker two is refused at once.
    assert run_worker(shared, 3) == [200, 200, 200]
    assert run_worker(shared, 1) == [429]
    # Control: with per-process memory storage the second worker would start afresh, which is
    # why production needs TRIBUNE_REDIS_URL when several workers run.
    memory = {**shared, "RATELIMIT_STORAGE_URI": "memory://"}
    assert run_worker(memory, 3) == [200, 200, 200]
    assert run_worker(memory, 1) == [200]


def test_redis_url_becomes_the_limiter_storage(tmp_path):
    from tests.conftest import make_config
    from tribune import create_app

    config = make_config(tmp_path, REDIS_URL="redis://127.0.0.1:6379/15")
    config.pop("RATELIMIT_ENABLED")
    app = create_app(config)
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/15"
    assert PASSWORD  # the shared test password stays importable for the worker script
