"""New accounts post under limits: an interval between posts, threads and posts per day."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.support import login
from tribune.extensions import db
from tribune.models import Thread
from tribune.services import Refused, accounts, posting


@pytest.fixture
def limits(app):
    app.config.update(
        NEW_ACCOUNT_DAYS=7,
        NEW_ACCOUNT_POST_INTERVAL=60,
        NEW_ACCOUNT_THREADS_PER_DAY=2,
        NEW_ACCOUNT_POSTS_PER_DAY=5,
    )


def test_interval_between_posts(limits, clock, make_user, make_section):
    sara = make_user("sara")
    section = make_section()
    thread = posting.open_thread(sara, section, "نخستین رشته", "متن")
    with pytest.raises(Refused) as refused:
        posting.reply(sara, thread, "زود است")
    # In the reader's digits (issue 17): Persian here.
    assert "۶۰" in str(refused.value.message)
    clock.advance(seconds=61)
    posting.reply(sara, thread, "حالا می‌شود")


def test_threads_per_day(limits, clock, make_user, make_section):
    sara = make_user("sara")
    section = make_section()
    for n in range(2):
        posting.open_thread(sara, section, f"رشته {n}", "متن")
        clock.advance(minutes=2)
    with pytest.raises(Refused):
        posting.open_thread(sara, section, "رشته سوم", "متن")
    clock.advance(days=1)
    posting.open_thread(sara, section, "فردا", "متن")


def test_posts_per_day(limits, clock, make_user, make_thread):
    sara = make_user("sara")
    thread = make_thread(author=make_user("kaveh"))
    for n in range(5):
        posting.reply(sara, thread, f"پاسخ {n}")
        clock.advance(minutes=2)
    with pytest.raises(Refused):
        posting.reply(sara, thread, "یکی بیشتر")


def test_older_accounts_and_staff_are_not_limited(limits, clock, make_user, make_section):
    section = make_section()
    old = make_user("sara")
    old.created_at -= timedelta(days=8)
    db.session.commit()
    admin = make_user("amir", role="admin")
    for author in (old, admin):
        thread = posting.open_thread(author, section, "بی‌درنگ", "متن")
        posting.reply(author, thread, "و باز")
        posting.open_thread(author, section, "باز هم", "متن")
        posting.open_thread(author, section, "و باز هم", "متن")


def test_operator_commands_post_without_limits(limits, make_user, make_section):
    sara = make_user("sara")
    section = make_section()
    with accounts.posting_limits_waived():
        thread = posting.open_thread(sara, section, "درون‌ریزی", "متن")
        posting.reply(sara, thread, "بی‌فاصله")


def test_demo_loads_under_production_limits(app):
    assert app.config["NEW_ACCOUNT_DAYS"] == 0
    app.config["NEW_ACCOUNT_DAYS"] = 7
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output


def test_the_refusal_is_shown_on_the_form(limits, client, make_user, make_section):
    make_user("sara")
    section = make_section()
    login(client)
    url = f"/{section.area}/{section.slug}/new"
    first = client.post(url, data={"title": "نخستین", "body": "متن", "language": "fa"})
    assert first.status_code == 302
    client.post("/locale", data={"locale": "en"})
    second = client.post(url, data={"title": "دومین", "body": "متن", "language": "fa"})
    assert "New accounts wait 60 seconds between posts" in second.get_data(as_text=True)


def _over_the_thread_limit(make_user, section, clock):
    sara = make_user("sara")
    for n in range(2):
        posting.open_thread(sara, section, f"رشته {n}", "متن")
        clock.advance(minutes=2)
    return sara


def test_a_refused_paper_keeps_what_was_typed(limits, clock, client, make_user, make_section):
    section = make_section("alternatives")
    _over_the_thread_limit(make_user, section, clock)
    login(client, "sara")
    body = "متنی بلند که نباید گم شود"
    response = client.post(
        "/papers/new",
        data={"section": "alternatives", "title": "سومین نوشته", "position": "جمهوری لائیک",
              "summary": "جدایی دین از دولت و برابری.", "language": "fa", "body": body},
    )  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="error form-error"' in page and body in page
    assert db.session.scalar(select(func.count(Thread.id))) == 2


def test_a_refused_action_keeps_what_was_typed(limits, clock, client, make_user, make_section):
    section = make_section("women", "agenda", "کارگروه زنان")
    _over_the_thread_limit(make_user, section, clock)
    login(client, "sara")
    body = "تجمع در میدان، با بلندگو"
    response = client.post(
        "/calendar/new",
        data={"section": "women", "title": "آکسیون", "day": "2031-03-08", "start": "15:00",
              "timezone": "Europe/Paris", "city": "Paris", "language": "fa", "body": body},
    )  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="error form-error"' in page and body in page
    assert db.session.scalar(select(func.count(Thread.id))) == 2
