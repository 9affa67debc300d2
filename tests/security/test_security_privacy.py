"""Privacy: download your data, delete your account, no e-mail shown, no IP address kept."""

import json
import logging

from sqlalchemy import inspect

from tests.security.conftest import code_for, logged_in, turn_on_two_factor
from tests.support import PASSWORD, login
from tribune.extensions import db
from tribune.models import Membership, Post, RecoveryCode, TwoFactor, User, UserSession
from tribune.security import REQUEST_LOG_REDACTOR
from tribune.services import accounts, posting

CLIENT_IP = "203.0.113.77"


def test_download_all_my_data(app, client, make_user, make_thread):
    sara = make_user("sara", email="sara@example.org", display_name="سارا")
    thread = make_thread(author=sara, title="یک عنوان", body="نسخه‌ی نخست")
    first_post = db.session.scalar(db.select(Post).where(Post.thread_id == thread.id))
    posting.edit_post(sara, first_post, "نسخه‌ی دوم", "fa")
    posting.reply(make_user("kaveh"), thread, "پاسخ کاوه")
    login(client)
    response = client.get("/accounts/my-data.json")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "sara@example.org"
    assert data["account"]["display_name"] == "سارا"
    assert [t["title"] for t in data["threads"]] == ["یک عنوان"]
    (post,) = data["posts"]  # only her own posts
    assert post["markdown"] == "نسخه‌ی دوم"
    assert post["earlier_versions"][0]["markdown"] == "نسخه‌ی نخست"
    assert len(data["sessions"]) == 1 and "key_hash" not in data["sessions"][0]
    assert "password_hash" not in json.dumps(data) and "$argon2" not in json.dumps(data)
    assert app.test_client().get("/accounts/my-data.json").status_code == 302


def test_delete_account_keeps_posts_under_a_neutral_name(app, client, make_user, make_thread):
    sara = make_user("sara", email="sara@example.org", display_name="سارا")
    thread = make_thread(author=sara, body="متنی که می‌ماند")
    other_browser = app.test_client()
    login(other_browser)
    login(client)
    refused = client.post("/accounts/delete", data={"password": "wrong password!", "confirm": "y"})
    assert refused.status_code == 200 and logged_in(client)
    response = client.post("/accounts/delete", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    assert not logged_in(client) and not logged_in(other_browser)
    db.session.expire_all()
    user = db.session.get(User, sara.id)
    assert user.username.startswith("former-participant-") and user.deleted_at is not None
    assert (user.email, user.password_hash, user.display_name) == (None, None, "")
    assert db.session.scalar(db.select(db.func.count(UserSession.id))) == 0
    html = app.test_client().get(f"/t/{thread.id}").get_data(as_text=True)
    assert "متنی که می‌ماند" in html and "سارا" not in html and ">sara<" not in html
    assert login(app.test_client()).status_code == 200  # cannot log in any more
    # The old name is free again; the placeholder names cannot be registered.
    assert accounts.register("sara", "a new person, a new passphrase").id != sara.id


def test_delete_needs_the_confirmation_box_and_second_factor(app, client, clock, make_user):
    sara = make_user("sara")
    db.session.add(Membership(user_id=sara.id, association_id=_association().id))
    db.session.commit()
    login(client)
    secret, _ = turn_on_two_factor(client, clock)
    no_box = client.post("/accounts/delete", data={"password": PASSWORD})
    assert no_box.status_code == 200
    no_code = client.post("/accounts/delete", data={"password": PASSWORD, "confirm": "y"})
    assert no_code.status_code == 200 and logged_in(client)
    clock.advance(minutes=1)
    done = client.post(
        "/accounts/delete",
        data={"password": PASSWORD, "confirm": "y", "code": code_for(secret, clock())},
    )
    assert done.status_code == 302
    for model in (TwoFactor, RecoveryCode, Membership):
        assert db.session.scalar(db.select(db.func.count(model.id))) == 0


def _association():
    from tribune.models import Association

    association = Association(slug="hamburg", name="کانون هامبورگ")
    db.session.add(association)
    db.session.commit()
    return association


def test_administrators_hand_over_before_deleting(client, make_user):
    make_user("amir", role="admin")
    login(client, "amir")
    response = client.post("/accounts/delete", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 200 and logged_in(client)


def test_email_is_never_shown_to_others(app, make_user, make_thread):
    sara = make_user("sara", email="sara@example.org")
    thread = make_thread(author=sara)
    posting.reply(sara, thread, "پاسخ")
    reader, participant = app.test_client(), app.test_client()
    make_user("kaveh")
    login(participant, "kaveh")
    for client in (reader, participant):
        for path in ("/", f"/t/{thread.id}", "/accounts/u/sara", "/tribune/"):
            assert "sara@example.org" not in client.get(path).get_data(as_text=True), path


def test_no_ip_address_is_stored_anywhere(app, make_user, make_section, caplog, outbox):
    caplog.set_level(logging.DEBUG)
    section = make_section()
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = CLIENT_IP
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.99"
    client.post(
        "/accounts/register",
        data={"username": "sara", "password": "a long and unusual phrase", "email": "s@e.org"},
    )
    client.post(
        f"/tribune/{section.slug}/new",
        data={"title": "عنوانی تازه", "body": "متن", "language": "fa"},
    )
    client.post("/accounts/logout")
    login(client, "sara", "a long and unusual phrase", remember=True)
    client.post("/accounts/reset", data={"email": "s@e.org"})
    client.get("/no/such/page")
    values = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(db.select(table)).all():
            values.extend(str(value) for value in row)
    from tribune.models import PasswordReset, Thread

    for model in (User, Thread, UserSession, PasswordReset):  # the flows above wrote rows
        assert db.session.scalar(db.select(db.func.count(model.id))) == 1, model
    for ip in (CLIENT_IP, "198.51.100.99"):
        assert not any(ip in value for value in values), ip
        assert ip not in caplog.text
    columns = {
        c["name"]
        for t in inspect(db.engine).get_table_names()
        for c in inspect(db.engine).get_columns(t)
    }
    assert not {"ip", "ip_address", "remote_addr", "user_agent"} & columns


def test_werkzeug_request_log_loses_addresses_and_queries():
    record = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        __file__,
        1,
        '203.0.113.9 - - [01/Jan/2026 10:00:00] "%s" %s %s',
        ("GET /search?q=%D8%A8%D8%AF%DB%8C%D9%84 HTTP/1.1", "200", "-"),
        None,
    )
    assert REQUEST_LOG_REDACTOR.filter(record)
    line = record.getMessage()
    assert "203.0.113.9" not in line and "q=" not in line
    assert line.startswith("- - - [") and "GET /search?… HTTP/1.1" in line
    assert REQUEST_LOG_REDACTOR in logging.getLogger("werkzeug").filters
