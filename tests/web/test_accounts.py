"""Registering, logging in and out, sessions that end on the server, privacy of e-mail."""

import pytest

from tests.support import PASSWORD, login
from tribune.extensions import db
from tribune.models import User
from tribune.services import Invalid, accounts

GOOD = "a rather long passphrase nobody uses"


def register(client, username="sara", password=GOOD, email="", **extra):
    data = {"username": username, "password": password, "email": email, **extra}
    return client.post("/accounts/register", data=data)


def test_register_logs_in_and_hashes_with_argon2id(client):
    response = register(client, "sara", email="sara@example.org")
    assert response.status_code == 302
    user = db.session.scalar(db.select(User))
    assert user.password_hash.startswith("$argon2id$")
    assert GOOD not in user.password_hash
    assert "sara" in client.get("/").get_data(as_text=True)


def test_production_hash_parameters_meet_owasp_minimum():
    from tribune.config import Defaults

    params = Defaults.PASSWORD_HASH
    assert params["memory_cost"] >= 19 * 1024 and params["time_cost"] >= 2


def test_username_taken_is_said_case_insensitively(client, make_user):
    make_user("Sara")
    response = register(client, "sara")
    assert response.status_code == 200
    assert 'class="error"' in response.get_data(as_text=True)
    client.post("/locale", data={"locale": "en"})
    assert "This username is taken." in register(client, "SARA").get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def test_same_email_twice_is_accepted_and_reveals_nothing(client, make_user):
    make_user("first", email="shared@example.org")
    response = register(client, "second", email="shared@example.org")
    assert response.status_code == 302
    assert db.session.scalar(db.select(db.func.count(User.id))) == 2


@pytest.mark.parametrize(
    "password",
    ["short", "password1234", "123456789123", "sara-and-more-and-more"],
    ids=["too-short", "common", "common-digits", "contains-username"],
)
def test_weak_passwords_are_refused_with_a_field_message(client, password):
    response = register(client, "sara", password=password)
    assert response.status_code == 200
    assert 'class="error"' in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_common_password_list_is_large():
    from tribune.services.passwords import common_passwords

    assert len(common_passwords()) >= 10_000


@pytest.mark.parametrize("username", ["a", "with space", "ساره", "x" * 31, "admin", "-dash"])
def test_bad_usernames_are_refused(app, username):
    with pytest.raises(Invalid):
        accounts.register(username, GOOD)


def test_login_failure_message_is_the_same_for_unknown_and_wrong(client, make_user):
    make_user("sara")
    wrong = login(client, "sara", "not the password at all").get_data(as_text=True)
    unknown = login(client, "nobody", "not the password at all").get_data(as_text=True)
    # The pages differ only in the username echoed back into the form.
    assert wrong.replace('value="sara"', "") == unknown.replace('value="nobody"', "")


def test_login_and_logout(client, make_user):
    make_user("sara")
    assert login(client).status_code == 302
    assert client.get("/accounts/settings").status_code == 200
    client.post("/accounts/logout")
    assert client.get("/accounts/settings").status_code == 302


def test_login_next_must_stay_on_site(client, make_user):
    make_user("sara")
    response = client.post(
        "/accounts/login?next=//evil.example/x",
        data={"username": "sara", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/"


def test_disabled_and_placeholder_accounts_cannot_log_in(client, make_user):
    user = make_user("sara")
    user.is_placeholder = True
    db.session.commit()
    assert login(client).status_code == 200


def test_log_out_everywhere_refuses_old_cookies(app, make_user):
    make_user("sara")
    first, second = app.test_client(), app.test_client()
    login(first)
    login(second)
    assert second.get("/accounts/settings").status_code == 200
    first.post("/accounts/sessions/end")
    assert second.get("/accounts/settings").status_code == 302
    assert first.get("/accounts/settings").status_code == 302


def test_remember_cookie_is_revoked_by_password_change(app, make_user):
    make_user("sara")
    browser = app.test_client()
    login(browser, remember=True)
    remember = browser.get_cookie("tribune_remember")
    assert remember is not None and remember.http_only
    other = app.test_client()
    login(other)
    other.post(
        "/accounts/settings",
        data={
            "password-current_password": PASSWORD,
            "password-new_password": "another long passphrase here",
            "password-submit": "1",
        },
    )
    # A fresh browser presenting only the old remember-me cookie is not logged in.
    replay = app.test_client()
    replay.set_cookie("tribune_remember", remember.value)
    assert replay.get("/accounts/settings").status_code == 302
    # The browser that changed the password stays logged in.
    assert other.get("/accounts/settings").status_code == 200


def test_profile_never_shows_email(client, make_user):
    make_user("sara", email="sara@example.org", display_name="سارا")
    html = client.get("/accounts/u/sara").get_data(as_text=True)
    assert "سارا" in html and "sara@example.org" not in html


def test_profile_update(client, make_user):
    make_user("sara")
    login(client)
    client.post(
        "/accounts/settings",
        data={
            "profile-display_name": "سارا",
            "profile-bio": "از هامبورگ",
            "profile-locale": "en",
            "profile-submit": "1",
        },
    )
    user = accounts.find_by_username("sara")
    assert (user.display_name, user.bio, user.locale) == ("سارا", "از هامبورگ", "en")
    assert '<html lang="en" dir="ltr">' in client.get("/").get_data(as_text=True)


def test_cookies_are_httponly_and_lax(client, make_user):
    make_user("sara")
    response = login(client, remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies
    for cookie in cookies:
        # The device cookie (accounts/devices.py) is Strict: only the login form needs it.
        assert "HttpOnly" in cookie and ("SameSite=Lax" in cookie or "SameSite=Strict" in cookie)


def test_profile_lists_no_thread_hidden_by_moderation(client, make_thread):
    thread = make_thread(title="رشته‌ی پنهان‌شده")
    thread.is_hidden = True
    db.session.commit()
    html = client.get("/accounts/u/sara").get_data(as_text=True)
    assert "رشته‌ی پنهان‌شده" not in html
