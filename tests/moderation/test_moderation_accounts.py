"""Suspension, silence, lifting early, and disabling a spam account in one step."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.support import login
from tribune.extensions import db
from tribune.models import ModerationLogEntry, Post, Suspension, Thread, User
from tribune.models.base import utcnow
from tribune.services import Invalid, NotFound, Refused, moderation_users, posting


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


@pytest.fixture
def people(app, make_user, make_section, make_moderator):
    mina = make_moderator("mina")
    sara = make_user("sara")
    section = make_section("alternatives")
    thread = posting.open_thread(make_user("kaveh"), section, "بدیل", "متن نخست", "fa")
    return mina, sara, thread


def test_suspension_ends_sessions_and_refuses_login_and_posting(app, people):
    mina, sara, thread = people
    client = app.test_client()
    login(client, "sara")
    assert client.get("/accounts/settings").status_code == 200
    moderation_users.restrict_user(mina, sara, "suspend", 7, "threats")
    # The open session is over.
    assert client.get("/accounts/settings").status_code == 302
    # Logging in again is refused while suspended, saying so to whoever knows the password.
    other, stranger = app.test_client(), app.test_client()
    for browser in (other, stranger):
        browser.post("/locale", data={"locale": "en"})
    page = login(other, "sara").get_data(as_text=True)
    assert "This account is suspended by moderation until" in page
    assert other.get("/accounts/settings").status_code == 302
    # A wrong password learns nothing about the account.
    page = login(stranger, "sara", password="not the password").get_data(as_text=True)
    assert "suspended" not in page and "Username or password is not right." in page
    sara = fresh(User, sara.id)
    assert sara.is_suspended and not sara.is_active
    with pytest.raises(Refused):
        posting.reply(sara, thread, "پاسخ", "fa")
    entry = db.session.scalar(
        select(ModerationLogEntry).where(ModerationLogEntry.action == "user.suspend")
    )
    assert entry.target_id == sara.id and entry.details["days"] == 7


def test_a_suspension_ends_on_its_own(app, people):
    mina, sara, thread = people
    suspension = moderation_users.restrict_user(mina, sara, "suspend", 1, "cool down")
    # As if the day had passed: the stored end is now in the past.
    past = utcnow() - timedelta(seconds=1)
    suspension.ends_at = past
    sara.suspended_until = past
    db.session.commit()
    sara = fresh(User, sara.id)
    assert sara.is_active and not sara.is_suspended
    posting.reply(sara, thread, "برگشتم", "fa")


def test_silence_is_read_only(app, people):
    mina, sara, thread = people
    moderation_users.restrict_user(mina, sara, "silence", 3, "flooding")
    client = app.test_client()
    login(client, "sara")
    # Can read and stays logged in ...
    page = client.get(f"/t/{thread.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "read-only" in html or "فقط" in html or 'action="/t/' not in html
    # ... but cannot write anywhere.
    response = client.post(f"/t/{thread.id}/reply", data={"body": "سلام", "language": "fa"})
    assert response.status_code in (302, 400)
    assert fresh(Thread, thread.id).reply_count == 0
    assert client.get("/tribune/alternatives/new").status_code == 302
    post = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    assert client.get(f"/moderation/report/{post.id}").status_code == 404
    with pytest.raises(NotFound):
        posting.open_thread(fresh(User, sara.id), thread.section, "عنوان", "متن", "fa")


def test_lift_early_restores_and_logs(app, people):
    mina, sara, thread = people
    suspension = moderation_users.restrict_user(mina, sara, "silence", 30, "flooding")
    moderation_users.lift_restriction(mina, suspension, "apologised")
    sara = fresh(User, sara.id)
    assert not sara.is_silenced
    suspension = fresh(Suspension, suspension.id)
    assert suspension.lifted_at is not None and suspension.lift_reason == "apologised"
    with pytest.raises(Refused):
        moderation_users.lift_restriction(mina, suspension, "again")
    posting.reply(sara, thread, "ممنون", "fa")
    actions = db.session.scalars(
        select(ModerationLogEntry.action).order_by(ModerationLogEntry.id)
    ).all()
    assert actions[-2:] == ["user.silence", "user.lift"]


def test_lifting_one_of_two_silences_keeps_the_other(app, people):
    mina, sara, thread = people
    short = moderation_users.restrict_user(mina, sara, "silence", 2, "first")
    moderation_users.restrict_user(mina, sara, "silence", 10, "second")
    moderation_users.lift_restriction(mina, short, "first one was a mistake")
    assert fresh(User, sara.id).is_silenced


def test_restriction_rules(app, people, make_moderator, make_user):
    mina, sara, thread = people
    omid = make_moderator("omid")
    admin = db.session.scalar(select(User).where(User.role == "admin"))
    with pytest.raises(Refused):
        moderation_users.restrict_user(mina, mina, "suspend", 1, "myself")
    with pytest.raises(Refused):
        moderation_users.restrict_user(mina, omid, "suspend", 1, "a colleague")
    with pytest.raises(Refused):
        moderation_users.restrict_user(mina, admin, "suspend", 1, "the admin")
    with pytest.raises(Invalid):
        moderation_users.restrict_user(mina, sara, "suspend", 0, "zero days")
    with pytest.raises(Invalid):
        moderation_users.restrict_user(mina, sara, "ban", 3, "unknown kind")
    assert db.session.scalar(select(Suspension.id)) is None


def test_spam_account_disabled_and_hidden_in_one_step(client, people, make_user):
    mina, sara, thread = people
    spammer = make_user("spammer")
    spam_thread = posting.open_thread(spammer, thread.section, "خرید ارزان", "تبلیغ", "fa")
    posting.reply(spammer, thread, "لینک تبلیغ", "fa")
    posting.reply(sara, spam_thread, "این هرزنامه است", "fa")
    before = db.session.scalar(select(db.func.count()).select_from(ModerationLogEntry))
    moderation_users.disable_account(mina, spammer, "spam")
    assert db.session.scalar(select(db.func.count()).select_from(ModerationLogEntry)) == before + 1
    spammer = fresh(User, spammer.id)
    assert spammer.is_disabled
    hidden = db.session.scalars(select(Post).where(Post.author_id == spammer.id)).all()
    assert hidden and all(p.is_hidden and p.hidden_reason == "spam" for p in hidden)
    assert fresh(Thread, thread.id).reply_count == 0
    assert fresh(Thread, spam_thread.id).is_hidden
    assert thread.section.thread_count == 1
    assert "خرید ارزان" not in client.get("/tribune/alternatives/").get_data(as_text=True)
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "لینک تبلیغ" not in page
    # Reinstating shows exactly those posts again.
    moderation_users.reinstate_account(mina, spammer, "a real person after all")
    assert not fresh(User, spammer.id).is_disabled
    posts = db.session.scalars(select(Post).where(Post.author_id == spammer.id)).all()
    assert all(not p.is_hidden for p in posts)
    assert fresh(Thread, thread.id).reply_count == 1


def test_restrict_through_the_form(client, people):
    mina, sara, thread = people
    login(client, "mina")
    response = client.post(
        "/moderation/users/sara/restrict",
        data={"restrict-kind": "silence", "restrict-days": "3", "restrict-reason": "flooding"},
    )
    assert response.status_code == 302
    assert fresh(User, sara.id).is_silenced
    page = client.get("/moderation/users/sara").get_data(as_text=True)
    assert "flooding" in page
    suspension = db.session.scalar(select(Suspension))
    response = client.post(
        f"/moderation/restrictions/{suspension.id}/lift", data={"lift-reason": "ok now"}
    )
    assert response.status_code == 302
    assert not fresh(User, sara.id).is_silenced
