"""Password reset: by e-mail when SMTP is set up, by an administrator's link otherwise."""

import re

import pytest

from tests.security.conftest import PUBLIC_URL, logged_in
from tests.support import PASSWORD, login
from tribune.extensions import db
from tribune.models import PasswordReset
from tribune.services import accounts, resets

NEW = "a brand new passphrase for me"


def link_in(message):
    match = re.search(r"https://tribune\.example/accounts/reset/([\w-]+)", message.get_content())
    assert match, message.get_content()
    return match.group(0), match.group(1)


def ask(client, email):
    return client.post("/accounts/reset", data={"email": email})


def use_link(client, url, password=NEW):
    client.get(url.removeprefix(PUBLIC_URL))
    return client.post("/accounts/reset/new-password", data={"new_password": password})


def test_reset_by_email_end_to_end(app, client, outbox, make_user):
    user = make_user("sara", email="sara@example.org")
    other_browser = app.test_client()
    login(other_browser)
    response = ask(client, "Sara@Example.org ")
    assert response.status_code == 302
    (message,) = outbox
    assert message["To"] == "sara@example.org" and "sara" in message.get_content()
    url, token = link_in(message)
    # The link's token leaves the address bar at once.
    follow = client.get(url.removeprefix(PUBLIC_URL))
    assert follow.headers["Location"].endswith("/accounts/reset/new-password")
    page = client.get("/accounts/reset/new-password")
    assert page.headers["Cache-Control"] == "no-store" and token not in page.get_data(as_text=True)
    done = client.post("/accounts/reset/new-password", data={"new_password": NEW})
    assert done.headers["Location"].endswith("/accounts/login")
    db.session.expire_all()
    assert accounts.authenticate("sara", NEW) is not None
    assert not logged_in(other_browser)  # every session ended
    assert not logged_in(client)  # and the reset does not log in (2FA would be skipped)
    assert user.id


def test_token_is_stored_hashed_single_use_and_short_lived(app, outbox, clock, make_user):
    make_user("sara", email="sara@example.org")
    ask(app.test_client(), "sara@example.org")
    url, token = link_in(outbox[-1])
    row = db.session.scalar(db.select(PasswordReset))
    assert token not in row.token_hash and len(row.token_hash) == 64
    assert (row.expires_at - row.created_at).total_seconds() == 30 * 60
    assert use_link(app.test_client(), url).status_code == 302
    second = use_link(app.test_client(), url, "yet another long passphrase")
    assert second.status_code == 404
    # Expired links are refused.
    ask(app.test_client(), "sara@example.org")
    url, _ = link_in(outbox[-1])
    clock.advance(minutes=31)
    assert use_link(app.test_client(), url, "yet another long passphrase").status_code == 404


def test_one_address_several_accounts_each_get_a_link(app, client, outbox, make_user):
    make_user("sara", email="shared@example.org")
    make_user("sara2", email="shared@example.org")
    make_user("kaveh", email="kaveh@example.org")
    ask(client, "shared@example.org")
    # Each message names its account (in the owner's language, Persian by default).
    named = sorted(re.search(r"\b(sara2?)\b", m.get_content()).group(1) for m in outbox)
    assert named == ["sara", "sara2"]


def test_the_answer_is_the_same_for_known_and_unknown_addresses(
    app, outbox, make_user, monkeypatch
):
    make_user("sara", email="sara@example.org")
    dispatched = []
    monkeypatch.setattr(resets, "dispatch", dispatched.append)
    answers = []
    for email in ("sara@example.org", "nobody@example.org", "not an address"):
        client = app.test_client()
        response = ask(client, email)
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        answers.append((response.status_code, response.headers["Location"], strip_token(page)))
    assert answers[0] == answers[1] == answers[2]
    # The request itself does the same work: it hands the address to a background job.
    assert dispatched == ["sara@example.org", "nobody@example.org", "not an address"]


def strip_token(html):
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", html)


def test_mail_goes_out_off_the_request(app_config, outbox, make_user, app):
    app.config["RESET_MAIL_IN_BACKGROUND"] = True
    make_user("sara", email="sara@example.org")
    db.session.commit()
    with app.test_request_context():
        thread = resets.dispatch("sara@example.org")
    thread.join(timeout=30)
    assert not thread.is_alive() and len(outbox) == 1


def test_links_use_the_public_url_never_the_host_header(app, outbox, make_user):
    make_user("sara", email="sara@example.org")
    app.test_client().post(
        "/accounts/reset",
        data={"email": "sara@example.org"},
        headers={"Host": "evil.example"},
    )
    assert "evil.example" not in outbox[0].get_content()
    assert PUBLIC_URL in outbox[0].get_content()


def test_without_smtp_the_page_says_to_ask_an_administrator(client, app):
    assert not resets.mail_enabled()
    html = client.get("/accounts/reset").get_data(as_text=True)
    assert 'name="email"' not in html
    assert ask(client, "sara@example.org").status_code == 200


def test_smtp_without_public_url_stays_off(app):
    app.config["SMTP_HOST"] = "smtp.example.org"
    assert not resets.mail_enabled()
    app.config["PUBLIC_URL"] = PUBLIC_URL
    assert resets.mail_enabled()


def test_cli_prints_a_single_use_admin_link(app, make_user):
    make_user("sara")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "reset-link", "Sara", "--base-url", PUBLIC_URL])
    assert result.exit_code == 0, result.output
    url = next(line for line in result.output.splitlines() if line.startswith("https://"))
    row = db.session.scalar(db.select(PasswordReset))
    assert row.channel == "admin" and (row.expires_at - row.created_at).total_seconds() == 86400
    assert use_link(app.test_client(), url).status_code == 302
    db.session.expire_all()
    assert accounts.authenticate("sara", NEW) is not None
    missing = runner.invoke(args=["users", "reset-link", "nobody"])
    assert missing.exit_code != 0


def test_admin_button_issues_a_link_participants_cannot(app, make_user):
    make_user("amir", role="admin")
    make_user("sara")
    admin = app.test_client()
    login(admin, "amir")
    assert "reset-link" in admin.get("/accounts/u/sara").get_data(as_text=True)
    page = admin.post("/accounts/u/sara/reset-link")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "/accounts/reset/" in page.get_data(as_text=True)
    participant = app.test_client()
    login(participant)
    assert "reset-link" not in participant.get("/accounts/u/amir").get_data(as_text=True)
    assert participant.post("/accounts/u/amir/reset-link").status_code == 404
    assert db.session.scalar(db.select(db.func.count(PasswordReset.id))) == 1


def test_new_password_must_follow_the_rules(app, outbox, make_user):
    make_user("sara", email="sara@example.org")
    ask(app.test_client(), "sara@example.org")
    url, _ = link_in(outbox[0])
    client = app.test_client()
    response = use_link(client, url, "short")
    assert response.status_code == 200 and 'class="error"' in response.get_data(as_text=True)
    assert accounts.authenticate("sara", PASSWORD) is not None
    assert use_link(client, url).status_code == 302


@pytest.mark.parametrize("address", ["sara@example.org"])
def test_disabled_and_deleted_accounts_get_no_link(app, outbox, make_user, address):
    user = make_user("sara", email=address)
    user.is_disabled = True
    db.session.commit()
    ask(app.test_client(), address)
    assert outbox == []
