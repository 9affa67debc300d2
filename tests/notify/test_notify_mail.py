"""Notification e-mail through a real SMTP server on loopback (aiosmtpd)."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.notify.smtp_support import SMTPServer
from tests.support import login
from tribune.extensions import db
from tribune.models import MailOutbox, Notification
from tribune.models.base import utcnow
from tribune.services import mail, notify, posting

PUBLIC_URL = "https://tribune.example"


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app_config(app_config, smtp):
    app_config.update(
        SMTP_URL=smtp.url,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp.port,
        SMTP_SECURITY="plain",
        MAIL_FROM="Tribune <tribune@tribune.example>",
        PUBLIC_URL=PUBLIC_URL,
    )
    return app_config


def outbox(status=None):
    query = select(MailOutbox).order_by(MailOutbox.id)
    if status:
        query = query.where(MailOutbox.status == status)
    db.session.expire_all()
    return db.session.scalars(query).all()


def test_immediate_mail_is_written_with_the_event_and_sent_once(smtp, people, make_section):
    sara, kaveh, leila = people
    notify.save_settings(sara, True, "immediate", "Sara@Example.org")
    notify.save_settings(leila, True, "immediate", "leila@example.org")
    thread = posting.open_thread(sara, make_section(), "جمهوری لائیک", "متن نخست")
    posting.reply(kaveh, thread, "پاسخ کاوه")
    # Written in the reply's transaction; nothing for Leila, who watches nothing.
    [row] = outbox("pending")
    assert row.user_id == sara.id and row.kind == "immediate"
    assert mail.send_pass()["sent"] == 1
    assert mail.send_pass()["sent"] == 0
    [message] = smtp.messages
    assert message.envelope_to == ["sara@example.org"]
    assert message["To"] == "sara@example.org"
    raw = message.as_string()
    assert "leila@example.org" not in raw and "kaveh" not in message["To"]
    assert message["List-Unsubscribe"].startswith(f"<{PUBLIC_URL}/notifications/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"{PUBLIC_URL}/p/" in message.get_body(("plain",)).get_content()


def test_a_failed_event_writes_no_mail(people, make_section, monkeypatch):
    sara, kaveh, _leila = people
    notify.save_settings(sara, True, "immediate", "sara@example.org")
    thread = posting.open_thread(sara, make_section(), "جمهوری لائیک", "متن نخست")
    written = notify.post_written

    def then_fail(*args, **kwargs):
        written(*args, **kwargs)
        assert outbox("pending"), "the mail row is written before the failure"
        raise RuntimeError("the reply's transaction fails after the fan-out")

    monkeypatch.setattr(notify, "post_written", then_fail)
    with pytest.raises(RuntimeError):
        posting.reply(kaveh, thread, "پاسخ")
    assert outbox() == []
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_one_click_unsubscribe(client, smtp, people, make_section):
    sara, kaveh, _leila = people
    notify.save_settings(sara, True, "immediate", "sara@example.org")
    thread = posting.open_thread(sara, make_section(), "جمهوری لائیک", "متن نخست")
    posting.reply(kaveh, thread, "پاسخ")
    mail.send_pass()
    link = smtp.messages[0]["List-Unsubscribe"].strip("<>").removeprefix(PUBLIC_URL)
    # Opening the link (a scanner would) changes nothing; the one-click POST stops all mail.
    assert client.get(link).status_code == 200
    assert notify.settings_of(sara).mail_mode == "immediate"
    assert client.post(link, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    db.session.expire_all()
    assert notify.settings_of(sara).mail_mode == "off"
    posting.reply(kaveh, thread, "پاسخ دیگر")
    assert outbox("pending") == []
    # A forged or altered token is nobody's.
    assert client.post(link[:-3] + "abc").status_code == 404
    assert client.get("/notifications/unsubscribe/x").status_code == 404


@pytest.mark.persian
def test_daily_digest_in_persian_with_jalali_dates(smtp, people, make_section):
    sara, kaveh, leila = people
    sara.locale = "fa"
    db.session.commit()
    notify.save_settings(sara, True, "daily", "sara@example.org")
    thread = posting.open_thread(sara, make_section(), "جمهوری لائیک", "متن نخست")
    posting.reply(kaveh, thread, "پاسخ کاوه")
    posting.reply(leila, thread, "پاسخ لیلا")
    assert outbox() == []  # nothing before the day is over
    assert mail.send_pass()["digests"] == 0
    tomorrow = utcnow() + timedelta(days=1, minutes=1)
    assert mail.send_pass(tomorrow)["sent"] == 1
    assert mail.send_pass(tomorrow)["digests"] == 0
    [message] = smtp.messages
    assert message["Content-Language"] == "fa"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    year = str(1405)  # Dec 2026 is in the Jalali year 1405
    persian_year = year.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert persian_year in text and "آذر" in text
    assert "۲" in text  # "2 new replies", in Persian digits
    assert 'dir="rtl"' in html and 'lang="fa"' in html
    # The next day's digest tells only what is new since.
    posting.reply(kaveh, thread, "پاسخ سوم")
    later = tomorrow + timedelta(days=1, minutes=1)
    assert mail.send_pass(later)["sent"] == 1
    assert "۱" in smtp.messages[-1].get_body(("plain",)).get_content()


def test_smtp_down_then_up_nothing_lost_nothing_twice(smtp, people, make_section):
    sara, kaveh, _leila = people
    notify.save_settings(sara, True, "immediate", "sara@example.org")
    thread = posting.open_thread(sara, make_section(), "جمهوری لائیک", "متن نخست")
    smtp.stop()
    posting.reply(kaveh, thread, "پاسخ در زمان خاموشی")
    assert mail.send_pass()["retry"] == 1
    [row] = outbox()
    assert row.status == "pending" and row.attempts == 1 and "Error" in row.last_error
    first_id = row.message_id
    # Not yet due again: the next pass leaves it.
    assert mail.send_pass()["retry"] == 0
    # Still down at the next attempt: the delay grows.
    later = utcnow() + timedelta(minutes=2)
    assert mail.send_pass(later)["retry"] == 1
    [row] = outbox()
    assert row.next_attempt_at - later > timedelta(minutes=1, seconds=30)
    smtp.start()
    assert mail.send_pass(utcnow() + timedelta(hours=1))["sent"] == 1
    assert mail.send_pass(utcnow() + timedelta(hours=2))["sent"] == 0
    [message] = smtp.messages
    assert message["Message-ID"] == first_id


def test_a_sender_killed_mid_send_duplicates_nothing(app, smtp, people, make_section, tmp_path):
    sara, kaveh, _leila = people
    notify.save_settings(sara, True, "immediate", "sara@example.org")
    thread = posting.open_thread(sara, make_section(), "جمهوری لائیک", "متن نخست")
    for n in range(4):
        posting.reply(kaveh, thread, f"پاسخ {n}")
    assert len(outbox("pending")) == 4
    # A real `flask mail send` process: the server accepts the first message and keeps the
    # second waiting; the process is killed then.
    config = app.config
    env = dict(os.environ)
    env.update(
        TRIBUNE_DATABASE_URL=config["DATABASE_URL"],
        TRIBUNE_INSTANCE_PATH=config["INSTANCE_PATH"],
        TRIBUNE_INDEX_DIR=config["INDEX_DIR"],
        TRIBUNE_SECRET_KEY=config["SECRET_KEY"],
        TRIBUNE_SMTP_URL=smtp.url,
        TRIBUNE_MAIL_FROM=config["MAIL_FROM"],
        TRIBUNE_PUBLIC_URL=PUBLIC_URL,
    )
    db.session.remove()
    db.engine.dispose()
    flask = str(Path(sys.executable).with_name("flask"))
    original_handle = smtp.recorder.handle_DATA

    async def accept_one_then_hold(server, session, envelope):
        if len(smtp.messages) == 1:
            smtp.recorder.hold_next.set()
        return await original_handle(server, session, envelope)

    smtp.recorder.handle_DATA = accept_one_then_hold
    sender = subprocess.Popen([flask, "--app", "tribune", "mail", "send"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert smtp.recorder.holding.wait(timeout=120), "the sender never reached the second"
    finally:
        sender.send_signal(signal.SIGKILL)
        sender.wait(timeout=30)
    assert len(smtp.messages) == 1
    rows = outbox()
    assert Counter(row.status for row in rows) == {"sent": 1, "sending": 3}
    # Another sender now: the killed one's lease still holds, so it sends nothing.
    assert mail.send_pass()["sent"] == 0
    assert len(smtp.messages) == 1
    # Once the lease has run out, the rest goes, each message once.
    smtp.recorder.handle_DATA = original_handle
    after_lease = utcnow() + timedelta(seconds=config["MAIL_LEASE_SECONDS"] + 1)
    assert mail.send_pass(after_lease)["sent"] == 3
    assert mail.send_pass(after_lease + timedelta(hours=1))["sent"] == 0
    ids = Counter(message["Message-ID"] for message in smtp.messages)
    assert len(ids) == 4 and set(ids.values()) == {1}
    assert db.session.scalar(select(func.count()).select_from(MailOutbox)) == 4
    time.sleep(0)


def test_without_smtp_the_settings_say_mail_is_off(client, people, app):
    app.config.update(SMTP_HOST="", SMTP_URL="", MAIL_FROM="")
    login(client, "sara")
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert "E-mail is off on this site" in page
    assert 'name="mail_address"' not in page


def test_mail_settings_ask_an_address(client, people):
    sara, _kaveh, _leila = people
    login(client, "sara")
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert 'name="mail_address"' in page
    response = client.post("/notifications/settings",
                           data={"auto_watch": "y", "mail_mode": "daily", "mail_address": ""})
    assert "Give the address" in response.get_data(as_text=True)
    response = client.post("/notifications/settings",
                           data={"auto_watch": "y", "mail_mode": "daily",
                                 "mail_address": "not an address"})
    assert "does not look like an e-mail address" in response.get_data(as_text=True)
    client.post("/notifications/settings",
                data={"auto_watch": "y", "mail_mode": "weekly", "mail_address": "s@example.org"})
    db.session.expire_all()
    settings = notify.settings_of(sara)
    assert (settings.mail_mode, settings.mail_address) == ("weekly", "s@example.org")


def test_the_unsubscribe_link_does_not_spell_out_the_address(smtp, people, make_section):
    import base64

    sara, kaveh, _leila = people
    notify.save_settings(sara, True, "immediate", "sara@example.org")
    thread = posting.open_thread(sara, make_section(), "جمهوری لائیک", "متن نخست")
    posting.reply(kaveh, thread, "پاسخ")
    mail.send_pass()
    token = smtp.messages[0]["List-Unsubscribe"].strip("<>").rsplit("/", 1)[1]
    payload = token.split(".")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert b"sara@example.org" not in decoded and b"example" not in decoded
    # A changed address makes old links void.
    notify.save_settings(sara, True, "immediate", "new@example.org")
    assert mail.user_from_token(token) is None
