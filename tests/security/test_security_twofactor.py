"""Two-factor authentication: set-up, the second login step, single use, recovery, staff rule."""

import base64
import zlib
from datetime import timedelta

import pytest

from tests.security.conftest import (
    begin_two_factor,
    code_for,
    logged_in,
    login_with_code,
    secret_on_page,
    turn_on_two_factor,
)
from tests.support import PASSWORD, login
from tribune.extensions import db
from tribune.models import RecoveryCode, TwoFactor, UserSession
from tribune.services import twofactor


@pytest.fixture
def sara(make_user):
    return make_user("sara")


def test_setup_page_writes_nothing_and_qr_is_private_and_uncached(app, client, sara):
    login(client)
    # Until "set up" is pressed there is no secret, and a GET writes none.
    start = client.get("/accounts/two-factor")
    assert start.headers["Cache-Control"] == "no-store"
    assert client.get("/accounts/two-factor/qr.svg").status_code == 404
    assert db.session.scalar(db.select(UserSession.two_factor_setup)) is None
    secret = begin_two_factor(client)
    page = client.get("/accounts/two-factor")
    assert page.headers["Cache-Control"] == "no-store"
    assert secret_on_page(page.get_data(as_text=True)) == secret
    assert db.session.scalar(db.select(db.func.count(TwoFactor.id))) == 0
    qr = client.get("/accounts/two-factor/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert qr.headers["Cache-Control"] == "no-store"
    assert b"<svg" in qr.data and b"script" not in qr.data.lower()
    # Same origin only: the page points at the route, not at a data: URI or another site.
    assert 'src="/accounts/two-factor/qr.svg"' in page.get_data(as_text=True)
    assert app.test_client().get("/accounts/two-factor/qr.svg").status_code == 302
    assert len(secret) == 32


def test_the_secret_being_set_up_stays_on_the_server(app, client, clock, sara):
    login(client)
    secret = begin_two_factor(client)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    # Flask's session cookie is signed, not encrypted: its payload is base64 (maybe deflated).
    payload = cookie.split(".")[1] if cookie.startswith(".") else cookie.split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    text = (zlib.decompress(raw) if cookie.startswith(".") else raw).decode()
    assert secret not in text and "two_factor" not in text
    stored = db.session.scalar(db.select(UserSession.two_factor_setup))
    assert stored == secret
    # Another browser of the same account has no set-up secret; logging out ends this one.
    other = app.test_client()
    login(other)
    assert other.get("/accounts/two-factor/qr.svg").status_code == 404
    client.post("/accounts/logout")
    assert (
        db.session.scalar(
            db.select(db.func.count()).where(UserSession.two_factor_setup.is_not(None))
        )
        == 0
    )


def test_turning_on_needs_the_password_and_a_right_code(client, clock, sara):
    login(client)
    secret = begin_two_factor(client)
    wrong_code = client.post("/accounts/two-factor", data={"code": "000000", "password": PASSWORD})
    assert 'class="error"' in wrong_code.get_data(as_text=True)
    wrong_password = client.post(
        "/accounts/two-factor",
        data={"code": code_for(secret, clock()), "password": "not my password at all"},
    )
    assert 'class="error"' in wrong_password.get_data(as_text=True)
    assert not twofactor.is_enabled(sara)
    secret, codes = turn_on_two_factor(client, clock)
    assert twofactor.is_enabled(sara)
    stored = db.session.scalars(db.select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)
    # Once on, the QR code (and so the secret) is never shown again, nor kept for set-up.
    assert client.get("/accounts/two-factor/qr.svg").status_code == 404
    assert db.session.scalar(db.select(UserSession.two_factor_setup)) is None
    assert secret not in client.get("/accounts/two-factor").get_data(as_text=True)


def test_turning_on_ends_the_other_sessions(app, client, clock, sara):
    elsewhere = app.test_client()
    login(elsewhere)
    login(client)
    turn_on_two_factor(client, clock)
    assert logged_in(client) and not logged_in(elsewhere)


def test_login_asks_for_the_code_after_the_password(app, client, clock, sara):
    login(client)
    secret, _ = turn_on_two_factor(client, clock)
    client.post("/accounts/logout")
    browser = app.test_client()
    first = login(browser)
    assert first.headers["Location"].endswith("/accounts/login/code")
    assert not logged_in(browser)  # the password alone logs nobody in
    clock.advance(seconds=30)
    second = browser.post("/accounts/login/code", data={"code": code_for(secret, clock())})
    assert second.status_code == 302 and logged_in(browser)


def test_a_code_works_once(app, clock, sara):
    client = app.test_client()
    login(client)
    secret, _ = turn_on_two_factor(client, clock)
    clock.advance(seconds=60)
    code = code_for(secret, clock())
    assert login_with_code(app.test_client(), code).status_code == 302
    replay = login_with_code(app.test_client(), code)
    assert replay.status_code == 200 and 'class="error"' in replay.get_data(as_text=True)
    # An older code of the window is refused too, once a later one was used.
    earlier = code_for(secret, clock(), offset_steps=-1)
    assert login_with_code(app.test_client(), earlier).status_code == 200


def test_codes_one_step_either_side_are_accepted_others_not(app, clock, sara):
    client = app.test_client()
    login(client)
    secret, _ = turn_on_two_factor(client, clock)
    clock.advance(minutes=5)
    assert login_with_code(app.test_client(), code_for(secret, clock(), -3)).status_code == 200
    assert login_with_code(app.test_client(), code_for(secret, clock(), 1)).status_code == 302


def test_persian_digits_are_accepted(app, clock, sara):
    client = app.test_client()
    login(client)
    secret, _ = turn_on_two_factor(client, clock)
    clock.advance(minutes=1)
    code = code_for(secret, clock()).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert login_with_code(app.test_client(), code).status_code == 302


def test_recovery_code_logs_in_once(app, clock, sara):
    client = app.test_client()
    login(client)
    _, codes = turn_on_two_factor(client, clock)
    assert login_with_code(app.test_client(), codes[0].upper()).status_code == 302
    assert login_with_code(app.test_client(), codes[0]).status_code == 200
    assert twofactor.recovery_codes_left(sara) == 9


def test_pending_login_expires_and_does_not_survive_a_password_change(app, clock, sara):
    client = app.test_client()
    login(client)
    secret, _ = turn_on_two_factor(client, clock)
    browser = app.test_client()
    login(browser)
    from tribune.services import accounts

    accounts.change_password(sara, PASSWORD, "a completely different passphrase")
    clock.advance(minutes=1)
    response = browser.post("/accounts/login/code", data={"code": code_for(secret, clock())})
    assert response.headers["Location"].endswith("/accounts/login")
    assert not logged_in(browser)


def test_disable_needs_password_and_code(app, client, clock, sara):
    login(client)
    secret, _ = turn_on_two_factor(client, clock)
    clock.advance(minutes=1)
    refused = client.post(
        "/accounts/two-factor",
        data={"password": PASSWORD, "code": "123456", "disable": "1"},
    )
    assert refused.status_code == 200 and twofactor.is_enabled(sara)
    client.post(
        "/accounts/two-factor",
        data={"password": PASSWORD, "code": code_for(secret, clock()), "disable": "1"},
    )
    assert not twofactor.is_enabled(sara)
    assert db.session.scalar(db.select(db.func.count(RecoveryCode.id))) == 0


def test_new_recovery_codes_replace_the_old_ones(app, client, clock, sara):
    login(client)
    secret, old_codes = turn_on_two_factor(client, clock)
    clock.advance(minutes=1)
    response = client.post(
        "/accounts/two-factor",
        data={"password": PASSWORD, "code": code_for(secret, clock()), "regenerate": "1"},
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert login_with_code(app.test_client(), old_codes[1]).status_code == 200


def test_second_step_is_rate_limited_per_account(app_config, limited, app, clock, sara):
    client = app.test_client()
    login(client)
    turn_on_two_factor(client, clock)
    attacker = app.test_client()
    login(attacker)
    statuses = [
        attacker.post("/accounts/login/code", data={"code": f"{n:06d}"}).status_code
        for n in range(6)
    ]
    assert statuses == [200] * 5 + [429]
    # A fresh password step from another browser does not reset the count for the account.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.2"
    login(other)
    assert other.post("/accounts/login/code", data={"code": "000000"}).status_code == 429


# Staff must use two-factor authentication.


@pytest.fixture
def staff_rule(app_config):
    app_config["TWO_FACTOR_REQUIRED_FOR_STAFF"] = True


def test_administrator_without_2fa_can_only_set_it_up(staff_rule, app, make_user, clock):
    make_user("amir", role="admin")
    client = app.test_client()
    login(client, "amir")
    for path in ("/", "/accounts/settings", "/accounts/my-data.json", "/tribune/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].endswith("/accounts/two-factor")
    blocked_post = client.post("/accounts/settings", data={"profile-submit": "1"})
    assert blocked_post.headers["Location"].endswith("/accounts/two-factor")
    assert client.get("/accounts/two-factor").status_code == 200
    begin_two_factor(client)
    assert client.get("/accounts/two-factor/qr.svg").status_code == 200
    turn_on_two_factor(client, clock, PASSWORD)
    assert client.get("/").status_code == 200


def test_moderator_without_2fa_is_sent_to_set_it_up(staff_rule, app, make_user, monkeypatch):
    from tribune import access

    make_user("mina")
    monkeypatch.setattr(
        access, "can_moderate", lambda user, *a, **k: getattr(user, "username", "") == "mina"
    )
    client = app.test_client()
    login(client, "mina")
    assert client.get("/").headers["Location"].endswith("/accounts/two-factor")
    participant = make_user("sara")
    assert participant
    other = app.test_client()
    login(other)
    assert other.get("/").status_code == 200


def test_staff_may_still_log_out_and_switch_language(staff_rule, app, make_user):
    make_user("amir", role="admin")
    client = app.test_client()
    login(client, "amir")
    assert client.post("/locale", data={"locale": "en", "next": "/"}).status_code == 302
    client.post("/accounts/logout")
    assert client.get("/").status_code == 200


def test_time_step_is_stored(app, client, clock, sara):
    login(client)
    turn_on_two_factor(client, clock)
    row = db.session.scalar(db.select(TwoFactor))
    assert row.last_step == int(clock().timestamp()) // 30
    assert row.enabled_at == clock()
    assert clock() - row.created_at < timedelta(seconds=1)
