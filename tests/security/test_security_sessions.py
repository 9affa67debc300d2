"""Sessions end on the server: replayed cookies after logout, timeouts, sessions list, cookies."""

import hashlib
from datetime import timedelta

from tests.security.conftest import logged_in
from tests.support import PASSWORD, login
from tribune.extensions import db
from tribune.models import UserSession
from tribune.services import accounts


def session_rows():
    return db.session.scalars(db.select(UserSession)).all()


def copy_cookies(source, target):
    for name in ("tribune_session", "tribune_remember"):
        cookie = source.get_cookie(name)
        if cookie is not None:
            target.set_cookie(name, cookie.value)


def test_logout_refuses_a_replayed_copy_of_the_session_cookie(app, make_user):
    make_user("sara")
    browser = app.test_client()
    login(browser)
    stolen = app.test_client()
    copy_cookies(browser, stolen)
    assert logged_in(stolen)
    browser.post("/accounts/logout")
    assert not logged_in(browser)
    assert not logged_in(stolen)
    assert session_rows() == []


def test_logout_refuses_a_replayed_remember_cookie(app, make_user):
    make_user("sara")
    browser = app.test_client()
    login(browser, remember=True)
    remember = browser.get_cookie("tribune_remember").value
    browser.post("/accounts/logout")
    replay = app.test_client()
    replay.set_cookie("tribune_remember", remember)
    assert not logged_in(replay)


def test_logout_in_one_browser_leaves_the_others(app, make_user):
    make_user("sara")
    first, second = app.test_client(), app.test_client()
    login(first)
    login(second)
    first.post("/accounts/logout")
    assert logged_in(second)


def test_session_key_is_stored_only_as_a_digest(app, client, make_user):
    make_user("sara")
    login(client)
    (row,) = session_rows()
    serializer = app.session_interface.get_signing_serializer(app)
    data = serializer.loads(client.get_cookie("tribune_session").value)
    key = data["_user_id"].rsplit(":", 1)[1]
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {value for value in vars(row).values() if isinstance(value, str)}


def test_cookie_carries_no_fingerprint_of_the_client_address(app, make_user):
    make_user("sara")
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    client.environ_base["HTTP_USER_AGENT"] = "TestBrowser/1"
    login(client)
    serializer = app.session_interface.get_signing_serializer(app)
    data = serializer.loads(client.get_cookie("tribune_session").value)
    fingerprint = hashlib.sha512(b"203.0.113.7|b'TestBrowser/1'").hexdigest()
    assert fingerprint not in str(data) and "203.0.113.7" not in str(data)


def test_idle_timeout_without_remember_me(app, clock, make_user):
    make_user("sara")
    browser = app.test_client()
    login(browser)
    clock.advance(hours=1, minutes=59)
    assert logged_in(browser)  # activity restarts the idle clock
    clock.advance(hours=1, minutes=59)
    assert logged_in(browser)
    clock.advance(hours=2)
    assert not logged_in(browser)


def test_absolute_timeout_without_remember_me(app, clock, make_user):
    make_user("sara")
    browser = app.test_client()
    login(browser)
    for _ in range(11):
        clock.advance(hours=1)
        assert logged_in(browser)
    clock.advance(hours=1)
    assert not logged_in(browser)


def test_remember_me_lasts_at_most_thirty_days(app, clock, make_user):
    make_user("sara")
    browser = app.test_client()
    login(browser, remember=True)
    remember = browser.get_cookie("tribune_remember")
    assert 29 * 86400 < remember.expires.timestamp() - clock().timestamp() <= 30 * 86400 + 60
    for _ in range(4):
        clock.advance(days=6, hours=23)
        assert logged_in(browser)
    clock.advance(days=2, hours=5)
    assert not logged_in(browser)


def test_remember_me_idle_limit_is_seven_days(app, clock, make_user):
    make_user("sara")
    browser = app.test_client()
    login(browser, remember=True)
    clock.advance(days=7)
    assert not logged_in(browser)


def test_last_seen_is_written_at_most_once_a_minute(app, clock, make_user, count_queries):
    make_user("sara")
    browser = app.test_client()
    login(browser)
    first_seen = session_rows()[0].last_seen_at
    clock.advance(seconds=30)
    with count_queries() as quiet:
        browser.get("/accounts/settings")
    db.session.expire_all()
    assert session_rows()[0].last_seen_at == first_seen
    clock.advance(seconds=31)
    browser.get("/accounts/settings")
    db.session.expire_all()
    assert session_rows()[0].last_seen_at == clock()
    assert not any(s.lstrip().upper().startswith("UPDATE") for s in quiet.statements)


def test_expired_sessions_are_pruned_at_the_next_login(app, clock, make_user):
    make_user("sara")
    make_user("kaveh")
    login(app.test_client())
    clock.advance(hours=13)
    login(app.test_client(), "kaveh")
    assert [row.user.username for row in session_rows()] == ["kaveh"]


def test_sessions_list_and_ending_one(app, make_user):
    make_user("sara")
    here, elsewhere = app.test_client(), app.test_client()
    login(elsewhere)
    login(here)
    html = here.get("/accounts/settings").get_data(as_text=True)
    assert html.count('class="session-list"') == 1 and html.count("<li>") >= 2
    other = next(row for row in session_rows() if row.id == 1)
    response = here.post(f"/accounts/sessions/{other.id}/end")
    assert response.status_code == 302
    assert not logged_in(elsewhere) and logged_in(here)


def test_a_session_of_someone_else_cannot_be_ended(app, make_user):
    make_user("sara")
    make_user("kaveh")
    sara, kaveh = app.test_client(), app.test_client()
    login(sara)
    login(kaveh, "kaveh")
    sara_session = session_rows()[0]
    assert kaveh.post(f"/accounts/sessions/{sara_session.id}/end").status_code == 404
    assert logged_in(sara)


def test_password_change_ends_other_sessions_and_keeps_this_one(app, make_user):
    make_user("sara")
    here, elsewhere = app.test_client(), app.test_client()
    login(elsewhere, remember=True)
    login(here, remember=True)
    here.post(
        "/accounts/settings",
        data={
            "password-current_password": PASSWORD,
            "password-new_password": "another long passphrase here",
            "password-submit": "1",
        },
    )
    assert not logged_in(elsewhere)
    assert logged_in(here)
    # This browser's remember-me cookie was renewed with the new account token.
    restarted = app.test_client()
    restarted.set_cookie("tribune_remember", here.get_cookie("tribune_remember").value)
    assert logged_in(restarted)


def test_suspension_and_disabling_end_every_session_for_good(app, clock, make_user):
    user = make_user("sara")
    browser = app.test_client()
    login(browser, remember=True)
    user.suspended_until = clock() + timedelta(hours=1)
    db.session.commit()
    assert not logged_in(browser)
    user.suspended_until = None  # lifted: the old session stays ended
    db.session.commit()
    assert not logged_in(browser)
    login(browser)
    assert logged_in(browser)
    user.is_disabled = True
    db.session.commit()
    assert not logged_in(browser)


def test_log_out_everywhere_deletes_every_row(app, make_user):
    user = make_user("sara")
    first, second = app.test_client(), app.test_client()
    login(first)
    login(second)
    first.post("/accounts/sessions/end")
    assert session_rows() == []
    assert not logged_in(second)
    accounts.end_all_sessions(user)  # the service, too, is idempotent


def test_secure_cookies_when_served_over_https(tmp_path):
    from tests.conftest import make_config, reset_schema
    from tribune import create_app

    https_app = create_app(make_config(tmp_path, SESSION_COOKIE_SECURE=True))
    with https_app.app_context():
        reset_schema()
        accounts.register("sara", PASSWORD)
        response = login(https_app.test_client(), remember=True)
        cookies = response.headers.getlist("Set-Cookie")
        assert len(cookies) == 3  # session, remember-me, device (accounts/devices.py)
        for cookie in cookies:
            assert "Secure" in cookie and "HttpOnly" in cookie
            assert "SameSite=Lax" in cookie or "SameSite=Strict" in cookie
        assert "Strict-Transport-Security" in response.headers
        db.session.remove()
        db.engine.dispose()
